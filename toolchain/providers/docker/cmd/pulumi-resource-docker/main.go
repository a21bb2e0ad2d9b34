// Command pulumi-resource-docker is the Pulumi resource plugin for "docker",
// bridging kreuzwerker/terraform-provider-docker (SDKv2 resources) through
// the Terraform bridge. schema.json and bridge-metadata.json in this
// directory are generated at build time by ../tfgen (see ../../build.sh) and
// are not committed.
package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"os"

	"bcm.invalid/toolchain/enginewatch"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"

	docker "bcm.invalid/toolchain/providers/docker"
)

//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

func main() {
	// The bridge's provider.Main checks the engine only every 5 minutes; a killed engine
	// must not leave this plugin behind for that long.
	enginewatch.ExitWhenEngineGone("pulumi-resource-docker", os.Args[1:], nil)
	info := docker.Provider(metadata)
	spec, err := withVersion(schema, info.Version)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-docker: embedded schema.json: %v\n", err)
		os.Exit(1)
	}
	tfbridge.Main("docker", info.Version, info, spec)
}

// withVersion sets the top-level "version" of the package schema (tfgen
// omits it so that the generated file does not depend on the version).
func withVersion(spec []byte, version string) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(spec, &m); err != nil {
		return nil, err
	}
	v, err := json.Marshal(version)
	if err != nil {
		return nil, err
	}
	m["version"] = v
	return json.Marshal(m)
}
