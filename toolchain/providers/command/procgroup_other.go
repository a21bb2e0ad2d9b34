//go:build !unix

package main

import "os/exec"

// killGroupOnCancel keeps exec's default (kill the direct child) where
// process groups do not exist.
func killGroupOnCancel(*exec.Cmd) {}

func finished(*exec.Cmd) {}

func killRunningGroups() {}
