// Package config reads bcm-electrum's settings: flags, and optionally a config file of
// the same names ("name = value" lines), which is how a Docker secret carries them. The
// node's RPC password is never a flag (argv is visible to every process): it comes from a
// file (--rpc-pass-file) or from the config file's rpc-pass line.
package config

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
)

// Config is everything serve needs.
type Config struct {
	RPCAddr        string
	RPCUser        string
	RPCPassword    string
	RPCCert        string
	Chain          string
	Params         *chaincfg.Params
	DataDir        string
	Listen         string
	MemoryLimit    int64
	Banner         string
	Donation       string
	MaxConns       int
	MaxLine        int
	MaxSubs        int
	MaxSubsTotal   int
	MaxHistory     int
	MaxQueued      int
	MaxQueuedTotal int
	SendTimeout    time.Duration
	StatusEvery    time.Duration
	Poll           time.Duration
	passFile       string
	configFile     string
	memoryLimitArg string
}

// Chains maps --chain to btcd's parameters.
var Chains = map[string]*chaincfg.Params{
	"regtest": &chaincfg.RegressionNetParams,
	"signet":  &chaincfg.SigNetParams,
	"testnet": &chaincfg.TestNet3Params,
	"mainnet": &chaincfg.MainNetParams,
}

// Flags defines serve's flags on fs and returns the config they fill.
func Flags(fs *flag.FlagSet) *Config {
	c := &Config{}
	fs.StringVar(&c.configFile, "config", "", "read settings from this file: one \"name = value\" a line, names as these flags (without --), # comments; flags given on the command line win")
	fs.StringVar(&c.RPCAddr, "rpc-addr", "", "the node's RPC address HOST:PORT (btcd regtest 18334, bitcoind regtest 18443)")
	fs.StringVar(&c.RPCUser, "rpc-user", "", "the node's RPC user")
	fs.StringVar(&c.passFile, "rpc-pass-file", "", "file holding the node's RPC password (its first line); never pass the password itself on the command line")
	fs.StringVar(&c.RPCCert, "rpc-cert", "", "btcd's RPC certificate (rpc.cert): speak HTTPS and trust only it; empty: plain HTTP (bitcoind)")
	fs.StringVar(&c.Chain, "chain", "regtest", "regtest, signet, testnet or mainnet (must be the node's)")
	fs.StringVar(&c.DataDir, "datadir", "/var/lib/electrum", "directory of the index (index.db) and status.json")
	fs.StringVar(&c.Listen, "listen", "0.0.0.0:50001", "address to serve the Electrum protocol on (plain TCP)")
	fs.StringVar(&c.memoryLimitArg, "memory-limit", "256MiB", "memory ceiling of the Go heap (runtime/debug.SetMemoryLimit): bytes, or with KiB, MiB, GiB")
	fs.StringVar(&c.Banner, "banner", "Welcome to bcm-electrum, a Bitcoin Cache Machine Electrum server.", "text of server.banner")
	fs.StringVar(&c.Donation, "donation-address", "", "address of server.donation_address")
	fs.IntVar(&c.MaxConns, "max-conns", 64, "most client connections at once")
	fs.IntVar(&c.MaxLine, "max-line", 1<<20, "longest request line in bytes (a batch is one line); a longer one closes the connection")
	fs.IntVar(&c.MaxSubs, "max-subs", 10000, "most scripthash subscriptions per connection")
	fs.IntVar(&c.MaxSubsTotal, "max-subs-total", 200000, "most scripthash subscriptions of all connections together")
	fs.IntVar(&c.MaxHistory, "max-history", 100000, "most entries in one get_history or listunspent answer")
	fs.IntVar(&c.MaxQueued, "max-queued", 4<<20, "bytes of answers one connection may have waiting to be written; a client that does not read stops being read from, and is dropped after --send-timeout")
	fs.IntVar(&c.MaxQueuedTotal, "max-queued-total", 64<<20, "bytes of answers all connections together may have waiting to be written")
	fs.DurationVar(&c.SendTimeout, "send-timeout", 30*time.Second, "a client that takes no answer for this long is disconnected")
	fs.DurationVar(&c.StatusEvery, "status-every", 2*time.Second, "how often <datadir>/status.json is rewritten")
	fs.DurationVar(&c.Poll, "poll", time.Second, "how often to ask the node for new blocks and mempool transactions")
	return c
}

// Finish applies the config file under the flags given, reads the password, and checks.
func (c *Config) Finish(fs *flag.FlagSet) error {
	var filePass string
	if c.configFile != "" {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		values, err := readFile(c.configFile)
		if err != nil {
			return err
		}
		for name, value := range values {
			switch {
			case name == "rpc-pass":
				filePass = value
			case name == "config":
				return fmt.Errorf("%s: a config file cannot name another one", c.configFile)
			case fs.Lookup(name) == nil:
				return fmt.Errorf("%s: unknown setting %q (the names are the flags', see --help)", c.configFile, name)
			case !given[name]:
				if err := fs.Set(name, value); err != nil {
					return fmt.Errorf("%s: %s: %w", c.configFile, name, err)
				}
			}
		}
	}
	switch {
	case c.passFile != "":
		b, err := os.ReadFile(c.passFile)
		if err != nil {
			return fmt.Errorf("reading the RPC password: %w", err)
		}
		c.RPCPassword = strings.TrimRight(strings.SplitN(string(b), "\n", 2)[0], "\r")
	case filePass != "":
		c.RPCPassword = filePass
	}
	if c.RPCAddr == "" {
		return errors.New("no node RPC address: give --rpc-addr HOST:PORT (or rpc-addr in --config)")
	}
	if c.RPCUser == "" || c.RPCPassword == "" {
		return errors.New("no RPC credentials: give --rpc-user and --rpc-pass-file FILE (or rpc-user and rpc-pass in --config)")
	}
	params, ok := Chains[c.Chain]
	if !ok {
		return fmt.Errorf("unknown chain %q: choose regtest, signet, testnet or mainnet", c.Chain)
	}
	c.Params = params
	limit, err := ParseBytes(c.memoryLimitArg)
	if err != nil {
		return fmt.Errorf("--memory-limit: %w", err)
	}
	if limit < 32<<20 {
		return fmt.Errorf("--memory-limit %s is below the 32MiB the server needs", c.memoryLimitArg)
	}
	c.MemoryLimit = limit
	for name, v := range map[string]int{"max-conns": c.MaxConns, "max-line": c.MaxLine, "max-subs": c.MaxSubs, "max-subs-total": c.MaxSubsTotal, "max-history": c.MaxHistory, "max-queued": c.MaxQueued, "max-queued-total": c.MaxQueuedTotal} {
		if v < 1 {
			return fmt.Errorf("--%s must be at least 1", name)
		}
	}
	if c.StatusEvery < 100*time.Millisecond || c.Poll < 100*time.Millisecond {
		return errors.New("--status-every and --poll must be at least 100ms")
	}
	if c.SendTimeout < time.Second {
		return errors.New("--send-timeout must be at least 1s")
	}
	if c.MaxLine < 1024 {
		return errors.New("--max-line must be at least 1024 bytes")
	}
	return nil
}

func readFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the config file: %w", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected \"name = value\", got %q", path, n, line)
		}
		out[strings.TrimSpace(name)] = strings.TrimSpace(value)
	}
	return out, sc.Err()
}

// ParseBytes reads "268435456", "256MiB", "1GiB", "512KiB" (also MB/GB as the same powers of two).
func ParseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}}
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size like 256MiB", s)
	}
	return n * mult, nil
}
