package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"bcm/services/electrum/internal/status"
)

// showStatus prints status.json as it is (JSON, for `bcm show`); exit 1 when there is none,
// 3 when it is older than a minute (the server is not running or is stuck).
func showStatus(args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: bcm-electrum status [--datadir DIR]\n\nprints DIR/status.json, which the running server rewrites every --status-every (2 s)\n\n")
		fs.PrintDefaults()
	}
	datadir := fs.String("datadir", "/var/lib/electrum", "the server's --datadir")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	st, raw, err := status.Read(*datadir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bcm-electrum status: %v\n", err)
		return 1
	}
	os.Stdout.Write(raw)
	if age := time.Since(st.Updated); age > time.Minute {
		fmt.Fprintf(os.Stderr, "bcm-electrum status: the status is %s old: is bcm-electrum (pid %d) still running?\n", age.Round(time.Second), st.PID)
		return 3
	}
	return 0
}
