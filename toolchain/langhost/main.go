// Command pulumi-language-nodejs is BCM's Node.js language host for the Pulumi engine.
//
// Pulumi's own host lives in a Go module (github.com/pulumi/pulumi/sdk/nodejs/cmd/
// pulumi-language-nodejs/v3) that the module proxy these machines reach does not serve,
// and the last copy inside sdk/v3 (v3.68.0) predates RunPlugin, which policy packs need.
// So this host is ours: a small gRPC server on the SDK's own protocol definitions that
// runs programs, policy packs and plugins with the scripts the @pulumi/pulumi npm package
// ships (cmd/run, cmd/run-policy-pack, cmd/run-plugin).
package main

import (
	"fmt"
	"os"
	"strings"

	"bcm.invalid/toolchain/enginewatch"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

func main() {
	engineAddress, tracing := parseArgs(os.Args[1:])
	host := &nodeHost{engineAddress: engineAddress, tracing: tracing}

	cancel := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
		Options: rpcutil.OpenTracingServerInterceptorOptions(nil),
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of standard output.
	fmt.Printf("%d\n", handle.Port)
	// Nothing tells a language host that a killed engine is gone: watch it, and end this
	// host with the program and policy packs it runs (they are in its process group).
	enginewatch.ExitWhenEngineGone("pulumi-language-nodejs", os.Args[1:], nil)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

// parseArgs takes the engine's address (the last positional argument) and the optional
// `-tracing=<url>` flag; other flags older engines pass are accepted and ignored.
func parseArgs(args []string) (engineAddress, tracing string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case strings.HasPrefix(a, "-tracing="), strings.HasPrefix(a, "--tracing="):
			tracing = a[strings.Index(a, "=")+1:]
		case a == "-tracing" || a == "--tracing":
			if i+1 < len(args) {
				tracing = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "-"):
			// e.g. -root=..., -typescript=...: runtime options now come with each request.
		default:
			engineAddress = a
		}
	}
	return engineAddress, tracing
}
