// Package itest runs BCM's lnd tools against real btcd and lnd processes on regtest (and on
// signet without a chain backend), all on 127.0.0.1. TestMain builds lnd, lncli, btcd and
// btcctl exactly as the images do (images/docker/{lnd,btcd}/prepare.sh, from the Go module
// proxy) into a cache directory keyed by those scripts, and our binaries from this source.
package itest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

// bins are the paths of every binary the tests run.
var bins struct {
	lnd, lncli, btcd, btcctl string
	start, seed, chanbackup  string
}

// repoRoot is the repository's root (services/lnd/itest is three levels down).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", ".."))
}

func cacheDir() string {
	if d := os.Getenv("BCM_CACHE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "bcm")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "bcm")
}

// upstreamKey hashes what decides the upstream binaries: both prepare.sh and the shared
// Go module build.
func upstreamKey(root string) (string, error) {
	h := sha256.New()
	for _, f := range []string{"images/docker/lnd/prepare.sh", "images/docker/btcd/prepare.sh", "images/docker/lib/go-module.sh"} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", f, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// buildUpstream runs the images' prepare.sh scripts into a cache directory, once per key:
// the first lnd build takes minutes, later runs reuse the binaries. A lock keeps two test
// runs from building at once.
func buildUpstream(log io.Writer) (string, error) {
	root := repoRoot()
	key, err := upstreamKey(root)
	if err != nil {
		return "", err
	}
	base := filepath.Join(cacheDir(), "lnd-itest")
	dir := filepath.Join(base, key)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(base, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "bin", "btcctl")); err == nil {
		return filepath.Join(dir, "bin"), nil
	}
	tmp, err := os.MkdirTemp(base, "build-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	for _, image := range []string{"btcd", "lnd"} {
		cmd := exec.Command("bash", filepath.Join(root, "images/docker", image, "prepare.sh"), tmp)
		cmd.Env = append(os.Environ(), "BCM_DOCKER_LIB="+filepath.Join(root, "images/docker/lib"), "BCM_REPO="+root)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("images/docker/%s/prepare.sh: %w", image, err)
		}
	}
	fmt.Fprintf(log, "itest: built lnd, lncli, btcd, btcctl in %s\n", time.Since(start).Round(time.Second))
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	pruneCache(base, key)
	return filepath.Join(dir, "bin"), nil
}

// pruneCache removes the binaries of older recipes (other 16-hex keys) from the cache.
func pruneCache(base, key string) {
	entries, _ := os.ReadDir(base)
	for _, e := range entries {
		if e.IsDir() && len(e.Name()) == 16 && e.Name() != key {
			if _, err := hex.DecodeString(e.Name()); err == nil {
				os.RemoveAll(filepath.Join(base, e.Name()))
			}
		}
	}
}

// commandNames are the links to bcm-lnd-tools, as in the image.
var commandNames = []string{"bcm-lnd-start", "bcm-lnd-seed", "bcm-chanbackup"}

// buildOurs builds bcm-lnd-tools from the source under test and links the three command
// names to it, as the image does.
func buildOurs(dir string, log io.Writer) error {
	cmd := exec.Command("go", "build", "-o", dir+"/", "bcm/services/lnd/cmd/bcm-lnd-tools")
	cmd.Dir = filepath.Join(repoRoot(), "services", "lnd")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return err
	}
	for _, name := range commandNames {
		if err := os.Symlink("bcm-lnd-tools", filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	return nil
}

func setupBinaries(work string) error {
	upstream, err := buildUpstream(os.Stderr)
	if err != nil {
		return err
	}
	ours := filepath.Join(work, "bin")
	if err := buildOurs(ours, os.Stderr); err != nil {
		return fmt.Errorf("building services/lnd: %w", err)
	}
	bins.lnd, bins.lncli = filepath.Join(upstream, "lnd"), filepath.Join(upstream, "lncli")
	bins.btcd, bins.btcctl = filepath.Join(upstream, "btcd"), filepath.Join(upstream, "btcctl")
	bins.start = filepath.Join(ours, "bcm-lnd-start")
	bins.seed = filepath.Join(ours, "bcm-lnd-seed")
	bins.chanbackup = filepath.Join(ours, "bcm-chanbackup")
	for _, b := range []string{bins.lnd, bins.lncli, bins.btcd, bins.btcctl, bins.start, bins.seed, bins.chanbackup} {
		if _, err := os.Stat(b); err != nil {
			return err
		}
	}
	return nil
}
