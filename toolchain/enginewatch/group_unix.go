//go:build unix

package enginewatch

import (
	"os"
	"syscall"
)

// endProcessGroup kills this process's group when it leads one, as every plugin the
// engine starts does: children it started (a program's node process, a policy pack, an
// ssh helper) go with it instead of being reparented to init.
func endProcessGroup() {
	if syscall.Getpgrp() == os.Getpid() {
		_ = syscall.Kill(-os.Getpid(), syscall.SIGKILL)
	}
}
