package chain

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// The protocol's own example (protocol-basics, "Script Hashes"): the P2PKH script of the
// genesis address 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa is sent as 8b01df4e....
func TestScriptHashMatchesProtocolExample(t *testing.T) {
	script, _ := hex.DecodeString("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac")
	if got := ScriptHash(script).String(); got != "8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161" {
		t.Fatalf("script hash %s", got)
	}
	p2pk, _ := hex.DecodeString("4104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac")
	if got := ScriptHash(p2pk).String(); got != "740485f380ff6379d11ef6fe7d7cdd68aea7f8bd0d953d9fdf3531fb7d531833" {
		t.Fatalf("P2PK script hash %s", got)
	}
}

func TestParseHashRoundTripAndErrors(t *testing.T) {
	s := "8b01df4e368ea28f8dc0423bcf7a4923e3a12d307c875e47a0cfbf90b5c39161"
	h, err := ParseHash(s)
	if err != nil || h.String() != s {
		t.Fatalf("round trip: %v %s", err, h)
	}
	for _, bad := range []string{"", "00", strings.Repeat("zz", 32), strings.Repeat("0", 63)} {
		if _, err := ParseHash(bad); err == nil {
			t.Fatalf("%q parsed", bad)
		}
	}
}

// The 1.4 status is sha256("txid:height:" ...) in plain hex; an empty history is null.
func TestStatusHashFollowsProtocol14(t *testing.T) {
	if NewStatusHasher().Status() != nil {
		t.Fatal("empty history must have a null status")
	}
	a, _ := ParseHash(strings.Repeat("11", 32))
	b, _ := ParseHash(strings.Repeat("ab", 32))
	s := NewStatusHasher()
	s.Add(a, 100)
	s.Add(b, -1)
	text := strings.Repeat("11", 32) + ":100:" + strings.Repeat("ab", 32) + ":-1:"
	want := sha256.Sum256([]byte(text))
	if got := *s.Status(); got != hex.EncodeToString(want[:]) {
		t.Fatalf("status %s, want sha256(%q)", got, text)
	}
}

func leaf(i int) Hash {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(i))
	return DoubleSHA256(b[:])
}

func leaves(n int) []Hash {
	out := make([]Hash, n)
	for i := range out {
		out[i] = leaf(i)
	}
	return out
}

// Bitcoin block 100000's four txids and its merkle root (a known block), in display order.
func TestMerkleRootOfBlock100000(t *testing.T) {
	ids := []string{
		"8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87",
		"fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4",
		"6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4",
		"e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d",
	}
	var hs []Hash
	for _, s := range ids {
		h, _ := ParseHash(s)
		hs = append(hs, h)
	}
	if got := MerkleRoot(hs).String(); got != "f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766" {
		t.Fatalf("merkle root %s", got)
	}
	for i := range hs {
		root, branch := MerkleBranch(hs, i)
		if RootFromBranch(hs[i], i, branch) != root {
			t.Fatalf("branch of %d does not lead to the root", i)
		}
	}
}

func TestMerkleBranchesLeadToTheRootForEveryShape(t *testing.T) {
	for n := 1; n <= 33; n++ {
		ls := leaves(n)
		want := MerkleRoot(ls)
		for i := 0; i < n; i++ {
			root, branch := MerkleBranch(ls, i)
			if root != want || RootFromBranch(ls[i], i, branch) != want {
				t.Fatalf("n=%d i=%d: branch does not prove the root", n, i)
			}
		}
	}
}

// The chunked header tree must give exactly the naive tree's root and branches, for
// every size around the chunk boundaries, with the cache cold and warm, and after Forget.
func TestHeaderTreeMatchesTheNaiveTree(t *testing.T) {
	all := leaves(80)
	get := func(from, to int64) ([]Hash, error) { return all[from:to], nil }
	tree := NewHeaderTree(2) // chunks of 4 leaves
	for n := int64(1); n <= int64(len(all)); n++ {
		for pass := 0; pass < 2; pass++ {
			for i := int64(0); i < n; i++ {
				root, branch, err := tree.Proof(n, i, get)
				if err != nil {
					t.Fatal(err)
				}
				wantRoot, wantBranch := MerkleBranch(all[:n], int(i))
				if root != wantRoot || fmt.Sprint(branch) != fmt.Sprint(wantBranch) {
					t.Fatalf("n=%d i=%d pass %d: chunked proof differs from the naive one", n, i, pass)
				}
			}
		}
	}
	// A reorg changes the leaves from 37 on: after Forget the proofs follow the new ones.
	for i := 37; i < len(all); i++ {
		all[i] = leaf(1000 + i)
	}
	tree.Forget(37)
	root, branch, _ := tree.Proof(80, 5, get)
	wantRoot, wantBranch := MerkleBranch(all, 5)
	if root != wantRoot || fmt.Sprint(branch) != fmt.Sprint(wantBranch) {
		t.Fatal("after Forget the proof still uses the old leaves")
	}
	if _, _, err := tree.Proof(10, 10, get); err == nil {
		t.Fatal("a leaf beyond the checkpoint was proved")
	}
}
