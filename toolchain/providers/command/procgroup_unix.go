//go:build unix

package main

import (
	"os/exec"
	"sync"
	"syscall"
)

// running holds the local commands started and not yet finished, so that a provider whose
// engine is gone can end them before it exits (they live in process groups of their own,
// which the provider's own group kill does not reach).
var running sync.Map

// killGroupOnCancel runs the command in its own process group and kills the
// whole group on cancellation: killing only /bin/sh would leave its children
// (the actual work) running after `pulumi cancel` or a timeout.
func killGroupOnCancel(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	running.Store(cmd, struct{}{})
}

// finished forgets a command once it has run.
func finished(cmd *exec.Cmd) {
	running.Delete(cmd)
}

// killRunningGroups kills the process group of every local command still running.
func killRunningGroups() {
	running.Range(func(k, _ any) bool {
		if c := k.(*exec.Cmd); c.Process != nil {
			_ = syscall.Kill(-c.Process.Pid, syscall.SIGKILL)
		}
		return true
	})
}
