package derive

import (
	"bytes"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func secret(b byte) []byte { return bytes.Repeat([]byte{b}, SecretSize) }

// The values agree with Go's standard library HKDF (crypto/hkdf), an implementation
// independent of golang.org/x/crypto/hkdf used by the package.
func TestFromSecretMatchesStdlibHKDF(t *testing.T) {
	for _, s := range [][]byte{secret(0), secret(0xab), sha256Sum("x")} {
		v, err := FromSecret(s)
		if err != nil {
			t.Fatal(err)
		}
		key := func(info string, n int) []byte {
			k, err := hkdf.Key(sha256.New, s, nil, info, n)
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		if !bytes.Equal(v.Entropy[:], key("bcm lnd aezeed entropy", 16)) {
			t.Error("entropy")
		}
		if !bytes.Equal(v.Salt[:], key("bcm lnd aezeed salt", 5)) {
			t.Error("salt")
		}
		if v.Password != hex.EncodeToString(key("bcm lnd wallet password", 32)) {
			t.Error("password")
		}
		if !bytes.Equal(v.MacaroonRootKey[:], key("bcm lnd macaroon root key", 32)) {
			t.Error("macaroon root key")
		}
		if len(v.Password) != 64 || strings.ToLower(v.Password) != v.Password {
			t.Errorf("password %q is not 64 lowercase hex digits", v.Password)
		}
	}
}

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func TestFromSecretSeparatesValuesAndSecrets(t *testing.T) {
	a, _ := FromSecret(secret(1))
	b, _ := FromSecret(secret(2))
	if a.Entropy == b.Entropy || a.Password == b.Password || a.MacaroonRootKey == b.MacaroonRootKey || a.Salt == b.Salt {
		t.Fatal("two secrets share a value")
	}
	// The entropy is not a prefix of the macaroon key or the password: each info string
	// gives its own stream.
	if bytes.HasPrefix(a.MacaroonRootKey[:], a.Entropy[:]) || strings.HasPrefix(a.Password, hex.EncodeToString(a.Entropy[:])) {
		t.Fatal("values overlap")
	}
	for _, n := range []int{0, 16, 31, 33, 64} {
		if _, err := FromSecret(make([]byte, n)); err == nil {
			t.Fatalf("a %d-byte secret was accepted", n)
		}
	}
}

func validFile(t *testing.T) (WalletSecret, []byte) {
	t.Helper()
	v, _ := FromSecret(secret(7))
	ws := WalletSecret{Values: v, Birthday: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	data, err := json.Marshal(ws)
	if err != nil {
		t.Fatal(err)
	}
	return ws, data
}

func TestWalletSecretRoundTrip(t *testing.T) {
	ws, data := validFile(t)
	got, err := ParseWalletSecret(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Values != ws.Values || !got.Birthday.Equal(ws.Birthday) {
		t.Fatalf("got %+v", got)
	}
	var fields map[string]string
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatal(err)
	}
	if len(fields) != 5 || fields["birthday"] != "2026-12-01" || len(fields["entropy"]) != 32 || len(fields["salt"]) != 10 || len(fields["macaroonRootKey"]) != 64 {
		t.Fatalf("fields %v", fields)
	}
}

// Bad files are refused, and the error never quotes a secret value.
func TestWalletSecretRejects(t *testing.T) {
	_, data := validFile(t)
	var fields map[string]string
	_ = json.Unmarshal(data, &fields)
	mutate := func(k, v string) []byte {
		m := map[string]string{}
		for a, b := range fields {
			m[a] = b
		}
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		out, _ := json.Marshal(m)
		return out
	}
	cases := map[string][]byte{
		"missing password":     mutate("password", ""),
		"uppercase entropy":    mutate("entropy", strings.ToUpper(fields["entropy"])),
		"short salt":           mutate("salt", fields["salt"][:8]),
		"bad birthday":         mutate("birthday", "01/12/2026"),
		"unknown field":        mutate("secret", fields["password"]),
		"not json":             []byte(fields["password"]),
		"truncated json":       data[:len(data)-3],
		"macaroon key non-hex": mutate("macaroonRootKey", strings.Repeat("zz", 32)),
	}
	for name, in := range cases {
		_, err := ParseWalletSecret(in)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		for _, v := range []string{fields["password"], fields["entropy"], fields["macaroonRootKey"]} {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%s: the error quotes a secret: %v", name, err)
			}
		}
	}
}
