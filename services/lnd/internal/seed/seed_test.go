package seed

import (
	"testing"
	"time"

	"github.com/lightningnetwork/lnd/aezeed"
)

var (
	entropy = [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	salt    = [5]byte{0xa1, 0xa2, 0xa3, 0xa4, 0xa5}
	day     = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

func TestMnemonicIsReproducibleAndDecodes(t *testing.T) {
	a, err := Mnemonic(entropy, salt, day)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Mnemonic(entropy, salt, day)
	if a != b {
		t.Fatal("the same values gave other words")
	}
	cs, err := a.ToCipherSeed(nil)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Entropy != entropy || cs.Birthday != BirthdayDays(day) {
		t.Fatalf("decoded %x, birthday %d", cs.Entropy, cs.Birthday)
	}
	// lnd's InitWallet reads the words with the default passphrase "aezeed" when none is
	// given: so does an explicit one.
	if _, err := a.ToCipherSeed([]byte("aezeed")); err != nil {
		t.Fatalf("the words do not open with aezeed's default passphrase: %v", err)
	}
	if _, err := a.ToCipherSeed([]byte("another")); err == nil {
		t.Fatal("the words open with any passphrase")
	}
}

func TestEachInputChangesTheWords(t *testing.T) {
	base, _ := Mnemonic(entropy, salt, day)
	otherSalt := salt
	otherSalt[4] ^= 1
	otherEntropy := entropy
	otherEntropy[0] ^= 1
	for name, m := range map[string]func() (aezeed.Mnemonic, error){
		"salt":     func() (aezeed.Mnemonic, error) { return Mnemonic(entropy, otherSalt, day) },
		"entropy":  func() (aezeed.Mnemonic, error) { return Mnemonic(otherEntropy, salt, day) },
		"birthday": func() (aezeed.Mnemonic, error) { return Mnemonic(entropy, salt, day.AddDate(0, 0, 1)) },
	} {
		got, err := m()
		if err != nil {
			t.Fatal(err)
		}
		if got == base {
			t.Errorf("another %s gave the same words", name)
		}
	}
}

// The birthday is whole days from the genesis block's time (2009-01-03 18:15:05 UTC) to the
// date's midnight UTC: the day after genesis is day 0, and lnd's rescan starts no later than
// the date.
func TestBirthdayDays(t *testing.T) {
	cases := map[string]uint16{"2009-01-04": 0, "2009-01-05": 1, "2026-12-01": 6540}
	for date, want := range cases {
		d, _ := time.Parse(time.DateOnly, date)
		if got := BirthdayDays(d); got != want {
			t.Errorf("%s: %d, want %d", date, got, want)
		}
		m, err := Mnemonic(entropy, salt, d)
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := m.ToCipherSeed(nil)
		if cs.BirthdayTime().After(d) {
			t.Errorf("%s: lnd's birthday time %s is after the date", date, cs.BirthdayTime())
		}
	}
	if _, err := Mnemonic(entropy, salt, time.Date(2008, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("a birthday before genesis was accepted")
	}
	if _, err := Mnemonic(entropy, salt, time.Date(2190, 1, 1, 0, 0, 0, 0, time.UTC)); err == nil {
		t.Error("a birthday after 2188 was accepted")
	}
}
