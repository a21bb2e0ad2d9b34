// Package derive turns the 32-byte secret the controller gets from the user's Trezor
// (SLIP-0011 CipherKeyValue) into the values lnd's wallet is made from. The contract is
// fixed (users recover funds with it): HKDF-SHA256 with the secret as input key material,
// an empty salt, and one info string per value. The TypeScript side computes the same values
// and is tested against testdata/vectors.json, which this package's tests produce.
package derive

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	"golang.org/x/crypto/hkdf"
)

// SecretSize is the size of the device's secret.
const SecretSize = 32

// The HKDF info strings: never change them, a change makes another wallet.
const (
	InfoEntropy         = "bcm lnd aezeed entropy"
	InfoPassword        = "bcm lnd wallet password"
	InfoMacaroonRootKey = "bcm lnd macaroon root key"
	InfoSalt            = "bcm lnd aezeed salt"
)

// Values are what lnd's wallet is made from; everything but the birthday, which is a stack
// setting.
type Values struct {
	// Entropy is the aezeed entropy (16 bytes): the BIP32 seed of every key of the node.
	Entropy [16]byte
	// Salt is the aezeed salt (5 bytes), fixed so that the 24 words are reproducible.
	Salt [5]byte
	// Password is the wallet password: the lowercase hex of 32 derived bytes (64 characters).
	Password string
	// MacaroonRootKey makes lnd's macaroons reproducible (32 bytes).
	MacaroonRootKey [32]byte
}

// expand is HKDF-SHA256(ikm=secret, salt empty, info) truncated to n bytes.
func expand(secret []byte, info string, n int) []byte {
	out := make([]byte, n)
	// A nil salt is HKDF's "no salt" (a block of zeros), RFC 5869 section 2.2.
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte(info)), out); err != nil {
		// HKDF-SHA256 gives up to 255*32 bytes; n is at most 32 here.
		panic(fmt.Sprintf("hkdf: %v", err))
	}
	return out
}

// FromSecret derives the values from the device's secret.
func FromSecret(secret []byte) (Values, error) {
	var v Values
	if len(secret) != SecretSize {
		return v, fmt.Errorf("the secret must be %d bytes, not %d", SecretSize, len(secret))
	}
	copy(v.Entropy[:], expand(secret, InfoEntropy, len(v.Entropy)))
	copy(v.Salt[:], expand(secret, InfoSalt, len(v.Salt)))
	v.Password = hex.EncodeToString(expand(secret, InfoPassword, 32))
	copy(v.MacaroonRootKey[:], expand(secret, InfoMacaroonRootKey, len(v.MacaroonRootKey)))
	return v, nil
}
