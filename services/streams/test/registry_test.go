package test

import (
	"fmt"
	"sync"
	"testing"
)

const sr = "application/vnd.schemaregistry.v1+json"

const userV1 = `{"type":"record","name":"User","namespace":"bcm.test","fields":[{"name":"name","type":"string"}]}`

// The same schema laid out otherwise: the same content.
const userV1Spaced = `{ "namespace": "bcm.test", "type": "record", "name": "User",
  "fields": [ { "type": "string", "name": "name" } ] }`

// A field with a default: BACKWARD compatible with v1.
const userV2 = `{"type":"record","name":"User","namespace":"bcm.test","fields":[{"name":"name","type":"string"},{"name":"age","type":"int","default":0}]}`

// A field without a default: not BACKWARD compatible (v2 cannot read v1 data).
const userBad = `{"type":"record","name":"User","namespace":"bcm.test","fields":[{"name":"name","type":"string"},{"name":"email","type":"string"}]}`

type idAnswer struct {
	ID int `json:"id"`
}

type versionAnswer struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
	Schema  string `json:"schema"`
}

type errAnswer struct {
	Code    int    `json:"error_code"`
	Message string `json:"message"`
}

func register(t *testing.T, base, subject, schema string) (int, idAnswer, errAnswer) {
	t.Helper()
	var ok idAnswer
	var raw map[string]any
	status := call(t, "POST", base+"/subjects/"+subject+"/versions", sr, map[string]string{"schema": schema}, &raw)
	var e errAnswer
	if status == 200 {
		ok.ID = int(raw["id"].(float64))
	} else {
		e.Code = int(raw["error_code"].(float64))
		e.Message = raw["message"].(string)
	}
	return status, ok, e
}

// Two registry instances on one _schemas topic, as the tier runs them: what one registers,
// the other serves; content gets one id however it is laid out; BACKWARD compatibility is
// enforced until the subject's level says NONE; errors carry Confluent's codes.
func TestRegistryTwoInstances(t *testing.T) {
	topic := "_schemas_two"
	a, b := registryInstance(t, topic), registryInstance(t, topic)

	status, first, _ := register(t, a, "users-value", userV1)
	must(t, status, 200, "register v1 on a")
	var byID map[string]any
	must(t, call(t, "GET", fmt.Sprintf("%s/schemas/ids/%d", b, first.ID), "", nil, &byID), 200, "schema by id on b")
	if byID["schema"] != userV1 || byID["schemaType"] != nil {
		t.Fatalf("b's schema %d: %v", first.ID, byID)
	}
	status, again, _ := register(t, b, "users-value", userV1Spaced)
	must(t, status, 200, "the same content on b")
	if again.ID != first.ID {
		t.Fatalf("the same content got id %d, then %d", first.ID, again.ID)
	}
	// Under another subject: the same id, version 1 there.
	status, other, _ := register(t, b, "users-copy-value", userV1)
	must(t, status, 200, "the same content under another subject")
	if other.ID != first.ID {
		t.Fatalf("another subject got id %d for the same content (want %d)", other.ID, first.ID)
	}

	status, _, e := register(t, a, "users-value", userBad)
	if status != 409 || e.Code != 409 {
		t.Fatalf("an incompatible schema: %d %+v", status, e)
	}
	var compat map[string]any
	must(t, call(t, "POST", b+"/compatibility/subjects/users-value/versions/latest", sr, map[string]string{"schema": userBad}, &compat), 200, "compatibility check")
	if compat["is_compatible"] != false {
		t.Fatalf("compatibility of the bad schema: %v", compat)
	}
	status, second, _ := register(t, a, "users-value", userV2)
	must(t, status, 200, "register v2")
	var latest versionAnswer
	must(t, call(t, "GET", b+"/subjects/users-value/versions/latest", "", nil, &latest), 200, "latest on b")
	if latest.Version != 2 || latest.ID != second.ID || latest.Schema != userV2 || latest.Subject != "users-value" {
		t.Fatalf("latest: %+v (v2 id %d)", latest, second.ID)
	}
	var versions []int
	must(t, call(t, "GET", b+"/subjects/users-value/versions", "", nil, &versions), 200, "versions")
	if fmt.Sprint(versions) != "[1 2]" {
		t.Fatalf("versions: %v", versions)
	}
	var subjects []string
	must(t, call(t, "GET", b+"/subjects", "", nil, &subjects), 200, "subjects")
	if fmt.Sprint(subjects) != "[users-copy-value users-value]" {
		t.Fatalf("subjects: %v", subjects)
	}
	var found versionAnswer
	must(t, call(t, "POST", b+"/subjects/users-value", sr, map[string]string{"schema": userV1Spaced}, &found), 200, "lookup")
	if found.Version != 1 || found.ID != first.ID {
		t.Fatalf("lookup: %+v", found)
	}

	// NONE on the subject lets the incompatible one in, as version 3.
	var set map[string]string
	must(t, call(t, "PUT", a+"/config/users-value", sr, map[string]string{"compatibility": "NONE"}, &set), 200, "config NONE")
	var level map[string]string
	must(t, call(t, "GET", b+"/config/users-value", "", nil, &level), 200, "config on b")
	if level["compatibilityLevel"] != "NONE" {
		t.Fatalf("b's level: %v", level)
	}
	status, _, _ = register(t, b, "users-value", userBad)
	must(t, status, 200, "the incompatible schema under NONE")

	// Confluent's not-found codes.
	for url, code := range map[string]int{
		b + "/subjects/nobody/versions":         40401,
		b + "/subjects/users-value/versions/99": 40402,
		b + "/schemas/ids/9999":                 40403,
	} {
		var e errAnswer
		must(t, call(t, "GET", url, "", nil, &e), 404, url)
		if e.Code != code {
			t.Fatalf("%s: error_code %d, want %d", url, e.Code, code)
		}
	}
	status, _, e = register(t, a, "broken-value", `{"type":"record","name":"X","fields":[{"name":"a","type":"nosuchtype"}]}`)
	if status != 422 || e.Code != 42201 {
		t.Fatalf("an invalid schema: %d %+v", status, e)
	}

	// A new instance reads everything back from the topic.
	c := registryInstance(t, topic)
	must(t, call(t, "GET", c+"/subjects/users-value/versions", "", nil, &versions), 200, "versions on a new instance")
	if fmt.Sprint(versions) != "[1 2 3]" {
		t.Fatalf("a new instance's versions: %v", versions)
	}
}

// Both instances register different schemas at the same time: every schema gets its own id
// and its own version, and both instances agree on all of them.
func TestRegistryConcurrentWriters(t *testing.T) {
	topic := "_schemas_race"
	a, b := registryInstance(t, topic), registryInstance(t, topic)
	// Unrelated records under one subject: only NONE lets them all in.
	var set map[string]string
	must(t, call(t, "PUT", a+"/config/race-value", sr, map[string]string{"compatibility": "NONE"}, &set), 200, "config NONE")
	const n = 12
	ids := make([]int, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			base := a
			if i%2 == 1 {
				base = b
			}
			schema := fmt.Sprintf(`{"type":"record","name":"R%d","fields":[{"name":"f","type":"string"}]}`, i)
			status, got, e := register(t, base, "race-value", schema)
			if status != 200 {
				t.Errorf("schema %d: %d %+v", i, status, e)
				return
			}
			ids[i] = got.ID
		}(i)
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	seen := map[int]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("two schemas got id %d: %v", id, ids)
		}
		seen[id] = true
	}
	var va, vb []int
	must(t, call(t, "GET", a+"/subjects/race-value/versions", "", nil, &va), 200, "versions on a")
	must(t, call(t, "GET", b+"/subjects/race-value/versions", "", nil, &vb), 200, "versions on b")
	if len(va) != n || fmt.Sprint(va) != fmt.Sprint(vb) {
		t.Fatalf("versions: a %v, b %v", va, vb)
	}
	for _, v := range va {
		var x, y versionAnswer
		must(t, call(t, "GET", fmt.Sprintf("%s/subjects/race-value/versions/%d", a, v), "", nil, &x), 200, "a's version")
		must(t, call(t, "GET", fmt.Sprintf("%s/subjects/race-value/versions/%d", b, v), "", nil, &y), 200, "b's version")
		if x != y {
			t.Fatalf("version %d: a %+v, b %+v", v, x, y)
		}
	}
}
