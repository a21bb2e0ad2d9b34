// Package shim exposes the internal constructor of terraform-provider-random.
//
// This module's path is github.com/terraform-providers/terraform-provider-random/shim,
// i.e. it lives "inside" the upstream module path, which makes importing
// .../internal/provider legal for Go's internal-package rule. It is consumed
// through `replace github.com/terraform-providers/terraform-provider-random/shim => ./shim`
// in the parent module. Written for this project (not copied from pulumi-random).
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"

	upstream "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns a fresh instance of the upstream Plugin Framework provider.
func NewProvider() provider.Provider { return upstream.New() }
