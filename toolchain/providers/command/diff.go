package main

import (
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// diffInputs decides what a change of inputs means for a resource.
//
// Upstream pulumi-command: every input change is an in-place update (which
// re-runs `update`, or `create` when `update` is unset) except `triggers`,
// whose change replaces the resource; the SDKs also register
// replaceOnChanges: ["triggers[*]"], so the engine replaces on trigger changes
// whatever a provider says. Secretness alone is not a change: a value that
// merely became secret does not re-run a command.
func diffInputs(token string, olds, news resource.PropertyMap, ignore []string) *pulumirpc.DiffResponse {
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		HasDetailedDiff: true,
		DetailedDiff:    map[string]*pulumirpc.PropertyDiff{},
	}
	for _, name := range inputNames(token) {
		if slices.Contains(ignore, name) {
			continue
		}
		key := resource.PropertyKey(name)
		o, hadOld := olds[key]
		n, hasNew := news[key]
		hadOld = hadOld && !o.IsNull()
		hasNew = hasNew && !n.IsNull()
		if !hadOld && !hasNew {
			continue
		}
		if hadOld && hasNew && !n.ContainsUnknowns() && plain(o).DeepEquals(plain(n)) {
			continue
		}

		replace := name == "triggers"
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !hadOld:
			kind = pulumirpc.PropertyDiff_ADD
		case !hasNew:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if replace {
			kind++ // every *_REPLACE kind directly follows its plain kind
			resp.Replaces = append(resp.Replaces, name)
		}
		resp.Diffs = append(resp.Diffs, name)
		resp.DetailedDiff[name] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp
}

// oldInputsOf returns the inputs a resource was last applied with. Engines
// that send old inputs are preferred; otherwise the state is used, since every
// input is echoed into the outputs.
func oldInputsOf(token string, oldInputs, state resource.PropertyMap) resource.PropertyMap {
	if len(oldInputs) > 0 {
		return oldInputs
	}
	out := resource.PropertyMap{}
	for _, name := range inputNames(token) {
		if v, ok := state[resource.PropertyKey(name)]; ok {
			out[resource.PropertyKey(name)] = v
		}
	}
	return out
}
