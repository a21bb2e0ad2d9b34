// Command pulumi-resource-command is this project's own implementation of the
// `command` resource provider (local:Command, remote:Command,
// remote:CopyToRemote, remote:CopyFile and the local:run invoke), serving the
// schema of the @pulumi/command 1.2.1 SDK. It exists because the upstream
// provider's Go modules are not available to the build.
package main

import (
	"fmt"
	"os"

	"bcm.invalid/toolchain/enginewatch"
	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is set at build time: -ldflags "-X main.version=1.2.1". It must
// match the SDK's plugin version, which the engine asks for by name+version.
var version = "1.2.1"

func main() {
	// provider.Main checks the engine only every 5 minutes; a killed engine must not leave
	// this provider (or the commands it runs) behind for that long.
	enginewatch.ExitWhenEngineGone("pulumi-resource-command", os.Args[1:], killRunningGroups)
	err := provider.Main("command", func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		if host == nil { // attach mode: no engine to log to
			return newServer(nil), nil
		}
		return newServer(host), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
