// Tests that launch the real pulumi-resource-random binary and talk to it
// over the Pulumi resource-provider gRPC protocol (no mocks).
//
// Binary: $PULUMI_RESOURCE_RANDOM (path), else it is built into a temp dir
// from ../cmd/pulumi-resource-random (run ../build.sh once first so that the
// generated schema.json exists).
package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const wantVersion = "4.21.1"

var sdkTokens = []string{
	"random:index/randomBytes:RandomBytes",
	"random:index/randomId:RandomId",
	"random:index/randomInteger:RandomInteger",
	"random:index/randomPassword:RandomPassword",
	"random:index/randomPet:RandomPet",
	"random:index/randomShuffle:RandomShuffle",
	"random:index/randomString:RandomString",
	"random:index/randomUuid:RandomUuid",
	"random:index/randomUuid4:RandomUuid4",
	"random:index/randomUuid7:RandomUuid7",
}

func pluginBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PULUMI_RESOURCE_RANDOM"); p != "" {
		return p
	}
	if _, err := os.Stat("../cmd/pulumi-resource-random/schema.json"); err != nil {
		t.Fatalf("schema.json not generated: run toolchain/providers/random/build.sh first (or set PULUMI_RESOURCE_RANDOM): %v", err)
	}
	bin := filepath.Join(t.TempDir(), "pulumi-resource-random")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin,
		"-ldflags", "-X bcm.invalid/toolchain/providers/random.Version="+wantVersion,
		"../cmd/pulumi-resource-random")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go build: %v", err)
	}
	return bin
}

// startPlugin launches the plugin the way the engine does (minus the engine
// address: attach mode), reads the port it prints and dials it.
func startPlugin(t *testing.T) pulumirpc.ResourceProviderClient {
	t.Helper()
	cmd := exec.Command(pluginBinary(t))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
		if s := stderr.String(); s != "" {
			t.Logf("plugin stderr:\n%s", s)
		}
	})
	portc := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		portc <- strings.TrimSpace(line)
	}()
	var port string
	select {
	case port = <-portc:
	case <-time.After(60 * time.Second):
		t.Fatal("plugin did not print a port within 60s")
	}
	if !regexp.MustCompile(`^[0-9]+$`).MatchString(port) {
		t.Fatalf("plugin printed %q instead of a port; stderr: %s", port, stderr.String())
	}
	t.Logf("plugin listening on port %s", port)
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return pulumirpc.NewResourceProviderClient(conn)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

type schemaResource struct {
	Properties      map[string]struct{ Secret bool } `json:"properties"`
	InputProperties map[string]struct{ Secret bool } `json:"inputProperties"`
	RequiredInputs  []string                         `json:"requiredInputs"`
}

type packageSchema struct {
	Name      string                    `json:"name"`
	Version   string                    `json:"version"`
	Resources map[string]schemaResource `json:"resources"`
}

func TestPluginInfoAndSchema(t *testing.T) {
	client := startPlugin(t)
	info, err := client.GetPluginInfo(ctx(t), &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if info.GetVersion() != wantVersion {
		t.Errorf("GetPluginInfo version = %q, want %q", info.GetVersion(), wantVersion)
	}
	resp, err := client.GetSchema(ctx(t), &pulumirpc.GetSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var s packageSchema
	if err := json.Unmarshal([]byte(resp.GetSchema()), &s); err != nil {
		t.Fatal(err)
	}
	if s.Name != "random" || s.Version != wantVersion {
		t.Errorf("schema name/version = %q/%q", s.Name, s.Version)
	}
	for _, tok := range sdkTokens {
		if _, ok := s.Resources[tok]; !ok {
			t.Errorf("schema lacks resource %s", tok)
		}
	}
	pw := s.Resources["random:index/randomPassword:RandomPassword"]
	for _, p := range []string{"length", "special", "upper", "lower", "numeric", "minUpper", "overrideSpecial", "keepers"} {
		if _, ok := pw.InputProperties[p]; !ok {
			t.Errorf("RandomPassword lacks input %q", p)
		}
	}
	if !pw.Properties["result"].Secret || !pw.Properties["bcryptHash"].Secret {
		t.Errorf("RandomPassword result/bcryptHash must be secret: %+v", pw.Properties)
	}
	if strings.Join(pw.RequiredInputs, ",") != "length" {
		t.Errorf("RandomPassword requiredInputs = %v, want [length]", pw.RequiredInputs)
	}
	if !s.Resources["random:index/randomBytes:RandomBytes"].Properties["base64"].Secret {
		t.Errorf("RandomBytes.base64 must be secret")
	}
	checkAgainstNpmSDK(t, s)
}

// checkAgainstNpmSDK compares every resource class of the installed
// @pulumi/random npm package (token + every property name it sends/reads)
// with the served schema.
func checkAgainstNpmSDK(t *testing.T, s packageSchema) {
	dir := "../../../../node_modules/@pulumi/random"
	files, _ := filepath.Glob(filepath.Join(dir, "*.js"))
	if len(files) == 0 {
		t.Logf("npm SDK not found at %s; skipping SDK comparison", dir)
		return
	}
	tokRe := regexp.MustCompile(`__pulumiType = '([^']+)'`)
	propRe := regexp.MustCompile(`resourceInputs\["([A-Za-z0-9_]+)"\]`)
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := tokRe.FindSubmatch(b)
		if m == nil || !strings.Contains(string(m[1]), ":") { // provider.js: "random"
			continue
		}
		tok := string(m[1])
		r, ok := s.Resources[tok]
		if !ok {
			t.Errorf("%s: token %s not in schema", filepath.Base(f), tok)
			continue
		}
		var missing []string
		for _, pm := range propRe.FindAllSubmatch(b, -1) {
			p := string(pm[1])
			_, inOut := r.Properties[p]
			_, inIn := r.InputProperties[p]
			if !inOut && !inIn {
				missing = append(missing, p)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			t.Errorf("%s: properties used by the npm SDK but not in schema: %v", tok, missing)
		}
		checked++
	}
	t.Logf("compared %d npm SDK resource classes with the schema", checked)
	if checked != len(sdkTokens) {
		t.Errorf("compared %d SDK classes, want %d", checked, len(sdkTokens))
	}
}

func TestRandomPasswordCheckCreate(t *testing.T) {
	client := startPlugin(t)
	if _, err := client.Configure(ctx(t), &pulumirpc.ConfigureRequest{
		Args: mustStruct(t, resource.PropertyMap{}), AcceptSecrets: true, AcceptResources: true,
	}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
	urn := "urn:pulumi:test::test::random:index/randomPassword:RandomPassword::pw"
	news := resource.PropertyMap{
		"length":  resource.NewNumberProperty(24),
		"special": resource.NewBoolProperty(false),
	}
	chk, err := client.Check(ctx(t), &pulumirpc.CheckRequest{
		Urn: urn, Olds: mustStruct(t, resource.PropertyMap{}), News: mustStruct(t, news),
		RandomSeed: []byte("0123456789abcdef0123456789abcdef"),
	})
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(chk.GetFailures()) > 0 {
		t.Fatalf("Check failures: %v", chk.GetFailures())
	}
	created, err := client.Create(ctx(t), &pulumirpc.CreateRequest{Urn: urn, Properties: chk.GetInputs()})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	props, err := plugin.UnmarshalProperties(created.GetProperties(),
		plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatal(err)
	}
	res := props["result"]
	if res.IsSecret() {
		res = res.SecretValue().Element
	}
	if !res.IsString() {
		t.Fatalf("result is %v, want a string (props %v)", res, props)
	}
	pw := res.StringValue()
	if len(pw) != 24 {
		t.Errorf("len(result) = %d, want 24", len(pw))
	}
	if regexp.MustCompile(`[^A-Za-z0-9]`).MatchString(pw) {
		t.Errorf("special=false but result has special characters")
	}
	if created.GetId() == "" {
		t.Errorf("empty id")
	}
	t.Logf("created RandomPassword id=%q, result of length %d", created.GetId(), len(pw))

	// Invalid input is reported by the real provider: length must be >= 1.
	bad, err := client.Check(ctx(t), &pulumirpc.CheckRequest{
		Urn: urn, Olds: mustStruct(t, resource.PropertyMap{}),
		News: mustStruct(t, resource.PropertyMap{"length": resource.NewNumberProperty(0)}),
	})
	if err == nil && len(bad.GetFailures()) == 0 {
		t.Errorf("Check(length=0) reported no failure")
	}
	if _, err := client.Delete(ctx(t), &pulumirpc.DeleteRequest{
		Urn: urn, Id: created.GetId(), Properties: created.GetProperties(),
	}); err != nil {
		t.Errorf("Delete: %v", err)
	}
}

func mustStruct(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
