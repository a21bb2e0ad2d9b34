package main

import (
	"context"
	"fmt"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// server is the gRPC resource provider. Methods it does not override
// (Construct, Call, List, ...) answer Unimplemented, which the engine
// handles: this package has no components, methods or listing.
type server struct {
	pulumirpc.UnimplementedResourceProviderServer
	host   engineLog // nil when no engine is attached
	ctx    context.Context
	cancel context.CancelFunc
}

func newServer(host engineLog) *server {
	ctx, cancel := context.WithCancel(context.Background())
	return &server{host: host, ctx: ctx, cancel: cancel}
}

func (s *server) sink(ctx context.Context, urn resource.URN, raw resource.PropertyMap) *logSink {
	return &logSink{ctx: ctx, host: s.host, urn: urn, secrets: secretStrings(raw)}
}

// opContext ends an operation on the engine's Cancel, on the RPC's own
// cancellation, or after the resource's customTimeouts (seconds).
func (s *server) opContext(ctx context.Context, timeout float64) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	if timeout > 0 {
		var cancelT context.CancelFunc
		ctx, cancelT = context.WithTimeout(ctx, time.Duration(timeout*float64(time.Second)))
		return ctx, func() { cancelT(); stop(); cancel() }
	}
	return ctx, func() { stop(); cancel() }
}

func tokenOf(urn, typ string) (string, error) {
	if typ == "" {
		typ = string(resource.URN(urn).Type())
	}
	if _, ok := resourceSpecs[typ]; !ok {
		return "", fmt.Errorf("unknown resource type %q", typ)
	}
	return typ, nil
}

func (s *server) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (s *server) GetSchema(_ context.Context, req *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	if req.GetSubpackageName() != "" {
		return nil, fmt.Errorf("the command provider has no subpackage %q", req.GetSubpackageName())
	}
	schema, err := schemaJSON()
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetSchemaResponse{Schema: schema}, nil
}

// The provider has no configuration of its own: any config is accepted and
// ignored, and no config change ever requires replacing the provider.
func (s *server) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (s *server) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (s *server) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true, SupportsPreview: true}, nil
}

func (s *server) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	s.cancel()
	return &emptypb.Empty{}, nil
}

func (s *server) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	token, err := tokenOf(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: checkProps(news, resourceSpecs[token].inputs, "")}, nil
}

func (s *server) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	token, err := tokenOf(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	oldInputs, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	return diffInputs(token, oldInputsOf(token, oldInputs, olds), news, req.GetIgnoreChanges()), nil
}

func (s *server) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	token, err := tokenOf(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.opContext(ctx, req.GetTimeout())
	defer cancel()
	urn := resource.URN(req.GetUrn())
	state, err := s.apply(ctx, token, urn, news, nil, false, req.GetPreview())
	if err != nil {
		return nil, err // a failed create leaves no resource behind
	}
	id := ""
	if !req.GetPreview() {
		if id, err = resource.NewUniqueHex(urn.Name()+"-", 8, 0); err != nil {
			return nil, err
		}
	}
	props, err := marshal(state)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (s *server) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	token, err := tokenOf(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.opContext(ctx, req.GetTimeout())
	defer cancel()
	state, err := s.apply(ctx, token, resource.URN(req.GetUrn()), news, olds, true, req.GetPreview())
	if err != nil {
		return nil, err
	}
	props, err := marshal(state)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

// apply dispatches create (prev == nil) and update to the resource kinds.
func (s *server) apply(ctx context.Context, token string, urn resource.URN, news, prev resource.PropertyMap, isUpdate, preview bool) (resource.PropertyMap, error) {
	switch token {
	case tokLocalCommand:
		return s.applyLocal(ctx, urn, news, prev, isUpdate, preview)
	case tokRemoteCommand:
		return s.remoteOp(ctx, urn, news, prev).apply(ctx, isUpdate, preview)
	default: // tokCopyToRemote, tokCopyFile
		return s.applyCopy(ctx, urn, token, news, preview)
	}
}

// Delete runs the `delete` command stored in the state, with the stored
// environment and connection; the copy resources leave remote files alone,
// as upstream does.
func (s *server) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	token, err := tokenOf(req.GetUrn(), req.GetType())
	if err != nil {
		return nil, err
	}
	state, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.opContext(ctx, req.GetTimeout())
	defer cancel()
	urn := resource.URN(req.GetUrn())
	switch token {
	case tokLocalCommand:
		err = s.localOp(ctx, urn, state, state).destroy(ctx)
	case tokRemoteCommand:
		err = s.remoteOp(ctx, urn, state, state).destroy(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

// Read cannot observe a command's effects, so refresh keeps the stored state.
func (s *server) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if _, err := tokenOf(req.GetUrn(), req.GetType()); err != nil {
		return nil, err
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (s *server) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != tokLocalRun {
		return nil, fmt.Errorf("unknown function %q", req.GetTok())
	}
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	if fails := checkProps(args, runInvokeInputs, ""); len(fails) > 0 {
		return &pulumirpc.InvokeResponse{Failures: fails}, nil
	}
	ctx, cancel := s.opContext(ctx, 0)
	defer cancel()
	out, err := s.runInvoke(ctx, args)
	if err != nil {
		return nil, err
	}
	ret, err := marshal(out)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}
