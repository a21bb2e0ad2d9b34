// bcm-electrum is Bitcoin Cache Machine's Electrum server: it indexes the chain of a btcd
// or bitcoind node into an on-disk index and serves the Electrum protocol 1.4 to wallets.
//
//	bcm-electrum serve --rpc-addr btcd:18334 --rpc-user U --rpc-pass-file /run/secrets/pass \
//	    --rpc-cert /run/secrets/btcd-rpc.cert --chain regtest --datadir /var/lib/electrum
//	bcm-electrum status --datadir /var/lib/electrum
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

// version is the server's version, shown by --version and in server.version.
const version = "0.1.0"

func usage(w io.Writer) {
	fmt.Fprintf(w, `bcm-electrum %s: an Electrum protocol 1.4 server over btcd or bitcoind

usage:
  bcm-electrum serve [flags]            index the node's chain and serve wallets (the default)
  bcm-electrum status --datadir DIR     print the running server's status.json
  bcm-electrum version | --version      print the version
  bcm-electrum help | --help            this text; "bcm-electrum COMMAND --help" for a command's flags
`, version)
}

func main() {
	args := os.Args[1:]
	cmd := "serve"
	if len(args) > 0 && (args[0] == "" || args[0][0] != '-') {
		cmd, args = args[0], args[1:]
	} else if len(args) > 0 {
		switch args[0] {
		case "--version", "-version":
			cmd, args = "version", args[1:]
		case "--help", "-help", "-h":
			cmd, args = "help", args[1:]
		}
	}
	switch cmd {
	case "serve":
		os.Exit(serve(args))
	case "status":
		os.Exit(showStatus(args))
	case "version":
		fs := flag.NewFlagSet("version", flag.ContinueOnError)
		fs.Usage = func() { fmt.Fprintf(fs.Output(), "usage: bcm-electrum version\n\nprints the version\n") }
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				os.Exit(0)
			}
			os.Exit(2)
		}
		fmt.Printf("bcm-electrum %s\n", version)
	case "help":
		usage(os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "bcm-electrum: unknown command %q\n\n", cmd)
		usage(os.Stderr)
		os.Exit(2)
	}
}
