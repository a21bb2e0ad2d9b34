package regtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"bcm/services/electrum/internal/chain"
	"bcm/services/electrum/internal/node"
)

// Key is a P2WPKH key on regtest.
type Key struct {
	Priv     *btcec.PrivateKey
	Address  btcutil.Address
	PkScript []byte
}

// NewKey derives a key from a name (SHA-256 of it): public, for regtest only.
func NewKey(name string) *Key {
	seed := sha256.Sum256([]byte(name))
	priv, _ := btcec.PrivKeyFromBytes(seed[:])
	hash := btcutil.Hash160(priv.PubKey().SerializeCompressed())
	addr, err := btcutil.NewAddressWitnessPubKeyHash(hash, &chaincfg.RegressionNetParams)
	if err != nil {
		panic(err)
	}
	script, err := txscript.PayToAddrScript(addr)
	if err != nil {
		panic(err)
	}
	return &Key{Priv: priv, Address: addr, PkScript: script}
}

// ScriptHash is the key's Electrum script hash, as a client sends it.
func (k *Key) ScriptHash() string { return chain.ScriptHash(k.PkScript).String() }

// Coin is an output the key can spend.
type Coin struct {
	OutPoint wire.OutPoint
	Value    int64
}

// Coinbases returns the coinbase outputs paying k in the given blocks.
func (k *Key) Coinbases(ctx context.Context, n *node.Client, blockHashes []string) ([]Coin, error) {
	var coins []Coin
	for _, s := range blockHashes {
		h, err := chainhash.NewHashFromStr(s)
		if err != nil {
			return nil, err
		}
		b, _, err := n.Block(ctx, *h)
		if err != nil {
			return nil, err
		}
		cb := b.Transactions[0]
		for i, out := range cb.TxOut {
			if bytes.Equal(out.PkScript, k.PkScript) {
				coins = append(coins, Coin{OutPoint: wire.OutPoint{Hash: cb.TxHash(), Index: uint32(i)}, Value: out.Value})
			}
		}
	}
	return coins, nil
}

// Spend builds and signs a transaction spending coins (all the key's) to outs, with the
// rest minus fee back to change (when change is not nil and the rest is not dust).
func (k *Key) Spend(coins []Coin, outs []*wire.TxOut, fee int64, change *Key) (*wire.MsgTx, error) {
	tx := wire.NewMsgTx(2)
	var in, out int64
	prev := txscript.NewMultiPrevOutFetcher(nil)
	for _, c := range coins {
		tx.AddTxIn(wire.NewTxIn(&c.OutPoint, nil, nil))
		prev.AddPrevOut(c.OutPoint, wire.NewTxOut(c.Value, k.PkScript))
		in += c.Value
	}
	for _, o := range outs {
		tx.AddTxOut(o)
		out += o.Value
	}
	rest := in - out - fee
	if rest < 0 {
		return nil, fmt.Errorf("coins worth %d cannot pay %d and a fee of %d", in, out, fee)
	}
	if change != nil && rest >= 1000 {
		tx.AddTxOut(wire.NewTxOut(rest, change.PkScript))
	}
	hashes := txscript.NewTxSigHashes(tx, prev)
	for i, c := range coins {
		w, err := txscript.WitnessSignature(tx, hashes, i, c.Value, k.PkScript, txscript.SigHashAll, k.Priv, true)
		if err != nil {
			return nil, err
		}
		tx.TxIn[i].Witness = w
	}
	return tx, nil
}

// Send broadcasts tx through n.
func Send(ctx context.Context, n *node.Client, tx *wire.MsgTx) (string, error) {
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return "", err
	}
	return n.Broadcast(ctx, hex.EncodeToString(buf.Bytes()))
}

// Hex is tx serialised as hex.
func Hex(tx *wire.MsgTx) string {
	var buf bytes.Buffer
	tx.Serialize(&buf)
	return hex.EncodeToString(buf.Bytes())
}
