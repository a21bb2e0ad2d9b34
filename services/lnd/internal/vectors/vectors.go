// Package vectors computes the test vectors of BCM's lnd derivation contract
// (testdata/vectors.json), which the TypeScript implementation is tested against.
package vectors

import (
	"encoding/hex"
	"time"

	"bcm/services/lnd/internal/derive"
	"bcm/services/lnd/internal/identity"
	"bcm/services/lnd/internal/seed"
)

// File is testdata/vectors.json.
type File struct {
	Description string   `json:"description"`
	HKDF        HKDF     `json:"hkdf"`
	Vectors     []Vector `json:"vectors"`
}

// HKDF states the derivation's parameters.
type HKDF struct {
	Hash string            `json:"hash"`
	Salt string            `json:"salt"`
	Info map[string]string `json:"info"`
}

// Vector is one secret and what follows from it.
type Vector struct {
	Secret          string                   `json:"secret"`
	Entropy         string                   `json:"entropy"`
	Salt            string                   `json:"salt"`
	Password        string                   `json:"password"`
	MacaroonRootKey string                   `json:"macaroonRootKey"`
	Birthday        string                   `json:"birthday"`
	BirthdayDays    uint16                   `json:"birthdayDays"`
	Words           []string                 `json:"words"`
	Chains          map[string]identity.Node `json:"chains"`
}

// Inputs are the vectors' secrets (hex) and birthdays.
var Inputs = []struct{ Secret, Birthday string }{
	{"0000000000000000000000000000000000000000000000000000000000000000", "2026-12-01"},
	{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "2024-02-29"},
	{"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "2009-01-04"},
	{"9c4a2d47f3b1e8c05a6d7e9f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e", "2187-12-31"},
}

// Compute derives every vector with the package's own code paths.
func Compute() (File, error) {
	f := File{
		Description: "BCM lnd wallet derivation from the device's 32-byte secret (services/lnd). entropy, salt, password (lowercase hex of the 32 bytes) and macaroonRootKey are HKDF-SHA256(ikm=secret, salt empty, info) truncated to 16, 5, 32 and 32 bytes; words are lnd's aezeed (version 0, no passphrase) of entropy with that salt and birthday (whole days from the genesis block time 2009-01-03T18:15:05Z to the birthday's midnight UTC); nodePubkey is m/1017'/coin'/6'/0/0 (coin 0 on mainnet, 1 elsewhere) and firstAddress the first p2wkh at m/84'/0'/0'/0/0, both as lnd v0.20.0-beta derives them from the entropy.",
		HKDF: HKDF{Hash: "SHA-256", Salt: "", Info: map[string]string{
			"entropy": derive.InfoEntropy, "salt": derive.InfoSalt, "password": derive.InfoPassword, "macaroonRootKey": derive.InfoMacaroonRootKey,
		}},
	}
	for _, in := range Inputs {
		secret, err := hex.DecodeString(in.Secret)
		if err != nil {
			return f, err
		}
		v, err := derive.FromSecret(secret)
		if err != nil {
			return f, err
		}
		day, err := time.Parse(time.DateOnly, in.Birthday)
		if err != nil {
			return f, err
		}
		m, err := seed.Mnemonic(v.Entropy, v.Salt, day)
		if err != nil {
			return f, err
		}
		vec := Vector{
			Secret: in.Secret, Entropy: hex.EncodeToString(v.Entropy[:]), Salt: hex.EncodeToString(v.Salt[:]),
			Password: v.Password, MacaroonRootKey: hex.EncodeToString(v.MacaroonRootKey[:]),
			Birthday: in.Birthday, BirthdayDays: seed.BirthdayDays(day), Words: seed.Words(m),
			Chains: map[string]identity.Node{},
		}
		for _, name := range identity.ChainNames {
			node, err := identity.FromEntropy(v.Entropy, identity.Chains[name], day)
			if err != nil {
				return f, err
			}
			vec.Chains[name] = node
		}
		f.Vectors = append(f.Vectors, vec)
	}
	return f, nil
}
