// Package seedcmd is bcm-lnd-seed: it prints lnd's 24 aezeed words, and with --identity the node key and
// first address, for the wallet values on stdin. See services/lnd/README.md.
package seedcmd

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"bcm/services/lnd/internal/cli"
	"bcm/services/lnd/internal/derive"
	"bcm/services/lnd/internal/identity"
	"bcm/services/lnd/internal/seed"
)

const name = "bcm-lnd-seed"

const usage = `Usage: bcm-lnd-seed [--identity --chain CHAIN] < VALUES.json

Reads one JSON object on stdin and prints one JSON object on stdout:

  in:  {"entropy":"<32 hex>","salt":"<10 hex>","birthday":"YYYY-MM-DD"}
       or {"secret":"<64 hex>","birthday":"YYYY-MM-DD"} (the device's 32 bytes; the
       values are then derived with HKDF-SHA256 as BCM's contract says)
  out: {"words":[24 aezeed words],"birthdayDays":N}
       with --identity also "chain", "nodePubkey" (m/1017'/coin'/6'/0/0) and
       "firstAddress" (the first p2wkh address, m/84'/0'/0'/0/0), as lnd derives them;
       with a "secret" also the derived "entropy", "salt", "password", "macaroonRootKey".

The words restore the node in any lnd (lncli create, "I have an existing cipher seed",
no passphrase). Nothing is written to disk but a temporary wallet for --identity, removed
before exit.
`

type input struct {
	Secret   string `json:"secret"`
	Entropy  string `json:"entropy"`
	Salt     string `json:"salt"`
	Birthday string `json:"birthday"`
}

type output struct {
	Words           []string `json:"words"`
	BirthdayDays    uint16   `json:"birthdayDays"`
	Entropy         string   `json:"entropy,omitempty"`
	Salt            string   `json:"salt,omitempty"`
	Password        string   `json:"password,omitempty"`
	MacaroonRootKey string   `json:"macaroonRootKey,omitempty"`
	Chain           string   `json:"chain,omitempty"`
	*identity.Node
}

// Main runs the command with its arguments (os.Args[1:]).
func Main(args []string) {
	fs := cli.NewFlagSet(name, usage)
	withIdentity := fs.Bool("identity", false, "also print the node identity pubkey and first p2wkh address (needs --chain)")
	chainName := fs.String("chain", "", "the chain for --identity: regtest, signet, testnet or mainnet")
	fs.Parse(args)
	if fs.NArg() > 0 {
		cli.Fatal(name, fmt.Errorf("unexpected argument %q: the values come on stdin (see --help)", fs.Arg(0)))
	}
	if *withIdentity && *chainName == "" {
		cli.Fatal(name, errors.New("--identity needs --chain regtest|signet|testnet|mainnet"))
	}
	data, err := io.ReadAll(io.LimitReader(os.Stdin, 1<<16))
	if err != nil {
		cli.Fatal(name, fmt.Errorf("reading stdin: %w", err))
	}
	out, err := run(data, *withIdentity, *chainName)
	if err != nil {
		cli.Fatal(name, err)
	}
	enc := json.NewEncoder(os.Stdout)
	if err := enc.Encode(out); err != nil {
		cli.Fatal(name, err)
	}
}

func run(data []byte, withIdentity bool, chainName string) (output, error) {
	var in input
	var out output
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return out, errors.New(`stdin is not the JSON {"entropy","salt","birthday"} or {"secret","birthday"} (see --help)`)
	}
	birthday, err := derive.ParseBirthday(in.Birthday)
	if err != nil {
		return out, err
	}
	var entropy [16]byte
	var salt [5]byte
	switch {
	case in.Secret != "" && in.Entropy == "" && in.Salt == "":
		secret, err := hex.DecodeString(in.Secret)
		if err != nil || len(secret) != derive.SecretSize {
			return out, errors.New(`"secret" must be 64 hex digits (the device's 32 bytes)`)
		}
		v, err := derive.FromSecret(secret)
		if err != nil {
			return out, err
		}
		entropy, salt = v.Entropy, v.Salt
		out.Entropy = hex.EncodeToString(v.Entropy[:])
		out.Salt = hex.EncodeToString(v.Salt[:])
		out.Password = v.Password
		out.MacaroonRootKey = hex.EncodeToString(v.MacaroonRootKey[:])
	case in.Secret == "" && in.Entropy != "" && in.Salt != "":
		e, err := hex.DecodeString(in.Entropy)
		if err != nil || len(e) != len(entropy) {
			return out, errors.New(`"entropy" must be 32 hex digits`)
		}
		s, err := hex.DecodeString(in.Salt)
		if err != nil || len(s) != len(salt) {
			return out, errors.New(`"salt" must be 10 hex digits`)
		}
		copy(entropy[:], e)
		copy(salt[:], s)
	default:
		return out, errors.New(`give either "secret", or "entropy" and "salt" (see --help)`)
	}
	m, err := seed.Mnemonic(entropy, salt, birthday)
	if err != nil {
		return out, err
	}
	out.Words = seed.Words(m)
	out.BirthdayDays = seed.BirthdayDays(birthday)
	if withIdentity {
		chain, err := identity.ParseChain(chainName)
		if err != nil {
			return out, err
		}
		node, err := identity.FromEntropy(entropy, chain, birthday)
		if err != nil {
			return out, err
		}
		out.Chain = chain.Name
		out.Node = &node
	}
	return out, nil
}
