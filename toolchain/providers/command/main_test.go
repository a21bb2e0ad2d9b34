package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// TestMain lets the test binary act as the plugin itself (re-exec with
// BCM_COMMAND_PROVIDER_MAIN=1), so the real main() and gRPC plumbing are
// tested without a separate build.
func TestMain(m *testing.M) {
	if os.Getenv("BCM_COMMAND_PROVIDER_MAIN") == "1" {
		os.Args = os.Args[:1]
		main()
		return
	}
	os.Exit(m.Run())
}

func TestPluginServesOverGRPC(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// No engine address: provider.Main starts in attach mode and prints the
	// port it listens on, which is the plugin handshake the engine reads.
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), "BCM_COMMAND_PROVIDER_MAIN=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	portCh := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		portCh <- strings.TrimSpace(line)
	}()
	var port string
	select {
	case port = <-portCh:
	case <-time.After(20 * time.Second):
		t.Fatal("plugin printed no port")
	}

	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := pulumirpc.NewResourceProviderClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	info, err := client.GetPluginInfo(ctx, &emptypb.Empty{})
	if err != nil || info.GetVersion() != version {
		t.Fatalf("GetPluginInfo = %v, %v", info, err)
	}
	cfg, err := client.Configure(ctx, &pulumirpc.ConfigureRequest{Variables: map[string]string{"command:unknownKey": "x"}})
	if err != nil || !cfg.GetAcceptSecrets() || !cfg.GetAcceptResources() || !cfg.GetSupportsPreview() {
		t.Fatalf("Configure = %v, %v", cfg, err)
	}
	schema, err := client.GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	if err != nil || !strings.Contains(schema.GetSchema(), `"name": "command"`) {
		t.Fatalf("GetSchema: %v", err)
	}
	created, err := client.Create(ctx, &pulumirpc.CreateRequest{
		Urn: urnFor(tokLocalCommand, "grpc"), Properties: wire(t, props(map[string]any{"create": "echo over grpc"})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := out(t, unwire(t, created.GetProperties()), "stdout"); got != "over grpc" {
		t.Errorf("stdout = %q", got)
	}
}
