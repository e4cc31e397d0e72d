package engine_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/synchronizer/synchronizer/engine"
)

func TestQuoteRemote(t *testing.T) {
	t.Parallel()
	if got := engine.QuoteRemote("  short answer \n"); got != "short answer" {
		t.Errorf("short text: %q", got)
	}
	long := strings.Repeat("é", engine.MaxQuoted) // 2 bytes each: the cut falls inside a character
	got := engine.QuoteRemote(long)
	if !strings.HasSuffix(got, "…") || len(got) > engine.MaxQuoted+len("…") || !utf8.ValidString(got) {
		t.Errorf("long text quoted as %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
	}
}
