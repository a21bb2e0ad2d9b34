// This file is NOT part of the bcm.invalid/toolchain/providers/docker module
// (directories starting with "_" are ignored by the go tool). build.sh adds it
// to package github.com/hashicorp/terraform-plugin-sdk/v2/helper/schema with
// `go build -overlay`, because pulumi-terraform-bridge's pkg/tfshim/sdk-v2
// is written against Pulumi's fork of terraform-plugin-sdk/v2
// (github.com/pulumi/terraform-plugin-sdk/v2), which the module proxy here
// does not serve. Against upstream hashicorp/terraform-plugin-sdk/v2 v2.40.1
// the bridge fails to compile with exactly:
//
//	pkg/tfshim/sdk-v2/cty.go:58:21: undefined: schema.HCL2ValueFromConfigValue
//	pkg/tfshim/sdk-v2/provider2.go:61:22: undefined: schema.HCL2ValueFromConfigValue
//	pkg/tfshim/sdk-v2/provider2.go:609:17: undefined: schema.PlanResourceChangeExtraRequest
//	pkg/tfshim/sdk-v2/provider2.go:638:25: s.gserver.PlanResourceChangeExtra undefined
//
// This file supplies those three identifiers. It was written for this
// project from the bridge's call sites (it is not a copy of the fork).
//
// Semantics of PlanResourceChangeExtra here: the planned state, private data,
// RequiresReplace and diagnostics are exactly those of upstream
// PlanResourceChange; InstanceDiff is the legacy diff that PlanResourceChange
// computes internally (Resource.SimpleDiff on the same prior state and
// proposed config), recomputed here because upstream does not expose it,
// then passed through TransformInstanceDiff. Known difference from the fork:
// TransformInstanceDiff (the bridge uses it for resource-level
// ignoreChanges) affects only the returned InstanceDiff, not the planned
// state. The Pulumi engine already applies ignoreChanges to inputs before it
// calls Diff/Update, so only ignoreChanges on provider-computed values behave
// differently. CustomizeDiff functions run twice per plan.

package schema

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/go-cty/cty"
	"github.com/hashicorp/go-cty/cty/msgpack"
	"github.com/hashicorp/terraform-plugin-go/tfprotov5"

	"github.com/hashicorp/terraform-plugin-sdk/v2/internal/configs/hcl2shim"
	"github.com/hashicorp/terraform-plugin-sdk/v2/terraform"
)

// HCL2ValueFromConfigValue converts a legacy config value (as found in
// terraform.ResourceConfig.Raw) to an approximate cty.Value.
func HCL2ValueFromConfigValue(v interface{}) cty.Value {
	return hcl2shim.HCL2ValueFromConfigValue(v)
}

// PlanResourceChangeExtraRequest is a PlanResourceChange request plus a hook
// that may rewrite the legacy InstanceDiff.
type PlanResourceChangeExtraRequest struct {
	tfprotov5.PlanResourceChangeRequest

	TransformInstanceDiff func(*terraform.InstanceDiff) *terraform.InstanceDiff
}

// PlanResourceChangeExtraResponse is a PlanResourceChange response plus the
// legacy InstanceDiff behind the plan (never nil when there are no error
// diagnostics).
type PlanResourceChangeExtraResponse struct {
	tfprotov5.PlanResourceChangeResponse

	InstanceDiff *terraform.InstanceDiff
}

// PlanResourceChangeExtra plans like PlanResourceChange and also returns the
// legacy InstanceDiff.
func (s *GRPCProviderServer) PlanResourceChangeExtra(
	ctx context.Context, req *PlanResourceChangeExtraRequest,
) (*PlanResourceChangeExtraResponse, error) {
	out := &PlanResourceChangeExtraResponse{}
	resp, err := s.PlanResourceChange(ctx, &req.PlanResourceChangeRequest)
	if resp != nil {
		out.PlanResourceChangeResponse = *resp
	}
	if err != nil || bcmHasErrors(out.Diagnostics) {
		return out, err
	}
	diff, err := s.bcmLegacyPlanDiff(ctx, &req.PlanResourceChangeRequest)
	if err != nil {
		out.Diagnostics = append(out.Diagnostics, &tfprotov5.Diagnostic{
			Severity: tfprotov5.DiagnosticSeverityError,
			Summary:  "computing the legacy diff for the Pulumi bridge: " + err.Error(),
		})
		return out, nil
	}
	if req.TransformInstanceDiff != nil {
		diff = req.TransformInstanceDiff(diff)
	}
	if diff == nil {
		diff = terraform.NewInstanceDiff()
	}
	if diff.Attributes == nil {
		diff.Attributes = map[string]*terraform.ResourceAttrDiff{}
	}
	out.InstanceDiff = diff
	return out, nil
}

// bcmLegacyPlanDiff rebuilds the inputs of Resource.SimpleDiff the way
// upstream PlanResourceChange does (v2.40.1) and returns its result.
func (s *GRPCProviderServer) bcmLegacyPlanDiff(
	ctx context.Context, req *tfprotov5.PlanResourceChangeRequest,
) (*terraform.InstanceDiff, error) {
	res, ok := s.provider.ResourcesMap[req.TypeName]
	if !ok {
		return terraform.NewInstanceDiff(), nil // PlanResourceChange reported it
	}
	schemaBlock := s.getResourceSchemaBlock(req.TypeName)
	ty := schemaBlock.ImpliedType()

	priorStateVal, err := msgpack.Unmarshal(req.PriorState.MsgPack, ty)
	if err != nil {
		return nil, err
	}
	proposedNewStateVal, err := msgpack.Unmarshal(req.ProposedNewState.MsgPack, ty)
	if err != nil {
		return nil, err
	}
	if proposedNewStateVal.IsNull() { // destroy
		d := terraform.NewInstanceDiff()
		d.Destroy = true
		return d, nil
	}
	configVal, err := msgpack.Unmarshal(req.Config.MsgPack, ty)
	if err != nil {
		return nil, err
	}
	create := priorStateVal.IsNull()

	priorState, err := res.ShimInstanceStateFromValue(priorStateVal)
	if err != nil {
		return nil, err
	}
	priorState.RawState = priorStateVal
	priorState.RawPlan = proposedNewStateVal
	priorState.RawConfig = configVal
	priorPrivate := map[string]interface{}{}
	if len(req.PriorPrivate) > 0 {
		if err := json.Unmarshal(req.PriorPrivate, &priorPrivate); err != nil {
			return nil, err
		}
	}
	priorState.Meta = priorPrivate
	if pm := s.getProviderMetaSchemaBlock(); pm != nil && req.ProviderMeta != nil {
		v, err := msgpack.Unmarshal(req.ProviderMeta.MsgPack, pm.ImpliedType())
		if err != nil {
			return nil, err
		}
		priorState.ProviderMeta = v
	}
	if req.PriorIdentity != nil && req.PriorIdentity.IdentityData != nil {
		idBlock, err := s.getResourceIdentitySchemaBlock(req.TypeName)
		if err != nil {
			return nil, err
		}
		idVal, err := msgpack.Unmarshal(req.PriorIdentity.IdentityData.MsgPack, idBlock.ImpliedType())
		if err != nil {
			return nil, err
		}
		priorState.Identity = hcl2shim.FlatmapValueFromHCL2(idVal)
	}

	cfg := terraform.NewResourceConfigShimmed(proposedNewStateVal, schemaBlock)
	diff, err := res.SimpleDiff(ctx, priorState, cfg, s.provider.Meta())
	if err != nil {
		return nil, err
	}
	if diff == nil {
		diff = terraform.NewInstanceDiff()
	}
	if create {
		if diff.Attributes == nil {
			diff.Attributes = map[string]*terraform.ResourceAttrDiff{}
		}
		diff.Attributes["id"] = &terraform.ResourceAttrDiff{NewComputed: true}
	}
	return diff, nil
}

func bcmHasErrors(diags []*tfprotov5.Diagnostic) bool {
	for _, d := range diags {
		if d != nil && d.Severity == tfprotov5.DiagnosticSeverityError {
			return true
		}
	}
	return false
}
