package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestLocalCreateCapturesAndLogs(t *testing.T) {
	s, rec := newTestServer()
	id, state, err := doCreate(t, s, tokLocalCommand, props(map[string]any{
		"create": "echo hello; echo oops >&2; printf 'partial'",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" || !strings.HasPrefix(id, "r-") {
		t.Errorf("id = %q, want r-<hex>", id)
	}
	if got, _ := out(t, state, "stdout"); got != "hello\npartial" {
		t.Errorf("stdout = %q", got)
	}
	if got, _ := out(t, state, "stderr"); got != "oops" {
		t.Errorf("stderr = %q", got)
	}
	if got, _ := out(t, state, "create"); !strings.HasPrefix(got, "echo hello") {
		t.Errorf("inputs are not echoed into the state: create = %q", got)
	}
	logs := rec.text()
	for _, want := range []string{"info|r|hello", "info|r|oops", "info|r|partial"} {
		if !strings.Contains(logs, want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
}

func TestLocalTrimsOnlyOneTrailingNewline(t *testing.T) {
	s, _ := newTestServer()
	_, state, err := doCreate(t, s, tokLocalCommand, props(map[string]any{"create": `printf 'a\n\n'`}), false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := out(t, state, "stdout"); got != "a\n" {
		t.Errorf("stdout = %q, want %q", got, "a\n")
	}
}

func TestLocalEnvironmentStdinDirInterpreter(t *testing.T) {
	s, _ := newTestServer()
	dir := t.TempDir()
	_, state, err := doCreate(t, s, tokLocalCommand, props(map[string]any{
		"create":      `echo "$FOO|$(pwd)|$0"; cat`,
		"environment": map[string]any{"FOO": "bar baz"},
		"stdin":       "from stdin",
		"dir":         dir,
		"interpreter": []any{"/usr/bin/env", "sh", "-c"},
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	want := "bar baz|" + dir + "|sh\nfrom stdin"
	if got, _ := out(t, state, "stdout"); got != want {
		t.Errorf("stdout = %q, want %q", got, want)
	}
}

func TestLocalMissingDirFails(t *testing.T) {
	s, _ := newTestServer()
	_, _, err := doCreate(t, s, tokLocalCommand, props(map[string]any{
		"create": "true", "dir": "/nonexistent/bcm-dir",
	}), false)
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/bcm-dir") {
		t.Fatalf("err = %v, want a dir error", err)
	}
}

func TestLocalNonZeroExitFailsCreate(t *testing.T) {
	s, _ := newTestServer()
	resp, err := s.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn:        urnFor(tokLocalCommand, "r"),
		Properties: wire(t, props(map[string]any{"create": "echo fine; echo first >&2; echo 'bad thing' >&2; exit 3"})),
	})
	if err == nil {
		t.Fatal("expected an error")
	}
	if resp != nil {
		t.Errorf("a failed create returned a resource: %v", resp)
	}
	for _, want := range []string{"exited with code 3", "bad thing", "first"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestLocalErrorShowsOnlyStderrTail(t *testing.T) {
	s, _ := newTestServer()
	_, _, err := doCreate(t, s, tokLocalCommand, props(map[string]any{
		"create": "for i in $(seq 1 50); do echo line$i >&2; done; exit 1",
	}), false)
	if err == nil {
		t.Fatal("expected an error")
	}
	if strings.Contains(err.Error(), "line30\n") || !strings.Contains(err.Error(), "line31") || !strings.Contains(err.Error(), "line50") {
		t.Errorf("error should hold exactly the last 20 lines: %q", err)
	}
}

func TestLocalUpdateAndDeleteSeePreviousOutput(t *testing.T) {
	s, _ := newTestServer()
	marker := filepath.Join(t.TempDir(), "deleted")
	in := props(map[string]any{
		"create": "echo created",
		"delete": `echo "$PULUMI_COMMAND_STDOUT" > ` + marker,
	})
	_, state, err := doCreate(t, s, tokLocalCommand, in, false)
	if err != nil {
		t.Fatal(err)
	}

	// update set: it runs, and sees the previous stdout.
	news := in.Copy()
	news["update"] = resource.NewStringProperty(`echo "updated after $PULUMI_COMMAND_STDOUT"`)
	state2, err := doUpdate(t, s, tokLocalCommand, state, news, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := out(t, state2, "stdout"); got != "updated after created" {
		t.Errorf("update stdout = %q", got)
	}

	// No update command: create runs again.
	news3 := in.Copy()
	news3["create"] = resource.NewStringProperty("echo created again")
	news3["delete"] = in["delete"]
	state3, err := doUpdate(t, s, tokLocalCommand, state2, news3, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := out(t, state3, "stdout"); got != "created again" {
		t.Errorf("update without `update` stdout = %q", got)
	}

	// addPreviousOutputInEnv: false hides the previous outputs.
	news4 := news.Copy()
	news4["addPreviousOutputInEnv"] = resource.NewBoolProperty(false)
	state4, err := doUpdate(t, s, tokLocalCommand, state3, news4, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := out(t, state4, "stdout"); got != "updated after " {
		t.Errorf("with addPreviousOutputInEnv=false stdout = %q", got)
	}

	if err := doDelete(t, s, tokLocalCommand, state3); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(marker)
	if err != nil {
		t.Fatalf("delete command did not run: %v", err)
	}
	if string(b) != "created again\n" {
		t.Errorf("delete saw PULUMI_COMMAND_STDOUT = %q", b)
	}
}

func TestLocalDeleteFailureIsReported(t *testing.T) {
	s, _ := newTestServer()
	err := doDelete(t, s, tokLocalCommand, props(map[string]any{
		"create": "true", "delete": "echo nope >&2; exit 4", "stdout": "", "stderr": "",
	}))
	if err == nil || !strings.Contains(err.Error(), "code 4") {
		t.Fatalf("err = %v", err)
	}
}

func TestLocalUpdateFailureKeepsError(t *testing.T) {
	s, _ := newTestServer()
	_, err := doUpdate(t, s, tokLocalCommand,
		props(map[string]any{"create": "true", "stdout": "", "stderr": ""}),
		props(map[string]any{"create": "true", "update": "exit 9"}), false)
	if err == nil || !strings.Contains(err.Error(), "code 9") {
		t.Fatalf("err = %v", err)
	}
}

func TestLocalPreviewRunsNothing(t *testing.T) {
	s, _ := newTestServer()
	marker := filepath.Join(t.TempDir(), "ran")
	in := props(map[string]any{"create": "touch " + marker, "assetPaths": []any{"*"}})
	id, state, err := doCreate(t, s, tokLocalCommand, in, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("preview ran the command")
	}
	if id != "" {
		t.Errorf("preview id = %q", id)
	}
	for _, k := range []resource.PropertyKey{"stdout", "stderr", "assets"} {
		if !state[k].IsComputed() {
			t.Errorf("preview %s = %v, want unknown", k, state[k])
		}
	}
	state2, err := doUpdate(t, s, tokLocalCommand, props(map[string]any{"create": "x", "stdout": "a", "stderr": ""}), in, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); err == nil || !state2["stdout"].IsComputed() {
		t.Fatal("update preview ran the command or knew its output")
	}
}

func TestLocalNoCreateCommand(t *testing.T) {
	s, _ := newTestServer()
	_, state, err := doCreate(t, s, tokLocalCommand, props(map[string]any{"delete": "true"}), false)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := out(t, state, "stdout"); got != "" {
		t.Errorf("stdout = %q", got)
	}
}

func TestLocalSecretsPropagate(t *testing.T) {
	s, rec := newTestServer()
	_, state, err := doCreate(t, s, tokLocalCommand, props(map[string]any{
		"create":      `echo "token=$TOKEN"`,
		"environment": map[string]any{"TOKEN": secret("s3cr3t-value"), "PLAIN": "p"},
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	got, isSecret := out(t, state, "stdout")
	if got != "token=s3cr3t-value" || !isSecret {
		t.Errorf("stdout = %q secret=%v, want the value and secret", got, isSecret)
	}
	if _, isSecret := out(t, state, "stderr"); !isSecret {
		t.Error("stderr not secret")
	}
	env := state["environment"].ObjectValue()
	if !env["TOKEN"].IsSecret() || env["PLAIN"].IsSecret() {
		t.Errorf("environment secretness not kept per value: %v", env)
	}
	if strings.Contains(rec.text(), "s3cr3t-value") || !strings.Contains(rec.text(), "token=[secret]") {
		t.Errorf("secret leaked into or missing from the log:\n%s", rec.text())
	}

	// A secret create command makes the outputs secret too; plain ones don't.
	_, state, err = doCreate(t, s, tokLocalCommand, props(map[string]any{"create": secret("echo hi")}), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, isSecret := out(t, state, "stdout"); !isSecret || !state["create"].IsSecret() {
		t.Error("secret create did not yield secret stdout/create")
	}
	_, state, err = doCreate(t, s, tokLocalCommand, props(map[string]any{"create": "echo hi"}), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, isSecret := out(t, state, "stdout"); isSecret {
		t.Error("plain command produced secret stdout")
	}

	// Errors are scrubbed of secret values too.
	_, _, err = doCreate(t, s, tokLocalCommand, props(map[string]any{
		"create":      `echo "failed with $TOKEN" >&2; exit 1`,
		"environment": map[string]any{"TOKEN": secret("s3cr3t-value")},
	}), false)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-value") || !strings.Contains(err.Error(), "[secret]") {
		t.Errorf("err = %v", err)
	}
}

func TestLocalLoggingModes(t *testing.T) {
	for mode, want := range map[string][]string{
		"none":            nil,
		"stdout":          {"info|r|OUT"},
		"stderr":          {"info|r|ERR"},
		"stdoutAndStderr": {"info|r|OUT", "info|r|ERR"},
	} {
		s, rec := newTestServer()
		_, state, err := doCreate(t, s, tokLocalCommand, props(map[string]any{
			"create": "echo OUT; echo ERR >&2", "logging": mode,
		}), false)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := out(t, state, "stdout"); got != "OUT" {
			t.Errorf("%s: logging changed capture: %q", mode, got)
		}
		logs := rec.text()
		if len(want) == 0 && logs != "" {
			t.Errorf("%s: logged %q", mode, logs)
		}
		for _, w := range want {
			if !strings.Contains(logs, w) {
				t.Errorf("%s: log lacks %q: %q", mode, w, logs)
			}
		}
		if mode == "stdout" && strings.Contains(logs, "ERR") || mode == "stderr" && strings.Contains(logs, "OUT") {
			t.Errorf("%s: logged the other stream: %q", mode, logs)
		}
	}
}

func TestLocalAssetsAndArchive(t *testing.T) {
	s, _ := newTestServer()
	dir := t.TempDir()
	_, state, err := doCreate(t, s, tokLocalCommand, props(map[string]any{
		"dir":          dir,
		"create":       "mkdir -p assets/logos src && echo svg > assets/logos/logo.svg && echo a > src/index.js && echo s > src/secret.js && echo t > top.txt",
		"assetPaths":   []any{"assets/**", "src/**.js", "!**secret.*"},
		"archivePaths": []any{"*.txt"},
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	assets := state["assets"].ObjectValue()
	if len(assets) != 2 || !assets["assets/logos/logo.svg"].IsAsset() || !assets["src/index.js"].IsAsset() {
		t.Fatalf("assets = %v", assets)
	}
	if p := assets["src/index.js"].AssetValue().Path; p != filepath.Join(dir, "src/index.js") {
		t.Errorf("asset path = %q", p)
	}
	arch := state["archive"].ArchiveValue()
	members, ok := arch.GetAssets()
	if !ok || len(members) != 1 || members["top.txt"] == nil || arch.Hash == "" {
		t.Errorf("archive = %+v", arch)
	}
}

func TestLocalRunInvoke(t *testing.T) {
	s, _ := newTestServer()
	resp, err := s.Invoke(context.Background(), &pulumirpc.InvokeRequest{
		Tok: tokLocalRun, Args: wire(t, props(map[string]any{"command": "echo $X", "environment": map[string]any{"X": "ran"}})),
	})
	if err != nil {
		t.Fatal(err)
	}
	ret := unwire(t, resp.GetReturn())
	if got, _ := out(t, ret, "stdout"); got != "ran" {
		t.Errorf("stdout = %q", got)
	}
	resp, err = s.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: tokLocalRun, Args: wire(t, props(map[string]any{}))})
	if err != nil || len(resp.GetFailures()) != 1 || resp.GetFailures()[0].GetProperty() != "command" {
		t.Errorf("missing command: resp=%v err=%v", resp, err)
	}
	if _, err := s.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: tokLocalRun, Args: wire(t, props(map[string]any{"command": "exit 2"}))}); err == nil {
		t.Error("failing invoke returned no error")
	}
}

func TestLocalCancelAndTimeoutKillTheCommand(t *testing.T) {
	s, _ := newTestServer()
	marker := filepath.Join(t.TempDir(), "survived")
	start := time.Now()
	_, err := s.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: urnFor(tokLocalCommand, "r"), Timeout: 1,
		Properties: wire(t, props(map[string]any{"create": "sleep 3 && touch " + marker})),
	})
	if err == nil || time.Since(start) > 2500*time.Millisecond {
		t.Fatalf("timeout not enforced: err=%v after %v", err, time.Since(start))
	}

	go func() { time.Sleep(300 * time.Millisecond); _, _ = s.Cancel(context.Background(), nil) }()
	start = time.Now()
	_, _, err = doCreate(t, s, tokLocalCommand, props(map[string]any{"create": "sleep 3 && touch " + marker}), false)
	if err == nil || time.Since(start) > 2500*time.Millisecond {
		t.Fatalf("cancel not enforced: err=%v after %v", err, time.Since(start))
	}
	time.Sleep(3500 * time.Millisecond)
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command's children outlived cancellation")
	}
}
