// Package regtest runs real btcd nodes on regtest for the tests and the benchmark: it
// builds btcd from the Go module this module pins (go.mod's tool directive), starts it on
// loopback with a fresh TLS certificate and no outside peers, and builds and signs
// P2WPKH transactions with btcd's own libraries.
package regtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// CacheDir is ${BCM_CACHE_DIR:-$HOME/.cache/bcm}, where built tools are kept.
func CacheDir() string {
	if d := os.Getenv("BCM_CACHE_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "bcm-cache")
	}
	return filepath.Join(home, ".cache", "bcm")
}

// ModuleDir is the directory of this Go module (services/electrum), found from the
// working directory upwards.
func ModuleDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil && strings.Contains(string(b), "module bcm/services/electrum") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no services/electrum go.mod above the working directory")
		}
		dir = parent
	}
}

// goBuild builds a package of this module's build list into out, with the host's Go and
// caches, never another toolchain.
func goBuild(out, pkg string) error {
	dir, err := ModuleDir()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "CGO_ENABLED=0", "GOFLAGS=-mod=readonly -buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return nil
}

// BuildBtcd builds btcd (the version go.mod pins) into the cache and returns its path.
func BuildBtcd() (string, error) {
	out := filepath.Join(CacheDir(), "electrum-test", "btcd")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	return out, goBuild(out, "github.com/btcsuite/btcd")
}

// BuildServer builds bcm-electrum from this module into dir.
func BuildServer(dir string) (string, error) {
	out := filepath.Join(dir, "bcm-electrum")
	return out, goBuild(out, "./cmd/bcm-electrum")
}
