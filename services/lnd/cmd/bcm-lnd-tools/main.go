// Command bcm-lnd-tools is the three commands in one binary, chosen by the name it is run
// as (the image links bcm-lnd-start, bcm-lnd-seed and bcm-chanbackup to it): they share
// most of their code (lnd's packages), so one binary is a third of three.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"bcm/services/lnd/internal/commands/chanbackupcmd"
	"bcm/services/lnd/internal/commands/seedcmd"
	"bcm/services/lnd/internal/commands/startcmd"
)

var commands = map[string]func([]string){
	"bcm-lnd-start":  startcmd.Main,
	"bcm-lnd-seed":   seedcmd.Main,
	"bcm-chanbackup": chanbackupcmd.Main,
}

func main() {
	name := filepath.Base(os.Args[0])
	if run, ok := commands[name]; ok {
		run(os.Args[1:])
		return
	}
	// bcm-lnd-tools COMMAND ARGS...
	if len(os.Args) > 1 {
		if run, ok := commands[os.Args[1]]; ok {
			run(os.Args[2:])
			return
		}
	}
	fmt.Fprintf(os.Stderr, "%s: error: run as bcm-lnd-start, bcm-lnd-seed or bcm-chanbackup (a link to this binary), or give one as the first argument; fix: see services/lnd/README.md\n", name)
	os.Exit(2)
}
