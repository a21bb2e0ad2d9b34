// Package backup keeps lnd's static channel backups (SCB): each new multi-channel backup is
// encrypted to the controller's OpenPGP key and kept as a file (the last N, with a JSON
// manifest) and, when Kafka brokers are given, on a compacted topic.
package backup

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Recipient is the controller's OpenPGP public key (openpgp.js makes an ed25519 primary key
// with a cv25519 encryption subkey).
type Recipient struct {
	keys openpgp.EntityList
}

// LoadRecipient reads an armored public key file. Private key material is refused: the node
// must never hold what decrypts its backups.
func LoadRecipient(path string) (*Recipient, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the recipient key: %w", err)
	}
	defer f.Close()
	keys, err := openpgp.ReadArmoredKeyRing(f)
	if err != nil {
		return nil, fmt.Errorf("the recipient key %s is not an armored OpenPGP public key: %w", path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("the recipient key %s holds no key", path)
	}
	for _, e := range keys {
		if e.PrivateKey != nil {
			return nil, fmt.Errorf("%s holds a private key; fix: give the controller's public key only (the node must not be able to decrypt)", path)
		}
	}
	r := &Recipient{keys: keys}
	// Encrypting something proves there is a usable (unexpired, unrevoked) encryption key.
	if _, err := r.Encrypt([]byte("check")); err != nil {
		return nil, fmt.Errorf("the recipient key %s: %w", path, err)
	}
	return r, nil
}

// Fingerprints are the primary keys' fingerprints (hex), for the manifest and logs.
func (r *Recipient) Fingerprints() string {
	var fps []string
	for _, e := range r.keys {
		fps = append(fps, fmt.Sprintf("%X", e.PrimaryKey.Fingerprint))
	}
	return strings.Join(fps, ",")
}

// encryptConfig: AES-256, SHA-256, no compression (lnd's backup is already ciphertext).
var encryptConfig = &packet.Config{
	DefaultCipher:          packet.CipherAES256,
	DefaultHash:            crypto.SHA256,
	DefaultCompressionAlgo: packet.CompressionNone,
}

// Encrypt makes a binary OpenPGP message of data for the recipient.
func (r *Recipient) Encrypt(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := openpgp.Encrypt(&buf, r.keys, nil, &openpgp.FileHints{IsBinary: true}, encryptConfig)
	if err != nil {
		return nil, fmt.Errorf("OpenPGP encryption: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	if buf.Len() == 0 {
		return nil, errors.New("OpenPGP encryption gave nothing")
	}
	return buf.Bytes(), nil
}
