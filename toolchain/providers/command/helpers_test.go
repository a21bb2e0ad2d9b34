package main

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

// recorder stands in for the engine's log service and keeps what it got.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) Log(_ context.Context, sev diag.Severity, urn resource.URN, msg string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	name := ""
	if urn != "" {
		name = urn.Name()
	}
	r.lines = append(r.lines, string(sev)+"|"+name+"|"+msg)
	return nil
}

func (r *recorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.lines, "\n")
}

func newTestServer() (*server, *recorder) {
	rec := &recorder{}
	return newServer(rec), rec
}

func urnFor(token, name string) string {
	return string(resource.NewURN("dev", "bcm", "", tokens.Type(token), name))
}

// props builds a property map from Go values; secret(...) wraps a value.
func props(m map[string]any) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range m {
		if pv, ok := v.(resource.PropertyValue); ok {
			out[resource.PropertyKey(k)] = pv
		} else {
			out[resource.PropertyKey(k)] = resource.NewPropertyValue(v)
		}
	}
	return out
}

func secret(v any) resource.PropertyValue {
	if pv, ok := v.(resource.PropertyValue); ok {
		return resource.MakeSecret(pv)
	}
	return resource.MakeSecret(resource.NewPropertyValue(v))
}

func wire(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unwire(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := unmarshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The helpers below go through the gRPC methods with wire-encoded
// properties, the way the engine calls the provider.

func doCheck(t *testing.T, s *server, token string, in resource.PropertyMap) *pulumirpc.CheckResponse {
	t.Helper()
	resp, err := s.Check(context.Background(), &pulumirpc.CheckRequest{Urn: urnFor(token, "r"), News: wire(t, in)})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func doCreate(t *testing.T, s *server, token string, in resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	t.Helper()
	resp, err := s.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: urnFor(token, "r"), Properties: wire(t, in), Preview: preview,
	})
	if err != nil {
		return "", nil, err
	}
	return resp.GetId(), unwire(t, resp.GetProperties()), nil
}

func doUpdate(t *testing.T, s *server, token string, olds, news resource.PropertyMap, preview bool) (resource.PropertyMap, error) {
	t.Helper()
	resp, err := s.Update(context.Background(), &pulumirpc.UpdateRequest{
		Urn: urnFor(token, "r"), Id: "r-1", Olds: wire(t, olds), News: wire(t, news), Preview: preview,
	})
	if err != nil {
		return nil, err
	}
	return unwire(t, resp.GetProperties()), nil
}

func doDelete(t *testing.T, s *server, token string, state resource.PropertyMap) error {
	t.Helper()
	_, err := s.Delete(context.Background(), &pulumirpc.DeleteRequest{
		Urn: urnFor(token, "r"), Id: "r-1", Properties: wire(t, state),
	})
	return err
}

func doDiff(t *testing.T, s *server, token string, olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	t.Helper()
	resp, err := s.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn: urnFor(token, "r"), Id: "r-1", Olds: wire(t, olds), News: wire(t, news),
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// out reads a string output, reporting whether it was secret.
func out(t *testing.T, state resource.PropertyMap, key string) (string, bool) {
	t.Helper()
	v, ok := state[resource.PropertyKey(key)]
	if !ok {
		t.Fatalf("output %q missing from %v", key, state)
	}
	isSecret := v.IsSecret()
	v = plain(v)
	if !v.IsString() {
		t.Fatalf("output %q is %s, not a string", key, v.TypeString())
	}
	return v.StringValue(), isSecret
}
