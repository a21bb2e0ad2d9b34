package walletinit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bcm/services/lnd/internal/identity"
)

func testConfig(t *testing.T) *Config {
	return &Config{
		LndDir: "/var/lib/lnd", Chain: identity.Chains["signet"], PasswordFile: "/run/secrets/lnd-wallet-password",
		InitRPCPort: 10009, LndArgs: []string{"--configfile=/run/secrets/lnd.conf"},
	}
}

// The one-shot lnd: the user's arguments first, ours after (lnd's command line wins over its
// config file, and a later flag over an earlier one): gRPC on 127.0.0.1 only, nothing else
// reachable, in the given lnddir; no password file.
func TestLocalArgs(t *testing.T) {
	c := testConfig(t)
	got := strings.Join(c.localArgs("/var/lib/lnd/.bcm-wallet-init"), " ")
	want := "--configfile=/run/secrets/lnd.conf --lnddir=/var/lib/lnd/.bcm-wallet-init --bitcoin.signet --rpclisten=127.0.0.1:10009 --norest --nolisten --nobootstrap"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestFinalArgs(t *testing.T) {
	c := testConfig(t)
	got := strings.Join(c.FinalArgs(), " ")
	want := "--configfile=/run/secrets/lnd.conf --lnddir=/var/lib/lnd --bitcoin.signet --wallet-unlock-password-file=/run/secrets/lnd-wallet-password"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if strings.Contains(got, "allow-create") {
		t.Fatal("wallet-unlock-allow-create")
	}
	if c.walletDB() != "/var/lib/lnd/data/chain/bitcoin/signet/wallet.db" || c.marker() != "/var/lib/lnd/data/chain/bitcoin/signet/bcm-wallet.json" {
		t.Fatalf("paths %s %s", c.walletDB(), c.marker())
	}
	tn := c
	tn.Chain = identity.Chains["testnet"]
	if tn.chainDir() != "/var/lib/lnd/data/chain/bitcoin/testnet" || tn.chainFlag() != "--bitcoin.testnet" {
		t.Fatal(tn.chainDir(), tn.chainFlag())
	}
}

// The password file may end with a newline (lnd drops trailing CR/LF); anything else must
// be the secret file's password.
func TestCheckPasswordFile(t *testing.T) {
	c := testConfig(t)
	c.Secret.Password = strings.Repeat("ab", 32)
	c.PasswordFile = filepath.Join(t.TempDir(), "pw")
	for content, ok := range map[string]bool{
		c.Secret.Password:                  true,
		c.Secret.Password + "\n":           true,
		c.Secret.Password + "\r\n":         true,
		c.Secret.Password + " ":            false,
		strings.Repeat("cd", 32):           false,
		"":                                 false,
		"\n" + c.Secret.Password:           false,
		strings.ToUpper(c.Secret.Password): false,
	} {
		if err := os.WriteFile(c.PasswordFile, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		err := c.checkPasswordFile()
		if (err == nil) != ok {
			t.Errorf("%q: %v", content, err)
		}
		if err != nil && strings.Contains(err.Error(), c.Secret.Password) {
			t.Error("the error quotes the password")
		}
	}
}

// Two bcm-lnd-start on one volume: the second is refused while the first holds the lock.
func TestLockIsExclusive(t *testing.T) {
	c := testConfig(t)
	c.LndDir = t.TempDir()
	unlock, err := c.lock()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.lock(); err == nil || !strings.Contains(err.Error(), "fix: ") {
		t.Fatalf("a second lock: %v", err)
	}
	unlock()
	again, err := c.lock()
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	again()
}
