package main

import "testing"

func TestGlobRules(t *testing.T) {
	set, err := compileGlobs([]string{"assets/**", "src/**.js", "!**secret.*", "{a,b}/?.[ch]", "x\\*y", "[!z]*.md"})
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"assets/logos/logo.svg": true,
		"src/index.js":          true,
		"src/deep/er/index.js":  true,
		"src/secret.js":         false, // excluded by the later rule
		"assets/secret.key":     false,
		"src/index.ts":          false,
		"a/x.c":                 true,
		"b/y.h":                 true,
		"c/x.c":                 false,
		"a/xy.c":                false,
		"x*y":                   true,
		"xay":                   false,
		"readme.md":             true,
		"zed.md":                false,
		"docs/readme.md":        false, // * does not cross '/'
	} {
		if got := set.match(path); got != want {
			t.Errorf("match(%q) = %v, want %v", path, got, want)
		}
	}
	for _, bad := range []string{"[abc", "{a,b"} {
		if _, err := compileGlob(bad); err == nil {
			t.Errorf("compileGlob(%q) accepted", bad)
		}
	}
}
