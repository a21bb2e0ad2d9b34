package main

import (
	"fmt"
	"regexp"
	"strings"
)

// globRule is one entry of assetPaths/archivePaths. The syntax follows the
// subset of github.com/gobwas/glob (with '/' as separator) that the SDK docs
// describe: `*` matches within one path segment, `**` across segments, `?`
// one non-separator character, `[...]`/`[!...]` character classes, `{a,b}`
// alternatives, `\` escapes; a leading `!` makes the rule an exclusion.
type globRule struct {
	exclude bool
	re      *regexp.Regexp
}

func compileGlob(pattern string) (globRule, error) {
	rule := globRule{}
	if strings.HasPrefix(pattern, "!") {
		rule.exclude = true
		pattern = pattern[1:]
	}
	expr, rest, err := globToRegexp(pattern, false)
	if err != nil {
		return rule, fmt.Errorf("invalid glob %q: %w", pattern, err)
	}
	if rest != "" {
		return rule, fmt.Errorf("invalid glob %q: unexpected %q", pattern, rest)
	}
	rule.re, err = regexp.Compile("^(?:" + expr + ")$")
	if err != nil {
		return rule, fmt.Errorf("invalid glob %q: %w", pattern, err)
	}
	return rule, nil
}

// globToRegexp translates until the end of the pattern, or (inside braces)
// until the closing '}' or a ',' which it leaves in rest for the caller.
func globToRegexp(p string, inBraces bool) (string, string, error) {
	var b strings.Builder
	for len(p) > 0 {
		c := p[0]
		switch {
		case inBraces && (c == ',' || c == '}'):
			return b.String(), p, nil
		case strings.HasPrefix(p, "**"):
			b.WriteString(".*")
			p = p[2:]
			continue
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '\\' && len(p) > 1:
			b.WriteString(regexp.QuoteMeta(p[1:2]))
			p = p[2:]
			continue
		case c == '[':
			end := strings.IndexByte(p[1:], ']')
			if end < 0 {
				return "", "", fmt.Errorf("unterminated character class")
			}
			class := p[1 : end+1]
			neg := strings.HasPrefix(class, "!")
			if neg {
				class = class[1:]
			}
			class = strings.ReplaceAll(class, `\`, `\\`)
			if neg {
				b.WriteString("[^/" + class + "]")
			} else {
				b.WriteString("[" + class + "]")
			}
			p = p[end+2:]
			continue
		case c == '{':
			var alts []string
			p = p[1:]
			for {
				alt, rest, err := globToRegexp(p, true)
				if err != nil {
					return "", "", err
				}
				if rest == "" {
					return "", "", fmt.Errorf("unterminated {")
				}
				alts = append(alts, alt)
				p = rest[1:]
				if rest[0] == '}' {
					break
				}
			}
			b.WriteString("(?:" + strings.Join(alts, "|") + ")")
			continue
		default:
			b.WriteString(regexp.QuoteMeta(p[:1]))
		}
		p = p[1:]
	}
	return b.String(), "", nil
}

// globSet evaluates rules in order: an include adds a path, a later exclude
// removes it again (and vice versa), as the SDK docs specify.
type globSet []globRule

func compileGlobs(patterns []string) (globSet, error) {
	var set globSet
	for _, p := range patterns {
		r, err := compileGlob(p)
		if err != nil {
			return nil, err
		}
		set = append(set, r)
	}
	return set, nil
}

func (s globSet) match(path string) bool {
	matched := false
	for _, r := range s {
		if r.re.MatchString(path) {
			matched = !r.exclude
		}
	}
	return matched
}
