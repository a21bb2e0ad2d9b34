package main

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// remoteOp prepares a command:remote:Command operation. The connection in
// the state stays secret (the SDK sends it as one) because outputs are the
// raw inputs; only stdout/stderr get their secretness decided here.
func (s *server) remoteOp(ctx context.Context, urn resource.URN, raw, prev resource.PropertyMap) *operation {
	p := plainMap(raw)
	return &operation{
		raw:    raw,
		in:     decodeCommandInputs(p),
		prev:   prev,
		runner: remoteRunner{conn: connectionOf(p)},
		sink:   s.sink(ctx, urn, raw),
	}
}

// applyCopy uploads the source of a CopyToRemote (or the localPath of the
// older CopyFile) and returns the inputs as the state. Preview copies nothing.
func (s *server) applyCopy(ctx context.Context, urn resource.URN, token string, raw resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	if preview {
		return raw.Copy(), nil
	}
	p := plainMap(raw)
	remotePath, _ := str(p, "remotePath")
	var src copySource
	if token == tokCopyFile {
		localPath, _ := str(p, "localPath")
		src = copySource{path: localPath}
	} else {
		var err error
		if src, err = sourceOf(p["source"]); err != nil {
			return nil, err
		}
	}
	sink := s.sink(ctx, urn, raw)
	if err := copyToRemote(ctx, connectionOf(p), sink, src, remotePath); err != nil {
		return nil, scrub(err, sink)
	}
	return raw.Copy(), nil
}
