package superoffice

import (
	"fmt"
	"strings"
)

// Template formats a mailbox subject from CRM fields and parses it back. Placeholders are {title}, {type},
// {company}, {person}, {project} and {sale}; everything else is literal. A template must contain {title}.
type Template struct {
	src   string
	parts []string // literals at even indexes, placeholder names at odd ones
}

// placeholderNames are the placeholders in the order the docs list them.
var placeholderNames = []string{"title", "type", "company", "person", "project", "sale"}

var placeholders = map[string]bool{"title": true, "type": true, "company": true, "person": true, "project": true, "sale": true}

// Placeholders returns the names a template may use, without braces: title, type, company, person, project, sale.
func Placeholders() []string { return append([]string(nil), placeholderNames...) }

// ParseTemplate compiles a template such as "{type}: {title} — {company}".
func ParseTemplate(src string) (*Template, error) {
	t := &Template{src: src}
	rest := src
	seenTitle := false
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			t.parts = append(t.parts, rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return nil, fmt.Errorf("unclosed { in %q", src)
		}
		name := rest[i+1 : i+j]
		if !placeholders[name] {
			return nil, fmt.Errorf("unknown placeholder {%s} (want title, type, company, person, project or sale)", name)
		}
		if name == "title" {
			if seenTitle {
				return nil, fmt.Errorf("{title} appears twice in %q", src)
			}
			seenTitle = true
		}
		t.parts = append(t.parts, rest[:i], name)
		rest = rest[i+j+1:]
	}
	if !seenTitle {
		return nil, fmt.Errorf("%q has no {title}", src)
	}
	return t, nil
}

// Format fills the template. An empty placeholder is dropped together with the literal that separates it from
// the title side, so "{type}: {title}" with no type gives just the title.
func (t *Template) Format(v map[string]string) string {
	titleIdx := 0
	for i := 1; i < len(t.parts); i += 2 {
		if t.parts[i] == "title" {
			titleIdx = i
		}
	}
	skip := map[int]bool{}
	for i := 1; i < len(t.parts); i += 2 {
		if t.parts[i] == "title" || v[t.parts[i]] != "" {
			continue
		}
		if i < titleIdx {
			skip[i+1] = true
		} else {
			skip[i-1] = true
		}
	}
	var b strings.Builder
	for i, p := range t.parts {
		switch {
		case skip[i]:
		case i%2 == 0:
			b.WriteString(p)
		default:
			b.WriteString(v[p])
		}
	}
	return b.String()
}

// Title extracts the CRM title from a subject produced by Format with the other values of v; a subject the user
// rewrote freely is taken as the title as it is.
func (t *Template) Title(subject string, v map[string]string) string {
	w := map[string]string{}
	for k, x := range v {
		w[k] = x
	}
	w["title"] = "\x00"
	pre, suf, _ := strings.Cut(t.Format(w), "\x00")
	if len(subject) >= len(pre)+len(suf) && strings.HasPrefix(subject, pre) && strings.HasSuffix(subject, suf) {
		return subject[len(pre) : len(subject)-len(suf)]
	}
	return subject
}
