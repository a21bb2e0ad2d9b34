package test

import (
	"os/exec"
	"strconv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// runCmd runs a program and returns its combined output.
func runCmd(name string, args ...string) (string, error) {
	b, err := exec.Command(name, args...).CombinedOutput()
	return string(b), err
}
