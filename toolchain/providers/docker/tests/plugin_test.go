// Tests that launch the real pulumi-resource-docker binary and talk to it
// over the Pulumi resource-provider gRPC protocol (no mocks).
//
// Binary: $PULUMI_RESOURCE_DOCKER (path), else ../build.sh is run into a
// temp dir (slow: several minutes cold).
package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
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

const wantVersion = "5.0.0"

// Tokens of @pulumi/docker 5.0.0 served by this plugin. docker:index/image:Image
// is a native Go resource of pulumi-docker and is out of scope.
var sdkTokens = []string{
	"docker:index/buildxBuilder:BuildxBuilder",
	"docker:index/container:Container",
	"docker:index/network:Network",
	"docker:index/plugin:Plugin",
	"docker:index/registryImage:RegistryImage",
	"docker:index/remoteImage:RemoteImage",
	"docker:index/secret:Secret",
	"docker:index/service:Service",
	"docker:index/serviceConfig:ServiceConfig",
	"docker:index/tag:Tag",
	"docker:index/volume:Volume",
}

var sdkFunctions = []string{
	"docker:index/getLogs:getLogs",
	"docker:index/getNetwork:getNetwork",
	"docker:index/getPlugin:getPlugin",
	"docker:index/getRegistryImage:getRegistryImage",
	"docker:index/getRegistryImageManifests:getRegistryImageManifests",
	"docker:index/getRemoteImage:getRemoteImage",
}

var builtBinary string

func pluginBinary(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PULUMI_RESOURCE_DOCKER"); p != "" {
		return p
	}
	if builtBinary != "" {
		return builtBinary
	}
	dir, err := os.MkdirTemp("", "bcm-docker-plugin")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("../build.sh", dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("build.sh: %v", err)
	}
	builtBinary = filepath.Join(dir, "pulumi-resource-docker")
	return builtBinary
}

func startPlugin(t *testing.T, env ...string) pulumirpc.ResourceProviderClient {
	t.Helper()
	cmd := exec.Command(pluginBinary(t))
	cmd.Env = append(os.Environ(), env...)
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
	c, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustStruct(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unmarshal(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepSecrets: true, KeepUnknowns: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

type prop struct {
	Secret bool `json:"secret"`
}

type schemaResource struct {
	Properties      map[string]prop `json:"properties"`
	InputProperties map[string]prop `json:"inputProperties"`
	RequiredInputs  []string        `json:"requiredInputs"`
}

type packageSchema struct {
	Name      string                     `json:"name"`
	Version   string                     `json:"version"`
	Resources map[string]schemaResource  `json:"resources"`
	Functions map[string]json.RawMessage `json:"functions"`
	Config    struct {
		Variables map[string]json.RawMessage `json:"variables"`
	} `json:"config"`
	Provider schemaResource `json:"provider"`
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
	if s.Name != "docker" || s.Version != wantVersion {
		t.Errorf("schema name/version = %q/%q", s.Name, s.Version)
	}
	for _, tok := range sdkTokens {
		if _, ok := s.Resources[tok]; !ok {
			t.Errorf("schema lacks resource %s", tok)
		}
	}
	for _, tok := range sdkFunctions {
		if _, ok := s.Functions[tok]; !ok {
			t.Errorf("schema lacks function %s", tok)
		}
	}
	// Provider configuration keys used by config/vars.js and provider.js.
	for _, k := range []string{"host", "sshOpts", "context", "caMaterial", "certMaterial", "keyMaterial",
		"certPath", "registryAuth", "disableDockerDaemonCheck"} {
		if _, ok := s.Config.Variables[k]; !ok {
			t.Errorf("config lacks %q", k)
		}
		if _, ok := s.Provider.InputProperties[k]; !ok {
			t.Errorf("provider inputs lack %q", k)
		}
	}
	if !s.Resources["docker:index/secret:Secret"].Properties["data"].Secret {
		t.Errorf("Secret.data must be secret")
	}
	if got := strings.Join(s.Resources["docker:index/remoteImage:RemoteImage"].RequiredInputs, ","); got != "name" {
		t.Errorf("RemoteImage requiredInputs = %q, want name (no auto-naming of image references)", got)
	}
	for _, r := range []string{"docker:index/network:Network", "docker:index/volume:Volume", "docker:index/secret:Secret"} {
		for _, req := range s.Resources[r].RequiredInputs {
			if req == "name" {
				t.Errorf("%s: name should be optional (auto-named)", r)
			}
		}
	}
	checkAgainstNpmSDK(t, s)
}

// checkAgainstNpmSDK compares every resource class of the installed
// @pulumi/docker npm package (token + every property name it sends/reads)
// with the served schema.
func checkAgainstNpmSDK(t *testing.T, s packageSchema) {
	dir := "../../../../node_modules/@pulumi/docker"
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
		if m == nil || !strings.Contains(string(m[1]), ":") { // provider.js: "docker"
			continue
		}
		tok := string(m[1])
		if tok == "docker:index/image:Image" {
			continue // native resource of pulumi-docker, out of scope
		}
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

func configure(t *testing.T, client pulumirpc.ResourceProviderClient, args resource.PropertyMap) {
	t.Helper()
	if _, err := client.Configure(ctx(t), &pulumirpc.ConfigureRequest{
		Args: mustStruct(t, args), AcceptSecrets: true, AcceptResources: true,
	}); err != nil {
		t.Fatalf("Configure: %v", err)
	}
}

// A replicated Swarm service with convergeConfig must pass Check (upstream
// docker_service has mode.global Default=false with ConflictsWith
// [mode.0.replicated, converge_config]; provider.go drops that default as
// pulumi-docker 5.0.0 does — with bridge v3.137.0 Check passes either way,
// because the bridge does not copy TF defaults into the inputs).
func TestCheckReplicatedService(t *testing.T) {
	client := startPlugin(t)
	configure(t, client, resource.PropertyMap{"disableDockerDaemonCheck": resource.NewBoolProperty(true)})
	urn := "urn:pulumi:test::test::docker:index/service:Service::svc"
	news := resource.NewPropertyMapFromMap(map[string]any{
		"taskSpec": map[string]any{"containerSpec": map[string]any{"image": "nginx:1.27"}},
		"mode":     map[string]any{"replicated": map[string]any{"replicas": 2}},
		"convergeConfig": map[string]any{
			"delay": "7s", "timeout": "3m",
		},
	})
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
	in := unmarshal(t, chk.GetInputs())
	if !in["name"].IsString() || !strings.HasPrefix(in["name"].StringValue(), "svc-") {
		t.Errorf("expected an auto-generated name svc-XXXX, got %v", in["name"])
	}
	// Invalid input is rejected by the real provider schema.
	bad, err := client.Check(ctx(t), &pulumirpc.CheckRequest{
		Urn: urn, Olds: mustStruct(t, resource.PropertyMap{}),
		News: mustStruct(t, resource.NewPropertyMapFromMap(map[string]any{"name": "x"})),
	})
	if err == nil && len(bad.GetFailures()) == 0 {
		t.Errorf("Check without taskSpec reported no failure")
	}
}

// Network preview-create and Diff run the bridge's SDKv2 planning path
// (PlanResourceChangeExtra from _sdkv2compat) without needing a daemon.
func TestNetworkPlanAndDiff(t *testing.T) {
	client := startPlugin(t)
	configure(t, client, resource.PropertyMap{"disableDockerDaemonCheck": resource.NewBoolProperty(true)})
	urn := "urn:pulumi:test::test::docker:index/network:Network::net"
	chk, err := client.Check(ctx(t), &pulumirpc.CheckRequest{
		Urn: urn, Olds: mustStruct(t, resource.PropertyMap{}),
		News: mustStruct(t, resource.NewPropertyMapFromMap(map[string]any{
			"name": "bcm-plan-test", "driver": "bridge", "labels": []any{map[string]any{"label": "a", "value": "b"}},
		})),
	})
	if err != nil || len(chk.GetFailures()) > 0 {
		t.Fatalf("Check: %v %v", err, chk.GetFailures())
	}
	prev, err := client.Create(ctx(t), &pulumirpc.CreateRequest{Urn: urn, Properties: chk.GetInputs(), Preview: true})
	if err != nil {
		t.Fatalf("Create(preview): %v", err)
	}
	pp := unmarshal(t, prev.GetProperties())
	if pp["name"].StringValue() != "bcm-plan-test" || pp["driver"].StringValue() != "bridge" {
		t.Errorf("preview properties: %v", pp)
	}
	if !pp["scope"].IsComputed() && !pp["scope"].IsNull() {
		t.Logf("scope in preview: %v", pp["scope"])
	}
	// A realistic prior state, as Create would have returned it.
	olds := resource.NewPropertyMapFromMap(map[string]any{
		"id": "0123456789ab", "name": "bcm-plan-test", "driver": "bridge", "attachable": false,
		"ingress": false, "internal": false, "ipv6": false, "ipamDriver": "default", "scope": "local",
		"options": map[string]any{}, "labels": []any{map[string]any{"label": "a", "value": "b"}},
		"ipamConfigs": []any{map[string]any{"subnet": "172.30.0.0/16", "gateway": "172.30.0.1",
			"ipRange": "", "auxAddress": map[string]any{}}},
	})
	diff := func(news resource.PropertyMap) *pulumirpc.DiffResponse {
		c, err := client.Check(ctx(t), &pulumirpc.CheckRequest{Urn: urn, Olds: mustStruct(t, olds), News: mustStruct(t, news)})
		if err != nil || len(c.GetFailures()) > 0 {
			t.Fatalf("Check: %v %v", err, c.GetFailures())
		}
		d, err := client.Diff(ctx(t), &pulumirpc.DiffRequest{
			Urn: urn, Id: "0123456789ab", Olds: mustStruct(t, olds), News: c.GetInputs(), OldInputs: chk.GetInputs(),
		})
		if err != nil {
			t.Fatalf("Diff: %v", err)
		}
		return d
	}
	same := diff(resource.NewPropertyMapFromMap(map[string]any{
		"name": "bcm-plan-test", "driver": "bridge", "labels": []any{map[string]any{"label": "a", "value": "b"}},
	}))
	if same.GetChanges() != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("unchanged inputs: changes=%v diffs=%v detailed=%v", same.GetChanges(), same.GetDiffs(), same.GetDetailedDiff())
	}
	changed := diff(resource.NewPropertyMapFromMap(map[string]any{
		"name": "bcm-plan-test", "driver": "overlay", "labels": []any{map[string]any{"label": "a", "value": "b"}},
	}))
	if changed.GetChanges() != pulumirpc.DiffResponse_DIFF_SOME {
		t.Errorf("driver change: changes=%v", changed.GetChanges())
	}
	if fmt.Sprint(changed.GetReplaces()) != "[driver]" {
		t.Errorf("driver change must replace (ForceNew): replaces=%v diffs=%v", changed.GetReplaces(), changed.GetDiffs())
	}
}

// dockerHost returns the daemon address if one answers, else "".
func dockerHost() string {
	host := os.Getenv("DOCKER_HOST")
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	if !strings.HasPrefix(host, "unix://") {
		return host // tcp/ssh: let the provider try
	}
	c, err := net.DialTimeout("unix", strings.TrimPrefix(host, "unix://"), 2*time.Second)
	if err != nil {
		return ""
	}
	c.Close()
	return host
}

// Real Create/Read/Delete of a docker network against the local daemon.
func TestNetworkCreateDelete(t *testing.T) {
	host := dockerHost()
	if host == "" {
		t.Skip("no Docker daemon reachable (DOCKER_HOST or /var/run/docker.sock); skipping real Create/Delete")
	}
	client := startPlugin(t)
	configure(t, client, resource.PropertyMap{"host": resource.NewStringProperty(host)})
	urn := "urn:pulumi:test::test::docker:index/network:Network::bcmnet"
	chk, err := client.Check(ctx(t), &pulumirpc.CheckRequest{
		Urn: urn, Olds: mustStruct(t, resource.PropertyMap{}),
		News: mustStruct(t, resource.NewPropertyMapFromMap(map[string]any{
			"driver": "bridge", "labels": []any{map[string]any{"label": "bcm.test", "value": "provider"}},
		})),
		RandomSeed: []byte(fmt.Sprintf("%032d", time.Now().UnixNano())),
	})
	if err != nil || len(chk.GetFailures()) > 0 {
		t.Fatalf("Check: %v %v", err, chk.GetFailures())
	}
	created, err := client.Create(ctx(t), &pulumirpc.CreateRequest{Urn: urn, Properties: chk.GetInputs()})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	props := unmarshal(t, created.GetProperties())
	name := props["name"].StringValue()
	t.Logf("created network %s id=%s", name, created.GetId())
	t.Cleanup(func() { _ = exec.Command("docker", "network", "rm", name).Run() })
	if created.GetId() == "" || !strings.HasPrefix(name, "bcmnet-") {
		t.Errorf("id=%q name=%q", created.GetId(), name)
	}
	if out, err := exec.Command("docker", "network", "inspect", "-f", "{{.Id}}", name).Output(); err == nil {
		if strings.TrimSpace(string(out)) != created.GetId() {
			t.Errorf("docker network inspect id %q != %q", strings.TrimSpace(string(out)), created.GetId())
		}
	}
	// Data source path: docker.getNetwork({name}).
	inv, err := client.Invoke(ctx(t), &pulumirpc.InvokeRequest{
		Tok:  "docker:index/getNetwork:getNetwork",
		Args: mustStruct(t, resource.NewPropertyMapFromMap(map[string]any{"name": name})),
	})
	if err != nil || len(inv.GetFailures()) > 0 {
		t.Errorf("Invoke getNetwork: %v %v", err, inv.GetFailures())
	} else if got := unmarshal(t, inv.GetReturn()); got["id"].StringValue() != created.GetId() || got["driver"].StringValue() != "bridge" {
		t.Errorf("getNetwork returned %v", got)
	}
	read, err := client.Read(ctx(t), &pulumirpc.ReadRequest{Urn: urn, Id: created.GetId(), Properties: created.GetProperties(), Inputs: chk.GetInputs()})
	if err != nil || read.GetId() != created.GetId() {
		t.Errorf("Read: %v id=%q", err, read.GetId())
	}
	if _, err := client.Delete(ctx(t), &pulumirpc.DeleteRequest{
		Urn: urn, Id: created.GetId(), Properties: created.GetProperties(), OldInputs: chk.GetInputs(),
	}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := exec.Command("docker", "network", "inspect", name).Run(); err == nil {
		t.Errorf("network %s still exists after Delete", name)
	}
}
