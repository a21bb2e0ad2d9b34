package main

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

func TestSecretStringsSpareConnectionHostAndUser(t *testing.T) {
	raw := props(map[string]any{
		"connection": secret(resource.NewPropertyValue(map[string]any{
			"host": "10.0.0.5", "user": "root", "password": "pw-secret",
			"proxy": map[string]any{"host": "bastion", "privateKey": "KEY-DATA"},
		})),
		"environment": map[string]any{"A": secret("env-secret"), "B": "plain"},
		"create":      "echo",
	})
	got := secretStrings(raw)
	slices.Sort(got)
	if want := []string{"KEY-DATA", "env-secret", "pw-secret"}; !slices.Equal(got, want) {
		t.Errorf("secretStrings = %v, want %v", got, want)
	}
}
