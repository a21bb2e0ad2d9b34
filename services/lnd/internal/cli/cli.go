// Package cli holds what the three binaries share: --version, --help, and errors that end
// the process with one line naming the fix.
package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version of BCM's lnd tools; the lnd module they are built against is printed beside it.
const Version = "0.1.0"

// VersionLine is what --version prints: ours, lnd's module version and Go's.
func VersionLine(name string) string {
	lnd := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/lightningnetwork/lnd" {
				lnd = dep.Version
			}
		}
	}
	return fmt.Sprintf("%s %s (bcm services/lnd; lnd %s; %s)", name, Version, lnd, runtime.Version())
}

// FlagSet is a flag set whose --help prints usage and whose --version prints the version;
// both exit 0. Flags go to stderr on errors, usage to stdout on --help.
type FlagSet struct {
	*flag.FlagSet
	name    string
	usage   string
	version *bool
}

// NewFlagSet makes the flag set of a binary; usage is the text before the flag list.
func NewFlagSet(name, usage string) *FlagSet {
	fs := &FlagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), name: name, usage: usage}
	fs.version = fs.Bool("version", false, "print the version and exit")
	fs.SetOutput(io.Discard)
	return fs
}

// PrintUsage writes the usage text and the flags.
func (fs *FlagSet) PrintUsage(w io.Writer) {
	fmt.Fprint(w, strings.TrimLeft(fs.usage, "\n"))
	fmt.Fprintln(w, "\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// Parse parses args; on --help or --version it prints and exits 0, on a bad flag it exits 2
// with a line naming --help.
func (fs *FlagSet) Parse(args []string) {
	err := fs.FlagSet.Parse(args)
	switch {
	case err == flag.ErrHelp:
		fs.PrintUsage(os.Stdout)
		os.Exit(0)
	case err != nil:
		fmt.Fprintf(os.Stderr, "%s: %v (see %s --help)\n", fs.name, err, fs.name)
		os.Exit(2)
	case *fs.version:
		fmt.Println(VersionLine(fs.name))
		os.Exit(0)
	}
}

// Fatal prints "NAME: error: MSG" on one line and exits 1. Messages name the fix.
func Fatal(name string, err error) {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	fmt.Fprintf(os.Stderr, "%s: error: %s\n", name, msg)
	os.Exit(1)
}
