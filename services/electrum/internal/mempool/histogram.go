package mempool

import (
	"sort"

	"bcm/services/electrum/internal/chain"
)

// histogram groups the mempool by fee rate, highest first, into [rate, vsize] pairs: each
// pair's rate is the lowest rate (sat/vB) in its bin, and its vsize the bin's total. Bins
// close once they hold binSize vbytes, and each bin may hold 10% more than the one before,
// so the high-fee end (which matters for a fee choice) is finer. The protocol leaves the
// bins to the server; this is the same shape ElectrumX gives.
func histogram(txs map[chain.Hash]*Entry) [][2]float64 {
	const firstBin = 100_000.0
	type rated struct {
		rate  float64
		vsize int64
	}
	all := make([]rated, 0, len(txs))
	for _, e := range txs {
		if e.Fee <= 0 || e.VSize <= 0 {
			continue // fee unknown: no rate to show
		}
		all = append(all, rated{rate: float64(e.Fee) / float64(e.VSize), vsize: e.VSize})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].rate > all[j].rate })
	out := [][2]float64{}
	binSize := firstBin
	var size int64
	for i, t := range all {
		size += t.vsize
		last := i == len(all)-1
		if float64(size) >= binSize || last {
			out = append(out, [2]float64{float64(int64(t.rate*10)) / 10, float64(size)})
			size = 0
			binSize *= 1.1
		}
	}
	return out
}
