package itest

import (
	"os/exec"
	"strings"
	"testing"
)

func runBin(t *testing.T, bin, stdin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// Every command has --version (naming lnd's module version) and --help, and its errors are
// one line on stderr naming the fix or the flag.
func TestCommandsVersionHelpErrors(t *testing.T) {
	for _, bin := range []string{bins.start, bins.seed, bins.chanbackup} {
		code, out, _ := runBin(t, bin, "", "--version")
		if code != 0 || !strings.Contains(out, "lnd v0.20.0-beta") {
			t.Errorf("%s --version: %d %q", bin, code, out)
		}
		code, out, _ = runBin(t, bin, "", "--help")
		if code != 0 || !strings.HasPrefix(out, "Usage: ") || !strings.Contains(out, "Flags:") {
			t.Errorf("%s --help: %d %q", bin, code, out)
		}
		code, _, errOut := runBin(t, bin, "", "--no-such-flag")
		if code != 2 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--help") {
			t.Errorf("%s --no-such-flag: %d %q", bin, code, errOut)
		}
	}
	// bcm-lnd-tools itself: the command as its first argument, or an error naming the names.
	tools := strings.TrimSuffix(bins.seed, "bcm-lnd-seed") + "bcm-lnd-tools"
	if code, out, _ := runBin(t, tools, "", "bcm-chanbackup", "--version"); code != 0 || !strings.HasPrefix(out, "bcm-chanbackup ") {
		t.Errorf("bcm-lnd-tools bcm-chanbackup --version: %d %q", code, out)
	}
	if code, _, errOut := runBin(t, tools, ""); code != 2 || !strings.Contains(errOut, "run as bcm-lnd-start, bcm-lnd-seed or bcm-chanbackup") {
		t.Errorf("bcm-lnd-tools alone: %d %q", code, errOut)
	}
	cases := []struct {
		bin, stdin string
		args       []string
		want       string
	}{
		{bins.start, "", []string{"--expect-node-pubkey=02" + strings.Repeat("a", 64)}, "bcm-lnd-start: error: --chain is required"},
		{bins.start, "", []string{"--chain=regtest", "--expect-node-pubkey=xyz"}, "bcm-lnd-start: error: --expect-node-pubkey must be"},
		{bins.start, "", []string{"--chain=litecoin", "--expect-node-pubkey=02" + strings.Repeat("a", 64)}, "bcm-lnd-start: error: unknown chain \"litecoin\": use regtest"},
		{bins.start, "", []string{"--chain=regtest", "--expect-node-pubkey=" + runSeed(t, secretHex("cli"), "regtest").NodePubkey, "--lnd=" + bins.lnd, "--wallet-secret=/nonexistent"}, "fix: mount it at /nonexistent or give --wallet-secret"},
		{bins.seed, "not json", nil, "bcm-lnd-seed: error: stdin is not the JSON"},
		{bins.seed, `{"secret":"00","birthday":"2026-01-01"}`, nil, `bcm-lnd-seed: error: "secret" must be 64 hex digits`},
		{bins.seed, `{"secret":"` + secretHex("cli") + `","birthday":"2026-01-01"}`, []string{"--identity"}, "bcm-lnd-seed: error: --identity needs --chain"},
		{bins.chanbackup, "", []string{"--recipient-key=k", "--dir=d"}, "bcm-chanbackup: error: --macaroon is required"},
		{bins.chanbackup, "", []string{"--macaroon=m", "--recipient-key=/nonexistent", "--dir=d"}, "bcm-chanbackup: error: the recipient key: open /nonexistent"},
	}
	for _, c := range cases {
		code, _, errOut := runBin(t, c.bin, c.stdin, c.args...)
		if code != 1 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want one line with %q", c.args, code, errOut, c.want)
		}
	}
}
