package node

import (
	"context"
)

// Kind is the node's implementation, found out once by asking for a method only bitcoind
// implements: btcd lists getnetworkinfo but answers "Command unimplemented" (code -1), and
// lacks estimatesmartfee; it has getinfo and estimatefee instead.
type Kind int

const (
	Unknown Kind = iota
	Btcd
	Bitcoind
)

func (k Kind) String() string {
	switch k {
	case Btcd:
		return "btcd"
	case Bitcoind:
		return "bitcoind"
	}
	return "unknown"
}

// btcdMaxFeeBlocks is the farthest target btcd's estimatefee answers (its
// estimateFeeDepth); further targets are asked at this one.
const btcdMaxFeeBlocks = 25

// Kind asks the node which implementation it is; the answer is kept once known.
func (c *Client) Kind(ctx context.Context) (Kind, error) {
	c.kindMu.Lock()
	defer c.kindMu.Unlock()
	if c.kind != Unknown {
		return c.kind, nil
	}
	_, err := c.CallRaw(ctx, "getnetworkinfo")
	switch {
	case err == nil:
		c.kind = Bitcoind
	case IsMethodNotFound(err) || isUnimplemented(err):
		c.kind = Btcd
	default:
		return Unknown, err
	}
	return c.kind, nil
}

// RelayFee is the node's minimum relay fee in BTC/kB (bitcoind: getnetworkinfo; btcd:
// getinfo, which carries the same field).
func (c *Client) RelayFee(ctx context.Context) (float64, error) {
	kind, err := c.Kind(ctx)
	if err != nil {
		return 0, err
	}
	method := "getnetworkinfo"
	if kind == Btcd {
		method = "getinfo"
	}
	var info struct {
		RelayFee float64 `json:"relayfee"`
	}
	err = c.Call(ctx, method, &info)
	return info.RelayFee, err
}

// EstimateFee is the fee rate in BTC/kB for confirmation within blocks, or -1 when the
// node cannot estimate (the protocol's answer). bitcoind: estimatesmartfee; btcd:
// estimatefee, which errs until it has seen enough blocks and for targets beyond 25.
func (c *Client) EstimateFee(ctx context.Context, blocks int64) (float64, error) {
	kind, err := c.Kind(ctx)
	if err != nil {
		return 0, err
	}
	if kind == Btcd {
		var rate float64
		if err := c.Call(ctx, "estimatefee", &rate, min(blocks, btcdMaxFeeBlocks)); err != nil {
			if _, answered := err.(*RPCError); answered {
				return -1, nil
			}
			return 0, err
		}
		if rate <= 0 {
			return -1, nil
		}
		return rate, nil
	}
	var res struct {
		FeeRate *float64 `json:"feerate"`
	}
	if err := c.Call(ctx, "estimatesmartfee", &res, blocks); err != nil {
		return 0, err
	}
	if res.FeeRate == nil {
		return -1, nil
	}
	return *res.FeeRate, nil
}

func isUnimplemented(err error) bool {
	e, ok := err.(*RPCError)
	return ok && e.Code == -1 && e.Message == "Command unimplemented"
}
