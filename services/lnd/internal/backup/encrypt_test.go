package backup

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// newKey makes an ed25519 primary key with a cv25519 encryption subkey, the kind openpgp.js
// makes by default (the integration test encrypts to a key made by openpgp.js itself).
func newKey(t *testing.T) *openpgp.Entity {
	t.Helper()
	e, err := openpgp.NewEntity("bcm test", "", "", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func writeArmored(t *testing.T, e *openpgp.Entity, private bool) string {
	t.Helper()
	var buf bytes.Buffer
	typ := openpgp.PublicKeyType
	if private {
		typ = openpgp.PrivateKeyType
	}
	w, err := armor.Encode(&buf, typ, nil)
	if err != nil {
		t.Fatal(err)
	}
	if private {
		err = e.SerializePrivate(w, nil)
	} else {
		err = e.Serialize(w)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := filepath.Join(t.TempDir(), "key.asc")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEncryptDecryptsWithTheRecipientsKey(t *testing.T) {
	key := newKey(t)
	r, err := LoadRecipient(writeArmored(t, key, false))
	if err != nil {
		t.Fatal(err)
	}
	plain := bytes.Repeat([]byte("lnd multi backup "), 100)
	enc, err := r.Encrypt(plain)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(enc, plain[:16]) {
		t.Fatal("the plaintext shows in the message")
	}
	md, err := openpgp.ReadMessage(bytes.NewReader(enc), openpgp.EntityList{key}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(md.UnverifiedBody)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, plain) {
		t.Fatal("decrypted to other bytes")
	}
	if !md.IsEncrypted || md.IsSigned {
		t.Fatalf("encrypted %v signed %v", md.IsEncrypted, md.IsSigned)
	}
	if !strings.Contains(r.Fingerprints(), strings.ToUpper(string(hexOf(key.PrimaryKey.Fingerprint)))) {
		t.Fatalf("fingerprints %s", r.Fingerprints())
	}
	// Another key cannot read it.
	if _, err := openpgp.ReadMessage(bytes.NewReader(enc), openpgp.EntityList{newKey(t)}, nil, nil); err == nil {
		t.Fatal("another key decrypts it")
	}
}

func hexOf(b []byte) []byte {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return out
}

func TestLoadRecipientRefuses(t *testing.T) {
	if _, err := LoadRecipient(writeArmored(t, newKey(t), true)); err == nil || !strings.Contains(err.Error(), "private key") {
		t.Fatalf("a private key: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.asc")
	os.WriteFile(junk, []byte("not a key"), 0o600)
	if _, err := LoadRecipient(junk); err == nil {
		t.Fatal("junk accepted")
	}
	if _, err := LoadRecipient(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a missing file accepted")
	}
}
