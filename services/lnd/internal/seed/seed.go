// Package seed makes lnd's 24 aezeed words from the derived entropy, salt and birthday with
// lnd's own aezeed package. aezeed.New draws the 5-byte salt from its randomness source: a
// reader that holds exactly our salt (and fails on any further read) makes the words
// reproducible from device + cluster + chain + birthday.
package seed

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/lightningnetwork/lnd/aezeed"
)

// exactReader yields its bytes once, then fails: aezeed must read the salt and nothing else.
type exactReader struct{ r *bytes.Reader }

func (e exactReader) Read(p []byte) (int, error) {
	if e.r.Len() < len(p) {
		return 0, errors.New("aezeed read more randomness than the 5-byte salt")
	}
	return e.r.Read(p)
}

// BirthdayDays is the aezeed birthday of a date: whole days from the genesis block's time
// (2009-01-03 18:15:05 UTC) to that date's midnight UTC, as aezeed.New computes it. The
// wallet's rescan starts at genesis + that many days, never after the date.
func BirthdayDays(date time.Time) uint16 {
	return uint16(date.Sub(aezeed.BitcoinGenesisDate) / (24 * time.Hour))
}

// CipherSeed is lnd's cipher seed (version 0) of the entropy, salt and birthday date.
func CipherSeed(entropy [aezeed.EntropySize]byte, salt [aezeed.SaltSize]byte, birthday time.Time) (*aezeed.CipherSeed, error) {
	if birthday.Before(aezeed.BitcoinGenesisDate) {
		return nil, fmt.Errorf("the birthday %s is before Bitcoin's genesis block", birthday.Format(time.DateOnly))
	}
	if days := birthday.Sub(aezeed.BitcoinGenesisDate) / (24 * time.Hour); days > 0xffff {
		return nil, fmt.Errorf("the birthday %s is after what aezeed can say (2188)", birthday.Format(time.DateOnly))
	}
	src := exactReader{bytes.NewReader(salt[:])}
	cs, err := aezeed.New(aezeed.CipherSeedVersion, &entropy, birthday, aezeed.WithRandomnessSource(src))
	if err != nil {
		return nil, fmt.Errorf("aezeed: %w", err)
	}
	return cs, nil
}

// Mnemonic is the 24 words of the cipher seed, under aezeed's default passphrase (none
// given: lnd's InitWallet with an empty aezeed_passphrase reads them the same way).
func Mnemonic(entropy [aezeed.EntropySize]byte, salt [aezeed.SaltSize]byte, birthday time.Time) (aezeed.Mnemonic, error) {
	cs, err := CipherSeed(entropy, salt, birthday)
	if err != nil {
		return aezeed.Mnemonic{}, err
	}
	m, err := cs.ToMnemonic(nil)
	if err != nil {
		return aezeed.Mnemonic{}, fmt.Errorf("aezeed: %w", err)
	}
	// Decoding the words must give back exactly what went in (and proves the salt was ours:
	// the enciphered seed ends with it, before the checksum).
	if err := check(m, entropy, salt, BirthdayDays(birthday)); err != nil {
		return aezeed.Mnemonic{}, err
	}
	return m, nil
}

func check(m aezeed.Mnemonic, entropy [aezeed.EntropySize]byte, salt [aezeed.SaltSize]byte, days uint16) error {
	back, err := m.ToCipherSeed(nil)
	if err != nil {
		return fmt.Errorf("aezeed: the words do not decode: %w", err)
	}
	if back.Entropy != entropy || back.Birthday != days || back.InternalVersion != aezeed.CipherSeedVersion {
		return errors.New("aezeed: the words decode to another seed")
	}
	enc, err := back.Encipher(nil)
	if err != nil {
		return fmt.Errorf("aezeed: %w", err)
	}
	// 1 byte version || 23 bytes ciphertext || 5 bytes salt || 4 bytes checksum.
	if !bytes.Equal(enc[24:29], salt[:]) {
		return errors.New("aezeed: the words carry another salt")
	}
	return nil
}

// Words is the mnemonic as a slice.
func Words(m aezeed.Mnemonic) []string {
	return append([]string(nil), m[:]...)
}

// ReadWords makes a mnemonic of 24 words.
func ReadWords(words []string) (aezeed.Mnemonic, error) {
	var m aezeed.Mnemonic
	if len(words) != aezeed.NumMnemonicWords {
		return m, fmt.Errorf("an aezeed mnemonic has %d words, not %d", aezeed.NumMnemonicWords, len(words))
	}
	copy(m[:], words)
	return m, nil
}
