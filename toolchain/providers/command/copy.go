package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pkg/sftp"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// copySource is what CopyToRemote uploads: a local file or directory (a
// FileAsset or FileArchive; archive files such as .tgz are copied as-is, not
// unpacked, as the SDK docs say), or the text of a StringAsset.
type copySource struct {
	path string
	text *string
}

func sourceOf(v resource.PropertyValue) (copySource, error) {
	switch {
	case v.IsAsset():
		a := v.AssetValue()
		if a.IsPath() {
			return copySource{path: a.Path}, nil
		}
		if a.IsText() {
			return copySource{text: &a.Text}, nil
		}
		return copySource{}, errors.New("source: only FileAsset and StringAsset are supported, not remote (URI) assets")
	case v.IsArchive():
		if a := v.ArchiveValue(); a.IsPath() {
			return copySource{path: a.Path}, nil
		}
		return copySource{}, errors.New("source: only FileArchive is supported, not AssetArchive or remote archives")
	}
	return copySource{}, fmt.Errorf("source must be an asset or an archive, got %s", v.TypeString())
}

// copyToRemote uploads over SFTP with scp-like placement: into remotePath
// when it is an existing directory, otherwise to remotePath itself (parents
// created). A directory source onto an existing file fails.
func copyToRemote(ctx context.Context, conn connection, sink *logSink, src copySource, remotePath string) error {
	client, err := conn.dial(ctx, sink)
	if err != nil {
		return err
	}
	defer client.Close()
	sc, err := sftp.NewClient(client.Client)
	if err != nil {
		return fmt.Errorf("starting SFTP on %s: %w", conn.address(), err)
	}
	defer sc.Close()
	stop := context.AfterFunc(ctx, func() { _ = sc.Close() })
	defer stop()

	remoteIsDir := false
	remoteExists := false
	if fi, err := sc.Stat(remotePath); err == nil {
		remoteExists, remoteIsDir = true, fi.IsDir()
	}

	if src.text != nil {
		if remoteIsDir {
			return fmt.Errorf("remotePath %q is a directory; a StringAsset needs a file path", remotePath)
		}
		if err := sc.MkdirAll(path.Dir(remotePath)); err != nil {
			return fmt.Errorf("creating %s: %w", path.Dir(remotePath), err)
		}
		return uploadReader(sc, strings.NewReader(*src.text), remotePath, 0o644)
	}

	local := filepath.Clean(src.path)
	fi, err := os.Stat(local)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	target := remotePath
	if remoteIsDir {
		target = path.Join(remotePath, filepath.Base(local))
	}
	if !fi.IsDir() {
		if err := sc.MkdirAll(path.Dir(target)); err != nil {
			return fmt.Errorf("creating %s: %w", path.Dir(target), err)
		}
		return uploadFile(sc, local, target, fi.Mode().Perm())
	}
	if remoteExists && !remoteIsDir {
		return fmt.Errorf("cannot copy directory %s onto existing file %s", local, remotePath)
	}
	return uploadDir(ctx, sc, local, target)
}

func uploadDir(ctx context.Context, sc *sftp.Client, local, target string) error {
	return filepath.WalkDir(local, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, err := filepath.Rel(local, p)
		if err != nil {
			return err
		}
		dst := path.Join(target, filepath.ToSlash(rel))
		if d.IsDir() {
			if err := sc.MkdirAll(dst); err != nil {
				return fmt.Errorf("creating %s: %w", dst, err)
			}
			return nil
		}
		// Symlinks are followed to files; links to directories are skipped
		// rather than risking a cycle.
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		return uploadFile(sc, p, dst, fi.Mode().Perm())
	})
}

func uploadFile(sc *sftp.Client, local, remote string, mode fs.FileMode) error {
	f, err := os.Open(local)
	if err != nil {
		return err
	}
	defer f.Close()
	return uploadReader(sc, f, remote, mode)
}

func uploadReader(sc *sftp.Client, r io.Reader, remote string, mode fs.FileMode) error {
	f, err := sc.OpenFile(remote, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return fmt.Errorf("opening remote %s: %w", remote, err)
	}
	if _, err := io.Copy(f, r); err != nil {
		_ = f.Close()
		return fmt.Errorf("writing remote %s: %w", remote, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing remote %s: %w", remote, err)
	}
	// Keep the local permission bits (executable scripts stay executable).
	if err := sc.Chmod(remote, mode); err != nil {
		return fmt.Errorf("chmod remote %s: %w", remote, err)
	}
	return nil
}
