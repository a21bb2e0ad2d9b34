package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

var stderr = os.Stderr

// peakRSS is a process's peak resident set (VmHWM) in bytes, 0 if unknown.
func peakRSS(pid int) int64 {
	return procStatus(pid, "VmHWM:")
}

func procStatus(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), field) {
			parts := strings.Fields(sc.Text())
			if len(parts) >= 2 {
				kb, _ := strconv.ParseInt(parts[1], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
