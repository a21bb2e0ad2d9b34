package electrum

import (
	"strconv"
	"strings"
)

// compareVersions orders dotted protocol versions numerically ("1.4" < "1.4.2" < "1.10").
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func minVersion(a, b string) string {
	if compareVersions(a, b) <= 0 {
		return a
	}
	return b
}

func maxVersion(a, b string) string {
	if compareVersions(a, b) >= 0 {
		return a
	}
	return b
}
