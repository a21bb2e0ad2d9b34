// Package docker holds the Pulumi bridge configuration (ProviderInfo) for
// kreuzwerker/terraform-provider-docker (its SDKv2 half), written for this
// project. Tokens and names follow the @pulumi/docker 5.0.0 npm SDK.
package docker

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"
	shimv2 "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfshim/sdk-v2"

	shim "github.com/terraform-providers/terraform-provider-docker/shim"
)

// Version is set at link time: -X bcm.invalid/toolchain/providers/docker.Version=5.0.0
// (no leading "v").
var Version = "5.0.0"

// upstreamProvider returns the upstream SDKv2 provider with the one schema
// change pulumi-docker 5.0.0 also makes (its patch "Remove service default"):
// docker_service mode.global loses `Default: false` (which sits next to
// ConflictsWith(mode.0.replicated, converge_config)). Kept for parity with
// pulumi-docker; with bridge v3.137.0 we saw no behaviour difference in
// Check or Diff either way (see tests).
func upstreamProvider() *schema.Provider {
	p := shim.NewProvider(Version)
	if svc, ok := p.ResourcesMap["docker_service"]; ok {
		if mode, ok := svc.Schema["mode"]; ok {
			if elem, ok := mode.Elem.(*schema.Resource); ok {
				if global, ok := elem.Schema["global"]; ok {
					global.Default = nil
				}
			}
		}
	}
	return p
}

// Provider returns the bridge ProviderInfo. metadata is the content of
// bridge-metadata.json produced by our tfgen (nil/empty is accepted).
func Provider(metadata []byte) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:            shimv2.NewProvider(upstreamProvider()),
		Name:         "docker",
		Version:      Version,
		DisplayName:  "Docker",
		Publisher:    "Pulumi",
		Description:  "A Pulumi package for interacting with Docker in Pulumi programs",
		Keywords:     []string{"pulumi", "docker"},
		License:      "Apache-2.0",
		Homepage:     "https://pulumi.io",
		Repository:   "https://github.com/pulumi/pulumi-docker",
		GitHubOrg:    "kreuzwerker",
		MetadataInfo: tfbridge.NewProviderMetadata(metadata),
		Config: map[string]*tfbridge.SchemaInfo{
			// The npm SDK reads DOCKER_HOST itself (config/vars.js, provider.js).
			"host": {Default: &tfbridge.DefaultInfo{EnvVars: []string{"DOCKER_HOST"}}},
			// Not pluralised: the npm SDK uses config key "docker:registryAuth"
			// and provider input "registryAuth".
			"registry_auth": {Name: "registryAuth"},
		},
		// Explicit tokens for every resource the project relies on; names
		// that differ from the TF name on purpose: docker_image ->
		// RemoteImage (docker.Image is pulumi-docker's native Go resource),
		// docker_config -> ServiceConfig.
		Resources: map[string]*tfbridge.ResourceInfo{
			"docker_container": {
				Tok: tfbridge.MakeResource("docker", "index", "Container"),
				// The npm SDK keeps these list names singular
				// (the bridge would pluralise them to commands/networksAdvanceds).
				Fields: map[string]*tfbridge.SchemaInfo{
					"command":           {Name: "command"},
					"networks_advanced": {Name: "networksAdvanced"},
				},
			},
			"docker_image": {
				Tok: tfbridge.MakeResource("docker", "index", "RemoteImage"),
				// "name" is the image reference (e.g. nginx:1.27): required,
				// never auto-named (SetAutonaming skips fields listed here).
				Fields: map[string]*tfbridge.SchemaInfo{"name": {Name: "name"}},
			},
			"docker_registry_image": {Tok: tfbridge.MakeResource("docker", "index", "RegistryImage")},
			"docker_network":        {Tok: tfbridge.MakeResource("docker", "index", "Network")},
			"docker_volume":         {Tok: tfbridge.MakeResource("docker", "index", "Volume")},
			"docker_config":         {Tok: tfbridge.MakeResource("docker", "index", "ServiceConfig")},
			"docker_secret":         {Tok: tfbridge.MakeResource("docker", "index", "Secret")},
			"docker_service":        {Tok: tfbridge.MakeResource("docker", "index", "Service")},
			"docker_plugin":         {Tok: tfbridge.MakeResource("docker", "index", "Plugin")},
			"docker_tag":            {Tok: tfbridge.MakeResource("docker", "index", "Tag")},
		},
		DataSources: map[string]*tfbridge.DataSourceInfo{
			"docker_image": {Tok: tfbridge.MakeDataSource("docker", "index", "getRemoteImage")},
		},
		JavaScript: &tfbridge.JavaScriptInfo{
			PackageName:  "@pulumi/docker",
			Dependencies: map[string]string{"@pulumi/pulumi": "^3.0.0"},
		},
	}
	// Everything else (docker_buildx_builder, the remaining data sources
	// docker_network -> getNetwork, docker_logs -> getLogs, ...) gets the
	// standard docker:index/<name>:<Name> / docker:index/get<Name>:get<Name>.
	info.MustComputeTokens(tokens.SingleModule("docker_", "index", tokens.MakeStandard("docker")))
	// Pulumi auto-names every string input called "name" (255 chars max,
	// "-" separator), so e.g. docker.Network's name is optional.
	info.SetAutonaming(255, "-")
	info.MustApplyAutoAliases()
	return info
}
