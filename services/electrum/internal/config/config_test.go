package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"268435456": 268435456, "256MiB": 256 << 20, "1GiB": 1 << 30, "512 KiB": 512 << 10, "64MB": 64 << 20} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "lots", "-5MiB", "0"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func parse(t *testing.T, args ...string) (*Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c := Flags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return c, c.Finish(fs)
}

func TestConfigFileFlagsAndPassword(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("s3cret\nignored\n"), 0o600)
	conf := filepath.Join(dir, "electrum.conf")
	os.WriteFile(conf, []byte("# BCM\nrpc-addr = btcd:18334\nrpc-user = bcm\nrpc-pass-file = "+pass+"\nchain = signet\nmemory-limit = 128MiB\n"), 0o600)
	c, err := parse(t, "--config", conf, "--chain", "regtest")
	if err != nil {
		t.Fatal(err)
	}
	if c.RPCAddr != "btcd:18334" || c.RPCPassword != "s3cret" || c.Chain != "regtest" || c.MemoryLimit != 128<<20 {
		t.Fatalf("%+v", c)
	}
	// The password may be in the config file, never a flag.
	os.WriteFile(conf, []byte("rpc-addr = a:1\nrpc-user = u\nrpc-pass = p\n"), 0o600)
	if c, err := parse(t, "--config", conf); err != nil || c.RPCPassword != "p" {
		t.Fatalf("rpc-pass in the file: %v", err)
	}
	if _, err := parse(t, "--rpc-pass", "x"); err == nil {
		t.Fatal("--rpc-pass was accepted as a flag")
	}
	for _, bad := range []struct{ file, want string }{
		{"rpc-addr = a:1\nrpc-user = u\nrpc-pass = p\nbogus = 1\n", "unknown setting"},
		{"no equals sign\n", "expected"},
		{"rpc-addr = a:1\nrpc-user = u\nrpc-pass = p\nchain = moon\n", "unknown chain"},
		{"rpc-user = u\nrpc-pass = p\n", "--rpc-addr"},
		{"rpc-addr = a:1\nrpc-user = u\n", "credentials"},
		{"rpc-addr = a:1\nrpc-user = u\nrpc-pass = p\nmemory-limit = 1MiB\n", "below"},
	} {
		os.WriteFile(conf, []byte(bad.file), 0o600)
		if _, err := parse(t, "--config", conf); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: %v, want %q", bad.file, err, bad.want)
		}
	}
}
