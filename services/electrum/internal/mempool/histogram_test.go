package mempool

import (
	"testing"

	"bcm/services/electrum/internal/chain"
)

func TestHistogramIsDescendingAndCoversEveryKnownFee(t *testing.T) {
	txs := map[chain.Hash]*Entry{}
	var total float64
	for i := 0; i < 3000; i++ {
		vsize := int64(100 + i%300)
		e := &Entry{TxID: chain.Hash{byte(i), byte(i >> 8)}, VSize: vsize, Fee: vsize * int64(1+i%50)}
		txs[e.TxID] = e
		total += float64(vsize)
	}
	txs[chain.Hash{0xee, 0xee, 0xee}] = &Entry{TxID: chain.Hash{0xee, 0xee, 0xee}, VSize: 500, Fee: 0} // unknown fee: left out
	h := histogram(txs)
	if len(h) < 2 {
		t.Fatalf("%d bins", len(h))
	}
	var sum float64
	for i, bin := range h {
		sum += bin[1]
		if i > 0 && bin[0] > h[i-1][0] {
			t.Fatalf("rates not descending: %v", h)
		}
	}
	if sum != total {
		t.Fatalf("bins hold %v vbytes, the mempool %v", sum, total)
	}
	if len(histogram(map[chain.Hash]*Entry{})) != 0 {
		t.Fatal("an empty mempool has bins")
	}
}
