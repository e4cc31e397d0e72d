package graph_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
)

// TestDocsQueriesValidate checks that every GraphQL operation in
// docs/graphql.md (the gql '…' calls and the graphql code blocks) parses and
// validates against the schema, so the guide cannot drift from the API.
func TestDocsQueriesValidate(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../docs/graphql.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	var ops []string
	for _, m := range regexp.MustCompile(`(?s)gql '([^']*)'`).FindAllStringSubmatch(doc, -1) {
		ops = append(ops, m[1])
	}
	for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(doc, -1) {
		ops = append(ops, m[1])
	}
	if len(ops) < 15 {
		t.Fatalf("found %d operations in the guide; the extraction is broken", len(ops))
	}
	s := loadSchema(t)
	for _, op := range ops {
		if strings.HasPrefix(op, "<") { // the placeholder in the helper's comment
			continue
		}
		if _, errs := gqlparser.LoadQueryWithRules(s, op, nil); errs != nil {
			t.Errorf("docs/graphql.md: %q: %v", op, errs)
		}
	}
}
