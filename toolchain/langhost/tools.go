//go:build tools

// Package tools pins the Node.js language host. The host's own module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
// served by the module proxy these machines reach; v3.68.0 is the newest sdk/v3
// release that still carried the host inside the sdk/v3 module, so it is built
// from there. The CLI falls back gracefully for the RPCs added since
// (GetRequiredPackages, Handshake, RuntimeOptionsPrompts, ...).
package tools

import (
	_ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
)
