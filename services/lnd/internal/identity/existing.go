package identity

import (
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcwallet/waddrmgr"
	"github.com/btcsuite/btcwallet/walletdb"
	// btcwallet's bolt driver ("bdb"), the format of lnd's wallet.db.
	_ "github.com/btcsuite/btcwallet/walletdb/bdb"
	"github.com/lightningnetwork/lnd/keychain"
)

// ErrWrongPassword: the wallet does not open with the password (it is another seed's).
var ErrWrongPassword = errors.New("the wallet does not open with this password")

// ErrLocked: another process (an lnd) has the wallet open.
var ErrLocked = errors.New("the wallet is open in another process")

// btcwallet's namespace of the address manager inside wallet.db (wallet.waddrmgrNamespaceKey).
var waddrmgrNamespace = []byte("waddrmgr")

// ExistingNodeKey reads the node identity key of the lnd wallet at path, opened read-only:
// bolt's read-only mode takes a shared lock and writes nothing, so the file stays byte for
// byte the same, whatever it holds. lnd uses its wallet password as btcwallet's public
// passphrase too, which decrypts the account's extended public key; the key is then derived
// (m/1017'/coin'/6'/0/0) from it as lnd's keychain does, without any private key.
func ExistingNodeKey(path string, password []byte, chain Chain) (string, error) {
	db, err := walletdb.Open("bdb", path, false, 5*time.Second, true)
	if err != nil {
		if errors.Is(err, walletdb.ErrDbDoesNotExist) {
			return "", err
		}
		// bolt's timeout on the file lock.
		if err.Error() == "timeout" {
			return "", ErrLocked
		}
		return "", fmt.Errorf("opening %s read-only: %w", path, err)
	}
	defer db.Close()

	var pub string
	err = walletdb.View(db, func(tx walletdb.ReadTx) error {
		ns := tx.ReadBucket(waddrmgrNamespace)
		if ns == nil {
			return errors.New("it holds no wallet (no address manager)")
		}
		mgr, err := waddrmgr.Open(ns, password, chain.Params)
		if err != nil {
			if waddrmgr.IsError(err, waddrmgr.ErrWrongPassphrase) {
				return ErrWrongPassword
			}
			return err
		}
		defer mgr.Close()
		scope, err := mgr.FetchScopedKeyManager(waddrmgr.KeyScope{
			Purpose: keychain.BIP0043Purpose, Coin: chain.CoinType(),
		})
		if err != nil {
			return fmt.Errorf("it has no lnd key scope for coin type %d (made for another chain?): %w", chain.CoinType(), err)
		}
		addr, err := scope.DeriveFromKeyPath(ns, waddrmgr.DerivationPath{
			InternalAccount: uint32(keychain.KeyFamilyNodeKey), Branch: 0, Index: 0,
		})
		if err != nil {
			return fmt.Errorf("deriving its node key: %w", err)
		}
		managed, ok := addr.(waddrmgr.ManagedPubKeyAddress)
		if !ok {
			return errors.New("its node key is not a public key address")
		}
		pub = hex.EncodeToString(managed.PubKey().SerializeCompressed())
		return nil
	})
	return pub, err
}
