package vectors

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json from the code")

var path = filepath.Join("..", "..", "testdata", "vectors.json")

// testdata/vectors.json is what the code computes today; a change to the derivation would
// change users' wallets, so it fails here first. `go test ./internal/vectors -update`
// rewrites the file (only for a deliberate, reviewed change).
func TestVectorsFile(t *testing.T) {
	got, err := Compute()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		data, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want File
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("testdata/vectors.json differs from what the code computes")
	}
	if len(want.Vectors) < 4 {
		t.Fatal("fewer than four vectors")
	}
	for _, v := range want.Vectors {
		if len(v.Words) != 24 || len(v.Chains) != 4 {
			t.Fatalf("vector %s: %d words, %d chains", v.Secret, len(v.Words), len(v.Chains))
		}
		prefixes := map[string]string{"regtest": "bcrt1q", "signet": "tb1q", "testnet": "tb1q", "mainnet": "bc1q"}
		for chain, n := range v.Chains {
			if !strings.HasPrefix(n.FirstAddress, prefixes[chain]) {
				t.Errorf("%s: address %s", chain, n.FirstAddress)
			}
		}
		// Coin type 1 on every test chain: the same node key; 0 on mainnet: another.
		if v.Chains["regtest"].PubKey != v.Chains["signet"].PubKey || v.Chains["signet"].PubKey != v.Chains["testnet"].PubKey {
			t.Error("the test chains' node keys differ")
		}
		if v.Chains["mainnet"].PubKey == v.Chains["regtest"].PubKey {
			t.Error("mainnet's node key is the test chains'")
		}
		// m/84'/0'/0'/0/0 on every chain: one witness program in four encodings.
		if v.Chains["signet"].FirstAddress != v.Chains["testnet"].FirstAddress ||
			v.Chains["mainnet"].FirstAddress[3:len(v.Chains["mainnet"].FirstAddress)-6] != v.Chains["signet"].FirstAddress[3:len(v.Chains["signet"].FirstAddress)-6] {
			t.Error("the first addresses are not one key")
		}
	}
}
