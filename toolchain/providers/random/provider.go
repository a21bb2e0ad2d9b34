// Package random holds the Pulumi bridge configuration (ProviderInfo) for
// terraform-provider-random, written for this project. It maps every TF
// resource "random_<x>" to the token "random:index/<x>:<X>" that the
// @pulumi/random npm SDK uses (e.g. random_password ->
// random:index/randomPassword:RandomPassword).
package random

import (
	"context"
	_ "embed" // for bridge metadata

	pftfbridge "github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge"
	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/tfbridge/tokens"

	shim "github.com/terraform-providers/terraform-provider-random/shim"
)

// Version is set at link time: -X bcm.invalid/toolchain/providers/random.Version=4.21.1
// (no leading "v"; the bridge parses it with semver.ParseTolerant).
var Version = "4.21.1"

// Provider returns the bridge ProviderInfo. metadata is the content of
// bridge-metadata.json produced by our tfgen (nil/empty is accepted: tfgen
// starts from an empty store).
func Provider(metadata []byte) tfbridge.ProviderInfo {
	info := tfbridge.ProviderInfo{
		P:                 pftfbridge.ShimProvider(shim.NewProvider()),
		Name:              "random",
		Version:           Version,
		DisplayName:       "random",
		Publisher:         "Pulumi",
		Description:       "A Pulumi package to safely use randomness in Pulumi programs.",
		Keywords:          []string{"pulumi", "random"},
		License:           "Apache-2.0",
		Homepage:          "https://pulumi.io",
		Repository:        "https://github.com/pulumi/pulumi-random",
		GitHubOrg:         "hashicorp",
		TFProviderLicense: ref(tfbridge.MPL20LicenseType),
		MetadataInfo:      tfbridge.NewProviderMetadata(metadata),
		// Resources that need nothing but a token are filled in by
		// MustComputeTokens below. Listed explicitly so that a renamed or
		// removed upstream resource breaks the build instead of silently
		// changing a token the npm SDK relies on.
		Resources: map[string]*tfbridge.ResourceInfo{
			"random_bytes":    {Tok: "random:index/randomBytes:RandomBytes"},
			"random_id":       {Tok: "random:index/randomId:RandomId"},
			"random_integer":  {Tok: "random:index/randomInteger:RandomInteger"},
			"random_password": {Tok: "random:index/randomPassword:RandomPassword"},
			"random_pet":      {Tok: "random:index/randomPet:RandomPet"},
			"random_shuffle":  {Tok: "random:index/randomShuffle:RandomShuffle"},
			"random_string":   {Tok: "random:index/randomString:RandomString"},
			"random_uuid":     {Tok: "random:index/randomUuid:RandomUuid"},
		},
		JavaScript: &tfbridge.JavaScriptInfo{
			PackageName: "@pulumi/random",
			Dependencies: map[string]string{
				"@pulumi/pulumi": "^3.0.0",
			},
		},
	}
	// Everything else (random_uuid4, random_uuid7, any future resource)
	// gets the same shape of token. Note the "random" prefix is kept in the
	// name (random_uuid4 -> random:index/randomUuid4:RandomUuid4, as in the
	// npm SDK); tokens.MakeStandard alone would yield random:index/uuid4:Uuid4
	// (KnownModules hands Make the upper-camel name without the prefix, "Uuid4").
	std := tokens.MakeStandard("random")
	info.MustComputeTokens(tokens.SingleModule("random_", "index",
		func(module, name string) (string, error) { return std(module, "Random"+name) }))
	info.MustApplyAutoAliases()
	return info
}

// Validate is a convenience for tests: it checks the ProviderInfo against
// the TF schema the same way tfgen does.
func Validate(ctx context.Context, info tfbridge.ProviderInfo) error { return info.Validate(ctx) }

func ref[T any](v T) *T { return &v }
