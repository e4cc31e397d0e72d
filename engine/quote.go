package engine

import (
	"strings"
	"unicode/utf8"
)

// MaxQuoted is how much of a remote system's text an error quotes.
const MaxQuoted = 300

// QuoteRemote bounds a remote system's text quoted in an error (check results, run records, the portal's last error,
// the audit log): trimmed, at most MaxQuoted bytes, cut at a character boundary and marked with "…", so a server the
// settings point at cannot reflect its answers verbatim in bulk. Connectors use it for every remote text they quote.
func QuoteRemote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= MaxQuoted {
		return s
	}
	cut := MaxQuoted
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
