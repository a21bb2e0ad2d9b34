package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/archive"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/asset"
	"golang.org/x/crypto/ssh"
)

// The remote tests run against a real sshd on this machine, so "remote"
// paths are local paths the test can inspect directly.
func TestRemote(t *testing.T) {
	d := startSSHD(t)
	conn := func(extra map[string]any) resource.PropertyValue {
		return secret(resource.NewPropertyValue(d.connection(extra)))
	}

	t.Run("command lifecycle with env, stdin and previous output", func(t *testing.T) {
		s, rec := newTestServer()
		marker := filepath.Join(t.TempDir(), "deleted")
		in := props(map[string]any{
			"connection":  conn(nil),
			"create":      `printf '%s|' "$FOO"; cat; echo; echo warn >&2`,
			"delete":      `echo "$PULUMI_COMMAND_STDOUT" > ` + marker,
			"environment": map[string]any{"FOO": `it's "quoted" $HOME`},
			"stdin":       "piped",
		})
		if fails := doCheck(t, s, tokRemoteCommand, in).GetFailures(); len(fails) != 0 {
			t.Fatalf("check: %v", fails)
		}
		_, state, err := doCreate(t, s, tokRemoteCommand, in, false)
		if err != nil {
			t.Fatal(err)
		}
		stdout, isSecret := out(t, state, "stdout")
		if stdout != `it's "quoted" $HOME|piped` || isSecret {
			t.Errorf("stdout = %q (secret=%v)", stdout, isSecret)
		}
		if got, _ := out(t, state, "stderr"); got != "warn" {
			t.Errorf("stderr = %q", got)
		}
		if !state["connection"].IsSecret() {
			t.Error("connection is not secret in the state")
		}
		if !strings.Contains(rec.text(), "info|r|warn") {
			t.Errorf("remote output not streamed to the log:\n%s", rec.text())
		}

		news := in.Copy()
		news["update"] = resource.NewStringProperty(`echo "was: $PULUMI_COMMAND_STDOUT"`)
		state2, err := doUpdate(t, s, tokRemoteCommand, state, news, false)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := out(t, state2, "stdout"); got != "was: "+stdout {
			t.Errorf("update stdout = %q", got)
		}
		if err := doDelete(t, s, tokRemoteCommand, state2); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(marker); err != nil || string(b) != "was: "+stdout+"\n" {
			t.Errorf("delete wrote %q (%v)", b, err)
		}
	})

	t.Run("non-zero exit fails with code and stderr", func(t *testing.T) {
		s, _ := newTestServer()
		_, _, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(nil), "create": "echo 'remote trouble' >&2; exit 7",
		}), false)
		if err == nil || !strings.Contains(err.Error(), "code 7") || !strings.Contains(err.Error(), "remote trouble") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("secret environment makes outputs secret", func(t *testing.T) {
		s, _ := newTestServer()
		_, state, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(nil), "create": "echo $PW", "environment": map[string]any{"PW": secret("hunter2")},
		}), false)
		if err != nil {
			t.Fatal(err)
		}
		if got, isSecret := out(t, state, "stdout"); got != "hunter2" || !isSecret {
			t.Errorf("stdout = %q secret=%v", got, isSecret)
		}
	})

	t.Run("preview runs nothing", func(t *testing.T) {
		s, _ := newTestServer()
		marker := filepath.Join(t.TempDir(), "ran")
		_, state, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(nil), "create": "touch " + marker,
		}), true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(marker); err == nil || !state["stdout"].IsComputed() {
			t.Error("preview ran the remote command or knew its output")
		}
	})

	t.Run("host key pinning rejects another key without retrying", func(t *testing.T) {
		s, _ := newTestServer()
		_, other := newKey(t, "")
		wrong := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(other)))
		start := time.Now()
		_, _, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(map[string]any{"hostKey": wrong}), "create": "true",
		}), false)
		if err == nil || !strings.Contains(err.Error(), "host key mismatch") || !strings.Contains(err.Error(), "attempt 1") {
			t.Fatalf("err = %v", err)
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("mismatch was retried (%v)", time.Since(start))
		}
	})

	t.Run("no host key: refused with the offered fingerprint, nothing run, no retry", func(t *testing.T) {
		s, _ := newTestServer()
		marker := filepath.Join(t.TempDir(), "ran")
		start := time.Now()
		_, _, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(map[string]any{"hostKey": nil}), "create": "touch " + marker,
		}), false)
		pub, _, _, _, perr := ssh.ParseAuthorizedKey([]byte(d.hostKey))
		if perr != nil {
			t.Fatal(perr)
		}
		if err == nil || !strings.Contains(err.Error(), errNoHostKey) || !strings.Contains(err.Error(), ssh.FingerprintSHA256(pub)) || !strings.Contains(err.Error(), "attempt 1") {
			t.Fatalf("err = %v", err)
		}
		if _, serr := os.Stat(marker); serr == nil {
			t.Error("the command ran on a host whose key was not pinned")
		}
		if time.Since(start) > 3*time.Second {
			t.Errorf("the refusal was retried (%v)", time.Since(start))
		}
	})

	t.Run("encrypted private key", func(t *testing.T) {
		s, _ := newTestServer()
		_, state, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(map[string]any{"privateKey": d.encryptedKey, "privateKeyPassword": d.encryptedPass}),
			"create":     "echo ok",
		}), false)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := out(t, state, "stdout"); got != "ok" {
			t.Errorf("stdout = %q", got)
		}
		_, _, err = doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(map[string]any{"privateKey": d.encryptedKey}), "create": "true",
		}), false)
		if err == nil || !strings.Contains(err.Error(), "privateKeyPassword") {
			t.Errorf("missing passphrase: err = %v", err)
		}
	})

	t.Run("through a proxy (bastion)", func(t *testing.T) {
		s, _ := newTestServer()
		_, state, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(map[string]any{"proxy": d.connection(nil)}),
			"create":     "echo $SSH_CONNECTION",
		}), false)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := out(t, state, "stdout"); !strings.HasPrefix(got, "127.0.0.1 ") {
			t.Errorf("SSH_CONNECTION = %q", got)
		}
	})

	t.Run("dial errors are retried up to dialErrorLimit", func(t *testing.T) {
		s, _ := newTestServer()
		closed := freePort(t)
		_, _, err := doCreate(t, s, tokRemoteCommand, props(map[string]any{
			"connection": conn(map[string]any{"port": float64(closed), "dialErrorLimit": 3.0}), "create": "true",
		}), false)
		if err == nil || !strings.Contains(err.Error(), "attempt 3") {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("CopyToRemote", func(t *testing.T) {
		testCopyToRemote(t, conn)
	})
}

func testCopyToRemote(t *testing.T, conn func(map[string]any) resource.PropertyValue) {
	s, _ := newTestServer()
	local := t.TempDir()
	remote := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(local, "payload", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(local, "payload", "a.txt"), []byte("A"), 0o644))
	must(os.WriteFile(filepath.Join(local, "payload", "sub", "run.sh"), []byte("#!/bin/sh\n"), 0o755))
	must(os.WriteFile(filepath.Join(local, "single.conf"), []byte("conf"), 0o600))

	fileAsset, err := asset.FromPath(filepath.Join(local, "single.conf"))
	must(err)
	dirArchive, err := archive.FromPath(filepath.Join(local, "payload"))
	must(err)
	textAsset, err := asset.FromText("hello text")
	must(err)

	copyTo := func(source resource.PropertyValue, remotePath string) (resource.PropertyMap, error) {
		_, state, err := doCreate(t, s, tokCopyToRemote, props(map[string]any{
			"connection": conn(nil), "source": source, "remotePath": remotePath,
		}), false)
		return state, err
	}
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("expected remote file: %v", err)
		}
		return string(b)
	}

	// A file into an existing directory keeps its name and mode.
	state, err := copyTo(resource.NewAssetProperty(fileAsset), remote)
	must(err)
	if read(filepath.Join(remote, "single.conf")) != "conf" || !state["connection"].IsSecret() || !state["source"].IsAsset() {
		t.Errorf("file into dir: state %v", state)
	}
	if fi, _ := os.Stat(filepath.Join(remote, "single.conf")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v", fi.Mode())
	}
	// A file to a new path creates the parents; a second copy overwrites.
	_, err = copyTo(resource.NewAssetProperty(fileAsset), filepath.Join(remote, "new", "deep", "renamed.conf"))
	must(err)
	must(os.WriteFile(filepath.Join(local, "single.conf"), []byte("v2"), 0o600))
	_, err = copyTo(resource.NewAssetProperty(fileAsset), filepath.Join(remote, "new", "deep", "renamed.conf"))
	must(err)
	if read(filepath.Join(remote, "new", "deep", "renamed.conf")) != "v2" {
		t.Error("existing file not overwritten")
	}
	// StringAsset text becomes the file.
	_, err = copyTo(resource.NewAssetProperty(textAsset), filepath.Join(remote, "text", "greeting"))
	must(err)
	if read(filepath.Join(remote, "text", "greeting")) != "hello text" {
		t.Error("StringAsset not copied")
	}
	// A directory to a new path becomes that path; into an existing one, a child.
	_, err = copyTo(resource.NewArchiveProperty(dirArchive), filepath.Join(remote, "fresh"))
	must(err)
	if read(filepath.Join(remote, "fresh", "a.txt")) != "A" || read(filepath.Join(remote, "fresh", "sub", "run.sh")) != "#!/bin/sh\n" {
		t.Error("dir to new path")
	}
	if fi, _ := os.Stat(filepath.Join(remote, "fresh", "sub", "run.sh")); fi.Mode().Perm() != 0o755 {
		t.Errorf("executable bit lost: %v", fi.Mode())
	}
	_, err = copyTo(resource.NewArchiveProperty(dirArchive), filepath.Join(remote, "fresh"))
	must(err)
	if read(filepath.Join(remote, "fresh", "payload", "a.txt")) != "A" {
		t.Error("dir into existing dir")
	}
	// A directory onto an existing file fails.
	if _, err = copyTo(resource.NewArchiveProperty(dirArchive), filepath.Join(remote, "single.conf")); err == nil ||
		!strings.Contains(err.Error(), "existing file") {
		t.Errorf("dir onto file: err = %v", err)
	}
	// Preview copies nothing.
	_, _, err = doCreate(t, s, tokCopyToRemote, props(map[string]any{
		"connection": conn(nil), "source": resource.NewAssetProperty(fileAsset), "remotePath": filepath.Join(remote, "preview"),
	}), true)
	must(err)
	if _, err := os.Stat(filepath.Join(remote, "preview")); err == nil {
		t.Error("preview copied")
	}
	// CopyFile (the older resource) copies localPath to remotePath.
	_, _, err = doCreate(t, s, tokCopyFile, props(map[string]any{
		"connection": conn(nil), "localPath": filepath.Join(local, "payload", "a.txt"), "remotePath": filepath.Join(remote, "cf.txt"),
	}), false)
	must(err)
	if read(filepath.Join(remote, "cf.txt")) != "A" {
		t.Error("CopyFile")
	}
	// Delete leaves the remote files in place, as upstream does.
	must(doDelete(t, s, tokCopyToRemote, state))
	if read(filepath.Join(remote, "single.conf")) != "conf" {
		t.Error("delete removed remote files")
	}
}
