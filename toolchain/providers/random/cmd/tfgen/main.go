// Command tfgen generates the Pulumi package schema (schema.json) and
// bridge-metadata.json for the random provider:
//
//	go run ./cmd/tfgen schema --out cmd/pulumi-resource-random
//
// Set UPSTREAM_REPO_PATH to the terraform-provider-random module directory
// (build.sh does, via `go list -m`) so that descriptions are taken from the
// upstream docs/ without any network access.
package main

import (
	"os"

	pftfgen "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	random "bcm.invalid/toolchain/providers/random"
)

func main() {
	info := random.Provider(nil)
	if p := os.Getenv("UPSTREAM_REPO_PATH"); p != "" {
		info.UpstreamRepoPath = p
	}
	pftfgen.Main("random", info)
}
