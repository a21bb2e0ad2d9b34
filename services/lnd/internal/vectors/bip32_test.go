package vectors

import (
	"encoding/hex"
	"testing"

	"bcm/services/lnd/internal/identity"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
)

// The contract says where lnd's keys are: plain BIP32 over the 16 bytes of entropy, node key
// at m/1017'/coin'/6'/0/0, first p2wkh address at m/84'/0'/0'/0/0. Deriving those paths
// with btcutil's hdkeychain directly (not through a wallet) must give the vectors' values.
func TestVectorsFollowTheBIP32Paths(t *testing.T) {
	f, err := Compute()
	if err != nil {
		t.Fatal(err)
	}
	const h = hdkeychain.HardenedKeyStart
	for _, v := range f.Vectors {
		entropy, _ := hex.DecodeString(v.Entropy)
		for name, node := range v.Chains {
			chain := identity.Chains[name]
			master, err := hdkeychain.NewMaster(entropy, chain.Params)
			if err != nil {
				t.Fatal(err)
			}
			derive := func(path ...uint32) *hdkeychain.ExtendedKey {
				k := master
				for _, i := range path {
					if k, err = k.Derive(i); err != nil {
						t.Fatal(err)
					}
				}
				return k
			}
			pub, err := derive(1017+h, chain.CoinType()+h, 6+h, 0, 0).ECPubKey()
			if err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(pub.SerializeCompressed()); got != node.PubKey {
				t.Errorf("%s %s: m/1017'/%d'/6'/0/0 is %s, the vector says %s", v.Secret[:8], name, chain.CoinType(), got, node.PubKey)
			}
			apub, err := derive(84+h, 0+h, 0+h, 0, 0).ECPubKey()
			if err != nil {
				t.Fatal(err)
			}
			addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(apub.SerializeCompressed()), chain.Params)
			if err != nil {
				t.Fatal(err)
			}
			if addr.EncodeAddress() != node.FirstAddress {
				t.Errorf("%s %s: m/84'/0'/0'/0/0 is %s, the vector says %s", v.Secret[:8], name, addr.EncodeAddress(), node.FirstAddress)
			}
		}
	}
}
