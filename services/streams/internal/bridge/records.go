// Package bridge writes a Bitcoin node's chain into Kafka: every block of the best chain to
// `bitcoin.<chain>.blocks` and every transaction of those blocks to
// `bitcoin.<chain>.transactions`, keyed by hash, in Avro registered in the schema registry,
// each block and its transactions in one Kafka transaction, so that read_committed consumers
// see each exactly once and in order, across restarts of the bridge.
package bridge

import (
	"bytes"
	"fmt"

	"bcm/services/streams/internal/avrojson"

	"github.com/btcsuite/btcd/wire"
	"github.com/hamba/avro/v2"
)

// BlockSchema is the value schema of the blocks topic.
const BlockSchema = `{"type":"record","name":"Block","namespace":"bcm.bitcoin","doc":"A block of the node's best chain, as the bridge saw it connected.","fields":[
{"name":"hash","type":"string","doc":"Block hash, hex, as shown by nodes."},
{"name":"height","type":"long"},
{"name":"prev_hash","type":"string"},
{"name":"merkle_root","type":"string"},
{"name":"time","type":"long","doc":"Header time, Unix seconds."},
{"name":"version","type":"int"},
{"name":"bits","type":"long"},
{"name":"nonce","type":"long"},
{"name":"size","type":"int","doc":"Serialized size in bytes, with witnesses."},
{"name":"tx_count","type":"int"},
{"name":"txids","type":{"type":"array","items":"string"}},
{"name":"header","type":"bytes","doc":"The 80-byte header."}]}`

// TransactionSchema is the value schema of the transactions topic.
const TransactionSchema = `{"type":"record","name":"Transaction","namespace":"bcm.bitcoin","doc":"A transaction of a block of the best chain.","fields":[
{"name":"txid","type":"string"},
{"name":"wtxid","type":"string"},
{"name":"block_hash","type":"string"},
{"name":"height","type":"long"},
{"name":"index","type":"int","doc":"Position in the block; 0 is the coinbase."},
{"name":"size","type":"int"},
{"name":"raw","type":"bytes","doc":"The serialized transaction, with witnesses."}]}`

// Block is a blocks-topic value.
type Block struct {
	Hash       string   `avro:"hash"`
	Height     int64    `avro:"height"`
	PrevHash   string   `avro:"prev_hash"`
	MerkleRoot string   `avro:"merkle_root"`
	Time       int64    `avro:"time"`
	Version    int32    `avro:"version"`
	Bits       int64    `avro:"bits"`
	Nonce      int64    `avro:"nonce"`
	Size       int32    `avro:"size"`
	TxCount    int32    `avro:"tx_count"`
	Txids      []string `avro:"txids"`
	Header     []byte   `avro:"header"`
}

// Transaction is a transactions-topic value.
type Transaction struct {
	Txid      string `avro:"txid"`
	Wtxid     string `avro:"wtxid"`
	BlockHash string `avro:"block_hash"`
	Height    int64  `avro:"height"`
	Index     int32  `avro:"index"`
	Size      int32  `avro:"size"`
	Raw       []byte `avro:"raw"`
}

// Schemas are the parsed value schemas with their registry ids.
type Schemas struct {
	Block, Transaction     avro.Schema
	BlockID, TransactionID int
}

// ParseSchemas parses both schemas (ids come from the registry).
func ParseSchemas() (*Schemas, error) {
	b, err := avro.ParseWithCache(BlockSchema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, err
	}
	t, err := avro.ParseWithCache(TransactionSchema, "", &avro.SchemaCache{})
	if err != nil {
		return nil, err
	}
	return &Schemas{Block: b, Transaction: t}, nil
}

// Describe turns a block into its record and its transactions' records.
func Describe(height int64, b *wire.MsgBlock, size int) (Block, []Transaction, error) {
	hash := b.BlockHash().String()
	var header bytes.Buffer
	if err := b.Header.Serialize(&header); err != nil {
		return Block{}, nil, err
	}
	blk := Block{
		Hash: hash, Height: height, PrevHash: b.Header.PrevBlock.String(), MerkleRoot: b.Header.MerkleRoot.String(),
		Time: b.Header.Timestamp.Unix(), Version: b.Header.Version, Bits: int64(b.Header.Bits), Nonce: int64(b.Header.Nonce),
		Size: int32(size), TxCount: int32(len(b.Transactions)), Txids: make([]string, len(b.Transactions)), Header: header.Bytes(),
	}
	txs := make([]Transaction, len(b.Transactions))
	for i, tx := range b.Transactions {
		var raw bytes.Buffer
		if err := tx.Serialize(&raw); err != nil {
			return Block{}, nil, fmt.Errorf("transaction %d of block %s: %w", i, hash, err)
		}
		txid := tx.TxHash().String()
		blk.Txids[i] = txid
		txs[i] = Transaction{Txid: txid, Wtxid: tx.WitnessHash().String(), BlockHash: hash, Height: height, Index: int32(i), Size: int32(raw.Len()), Raw: raw.Bytes()}
	}
	return blk, txs, nil
}

// EncodeBlock and EncodeTransaction are the values in the registry's wire format.
func (s *Schemas) EncodeBlock(b Block) ([]byte, error) {
	v, err := avro.Marshal(s.Block, b)
	if err != nil {
		return nil, err
	}
	return avrojson.Frame(s.BlockID, v), nil
}

func (s *Schemas) EncodeTransaction(t Transaction) ([]byte, error) {
	v, err := avro.Marshal(s.Transaction, t)
	if err != nil {
		return nil, err
	}
	return avrojson.Frame(s.TransactionID, v), nil
}

// DecodeBlock reads a blocks-topic value (any schema id: the block schema's fields are read by name).
func (s *Schemas) DecodeBlock(value []byte) (Block, error) {
	_, payload, err := avrojson.Unframe(value)
	if err != nil {
		return Block{}, err
	}
	var b Block
	if err := avro.Unmarshal(s.Block, payload, &b); err != nil {
		return Block{}, err
	}
	return b, nil
}
