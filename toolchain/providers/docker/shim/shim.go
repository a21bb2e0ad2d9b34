// Package shim exposes the internal SDKv2 constructor of
// kreuzwerker/terraform-provider-docker.
//
// Its import path, github.com/terraform-providers/terraform-provider-docker/shim,
// is under the upstream module path, so Go's internal-package rule (which
// compares import paths) allows importing .../internal/provider even though
// this is a separate module. It is wired in with
// `replace github.com/terraform-providers/terraform-provider-docker/shim => ./shim`.
// Written for this project (not copied from pulumi-docker).
package shim

import (
	"github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema"

	upstream "github.com/terraform-providers/terraform-provider-docker/internal/provider"
)

// NewProvider returns the upstream SDKv2 provider (resources docker_container,
// docker_image, docker_network, docker_service, ...). The Plugin Framework
// half of the upstream mux (docker_compose, the docker_containers and
// docker_registry_image_tags data sources, actions) is not exposed.
func NewProvider(version string) *schema.Provider { return upstream.New(version)() }
