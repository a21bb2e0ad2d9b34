// Command tfgen generates the Pulumi package schema (schema.json) and
// bridge-metadata.json for the docker provider:
//
//	go run ./cmd/tfgen schema --skip-examples --out cmd/pulumi-resource-docker
//
// Set UPSTREAM_REPO_PATH to the terraform-provider-docker module directory
// (build.sh does, via `go list -m`) so that descriptions are taken from the
// upstream docs/ without any network access.
package main

import (
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfgen"

	docker "bcm.invalid/toolchain/providers/docker"
)

func main() {
	info := docker.Provider(nil)
	if p := os.Getenv("UPSTREAM_REPO_PATH"); p != "" {
		info.UpstreamRepoPath = p
	}
	tfgen.Main("docker", info.Version, info)
}
