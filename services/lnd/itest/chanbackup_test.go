package itest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"bcm/services/lnd/internal/backup"
	"github.com/lightningnetwork/lnd/lnrpc"
)

// chanbackup is a running bcm-chanbackup.
type chanbackup struct {
	cmd  *exec.Cmd
	out  string
	done chan struct{}
}

func startChanbackup(t *testing.T, n *node, keyFile, dir string, keep int, extra ...string) *chanbackup {
	t.Helper()
	out := filepath.Join(filepath.Dir(dir), "chanbackup.log")
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bins.chanbackup, "--rpcserver=127.0.0.1:"+itoa(n.grpcPort), "--tlscert="+filepath.Join(n.dir, "tls.cert"),
		"--macaroon="+filepath.Join(n.chainDir(), "readonly.macaroon"), "--recipient-key="+keyFile,
		"--dir="+dir, "--keep="+itoa(keep), "--max-backoff=2s")
	cmd.Args = append(cmd.Args, extra...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &chanbackup{cmd: cmd, out: out, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(c.done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-c.done })
	return c
}

func (c *chanbackup) log() string {
	b, _ := os.ReadFile(c.out)
	return string(b)
}

// waitManifest waits until index.json satisfies ok, and returns it.
func waitManifest(t *testing.T, c *chanbackup, dir string, timeout time.Duration, what string, ok func(backup.Manifest) bool) backup.Manifest {
	t.Helper()
	store := backup.Store{Dir: dir}
	deadline := time.Now().Add(timeout)
	for {
		m, err := store.ReadManifest()
		if err == nil && ok(m) {
			return m
		}
		select {
		case <-c.done:
			t.Fatalf("bcm-chanbackup ended: %s", tail(c.log(), 10))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no manifest with %s within %s (last: %+v, %v): %s", what, timeout, m, err, tail(c.log(), 10))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func pgpFiles(t *testing.T, dir string) []string {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "channel-backup-*.pgp"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(matches)
	return matches
}

// verifyBackup decrypts a kept backup with openpgp.js (as the controller will) and has
// alice's lnd check it: VerifyChanBackup decrypts lnd's multi-channel backup with the node's
// own key. lnd encrypts each export with a fresh nonce, so the bytes of two exports differ;
// what must agree with ExportAllChannelBackups are the channels it holds.
func verifyBackup(t *testing.T, n *node, key pgpKey, file string) {
	t.Helper()
	plain := openpgpjsDecrypt(t, key, file)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	client := n.lightning()
	snap, err := client.ExportAllChannelBackups(ctx, &lnrpc.ChanBackupExportRequest{})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.VerifyChanBackup(ctx, &lnrpc.ChanBackupSnapshot{MultiChanBackup: &lnrpc.MultiChanBackup{MultiChanBackup: plain}})
	if err != nil {
		t.Fatalf("lnd rejects the decrypted backup %s: %v", filepath.Base(file), err)
	}
	want := map[string]bool{}
	for _, cp := range snap.MultiChanBackup.ChanPoints {
		want[chanPointString(cp)] = true
	}
	if len(resp.ChanPoints) != len(want) {
		t.Fatalf("the backup holds %v, lnd exports %v", resp.ChanPoints, want)
	}
	for _, cp := range resp.ChanPoints {
		if !want[cp] {
			t.Fatalf("the backup holds %s, which lnd does not export (%v)", cp, want)
		}
	}
	// Not a byte of lnd's backup in the file: it is all OpenPGP ciphertext.
	enc, _ := os.ReadFile(file)
	if bytes.Contains(enc, plain[:32]) {
		t.Fatal("the file carries lnd's backup in the clear")
	}
}

func chanPointString(cp *lnrpc.ChannelPoint) string {
	h := cp.GetFundingTxidBytes()
	rev := make([]byte, len(h))
	for i := range h {
		rev[len(h)-1-i] = h[i]
	}
	return hexString(rev) + ":" + itoa(int(cp.OutputIndex))
}

func TestChannelBackupsFollowLnd(t *testing.T) {
	a := aliceNode(t)
	frank := newNode(t, work, "frank", secretHex("frank"), "regtest", btcdBackend(chain))
	frank.start(smallWindow)
	frank.waitState(lnrpc.WalletState_SERVER_ACTIVE, 5*time.Minute)
	defer frank.stop()

	key := openpgpjsKey(t, "")
	keyFile := filepath.Join(work, "chanbackup-recipient.asc")
	if err := os.WriteFile(keyFile, []byte(key.PublicKey), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(work, "chanbackup", "backups")
	c := startChanbackup(t, a, keyFile, dir, 2)

	// At start: the current backup, whatever channels alice has now.
	start := waitManifest(t, c, dir, time.Minute, "a first backup", func(m backup.Manifest) bool { return len(m.Backups) == 1 })
	if start.NodePubkey != a.seed.NodePubkey {
		t.Fatalf("the manifest names node %s", start.NodePubkey)
	}
	base := start.Backups[0].Channels

	// A channel to frank: a new backup within seconds, with one more channel.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ln := a.lightning()
	if _, err := ln.ConnectPeer(ctx, &lnrpc.ConnectPeerRequest{Addr: &lnrpc.LightningAddress{Pubkey: frank.seed.NodePubkey, Host: "127.0.0.1:" + itoa(frank.p2pPort)}}); err != nil && !strings.Contains(err.Error(), "already connected") {
		t.Fatal(err)
	}
	var funding string
	open := func() time.Time {
		t.Helper()
		cp, err := ln.OpenChannelSync(ctx, &lnrpc.OpenChannelRequest{NodePubkey: mustHex(t, frank.seed.NodePubkey), LocalFundingAmount: 1_000_000})
		if err != nil {
			t.Fatalf("OpenChannelSync: %v", err)
		}
		funding = strings.Split(chanPointString(cp), ":")[0]
		return time.Now()
	}
	// mineFunding mines once the funding transaction is in btcd's mempool.
	mineFunding := func() {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			pool, err := chain.ctl("getrawmempool")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(pool, funding) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the funding transaction %s never reached btcd's mempool", funding)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if err := chain.mine(6); err != nil {
			t.Fatal(err)
		}
	}
	waitSynced(t, a)
	opened := open()
	m := waitManifest(t, c, dir, 30*time.Second, "a backup with the new channel", func(m backup.Manifest) bool {
		return len(m.Backups) > 0 && m.Backups[0].Channels == base+1
	})
	t.Logf("a backup with the pending channel %s after the open returned", time.Since(opened).Round(time.Millisecond))
	verifyBackup(t, a, key, filepath.Join(dir, m.Backups[0].File))
	mineFunding()
	waitSynced(t, a)
	noPending(t, a)
	noPending(t, frank)

	// A second channel, and rotation: only the newest two are kept, files and manifest alike.
	open()
	mineFunding()
	m = waitManifest(t, c, dir, 30*time.Second, "a backup with both channels", func(m backup.Manifest) bool {
		return len(m.Backups) == 2 && m.Backups[0].Channels == base+2
	})
	files := pgpFiles(t, dir)
	if len(files) != 2 || filepath.Base(files[1]) != m.Backups[0].File || filepath.Base(files[0]) != m.Backups[1].File {
		t.Fatalf("files %v, manifest %+v", files, m.Backups)
	}
	for _, f := range files {
		if st, _ := os.Stat(f); st.Mode().Perm() != 0o600 {
			t.Fatalf("%s has mode %v", f, st.Mode().Perm())
		}
	}
	verifyBackup(t, a, key, files[1])

	// lnd restarts: bcm-chanbackup reconnects and keeps the current backup again.
	before := m.Backups[0].File
	a.stop()
	a.start()
	a.waitState(lnrpc.WalletState_SERVER_ACTIVE, 3*time.Minute)
	m = waitManifest(t, c, dir, time.Minute, "a backup after lnd's restart", func(m backup.Manifest) bool {
		return len(m.Backups) == 2 && m.Backups[0].File != before
	})
	if !strings.Contains(c.log(), "reconnecting in") {
		t.Fatal("bcm-chanbackup did not say it lost lnd")
	}
	verifyBackup(t, a, key, filepath.Join(dir, m.Backups[0].File))

	// SIGTERM ends it cleanly.
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		t.Fatal("bcm-chanbackup did not stop within 10 s of SIGTERM")
	}
	if code := c.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("exit status %d", code)
	}
	var idx map[string]any
	data, _ := os.ReadFile(filepath.Join(dir, backup.ManifestName))
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatal(err)
	}
}

// waitSynced waits until the node's wallet has the chain's tip (lnd opens no channel before).
func waitSynced(t *testing.T, n *node) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		height, err := chain.ctl("getblockcount")
		if err != nil {
			t.Fatal(err)
		}
		info := n.getInfo()
		if info.SyncedToChain && itoa(int(info.BlockHeight)) == height {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s is not synced to height %s within 2 minutes (at %d)", n.name, height, info.BlockHeight)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// noPending waits until the node has no channel pending open (lnd allows one pending
// channel per peer by default).
func noPending(t *testing.T, n *node) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		p, err := n.lightning().PendingChannels(ctx, &lnrpc.PendingChannelsRequest{})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if len(p.PendingOpenChannels) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still has %d channels pending open", n.name, len(p.PendingOpenChannels))
		}
		time.Sleep(300 * time.Millisecond)
	}
}
