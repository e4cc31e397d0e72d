// Package ical reads and writes the content-line format shared by iCalendar (RFC 5545) and vCard (RFC 2426,
// RFC 6350): components (BEGIN/END), properties with parameters, line folding at 75 octets and CRLF line
// endings.
//
// The parser keeps everything it reads, in order: unknown components, properties, parameters and vCard property
// groups survive a Parse → Encode round trip, so a connector can change the properties it maps and write the rest
// back untouched. Property values are kept in their escaped wire form; Text and SetText convert TEXT values.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Param is one property parameter with its values (TYPE=work,voice has two values).
type Param struct {
	Name   string
	Values []string
}

// Prop is one content line: an optional vCard group ("item1"), a name, parameters and the raw (escaped) value.
type Prop struct {
	Group  string
	Name   string
	Params []Param
	Value  string
}

// Component is a BEGIN/END block (VCALENDAR, VEVENT, VTIMEZONE, VALARM, VCARD ...) with its properties and
// sub-components, in the order they were read.
type Component struct {
	Name     string
	Props    []Prop
	Children []*Component
}

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("ical: syntax error")

// maxDepth bounds component nesting so hostile input cannot exhaust the stack or memory.
const maxDepth = 32

// Parse reads data holding exactly one top-level component.
func Parse(data []byte) (*Component, error) {
	all, err := ParseAll(data)
	if err != nil {
		return nil, err
	}
	if len(all) != 1 {
		return nil, fmt.Errorf("%w: want one top-level component, found %d", ErrSyntax, len(all))
	}
	return all[0], nil
}

// ParseAll reads every top-level component in data (a vCard file may hold several VCARDs).
func ParseAll(data []byte) ([]*Component, error) {
	lines, err := unfold(data)
	if err != nil {
		return nil, err
	}
	var (
		top   []*Component
		stack []*Component
	)
	for _, ln := range lines {
		p, err := parseLine(ln.text)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrSyntax, ln.no, err)
		}
		switch {
		case p.Name == "BEGIN" && p.Group == "":
			name := strings.ToUpper(p.Value)
			if !validName(name) {
				return nil, fmt.Errorf("%w: line %d: bad component name %q", ErrSyntax, ln.no, p.Value)
			}
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("%w: line %d: components nested deeper than %d", ErrSyntax, ln.no, maxDepth)
			}
			c := &Component{Name: name}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, c)
			} else {
				top = append(top, c)
			}
			stack = append(stack, c)
		case p.Name == "END" && p.Group == "":
			if len(stack) == 0 {
				return nil, fmt.Errorf("%w: line %d: END:%s without BEGIN", ErrSyntax, ln.no, p.Value)
			}
			cur := stack[len(stack)-1]
			if !strings.EqualFold(cur.Name, p.Value) {
				return nil, fmt.Errorf("%w: line %d: END:%s closes BEGIN:%s", ErrSyntax, ln.no, p.Value, cur.Name)
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				return nil, fmt.Errorf("%w: line %d: property %s outside any component", ErrSyntax, ln.no, p.Name)
			}
			cur := stack[len(stack)-1]
			cur.Props = append(cur.Props, p)
		}
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("%w: BEGIN:%s is never closed", ErrSyntax, stack[len(stack)-1].Name)
	}
	if len(top) == 0 {
		return nil, fmt.Errorf("%w: no component found", ErrSyntax)
	}
	return top, nil
}

type line struct {
	no   int
	text string
}

// unfold splits data into logical lines: CRLF or LF ends a line, and a line starting with a space or a tab
// continues the previous one (the first whitespace character is removed).
func unfold(data []byte) ([]line, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var out []line
	var cur strings.Builder
	curNo := 0
	have := false
	no := 0
	for len(data) > 0 {
		no++
		i := bytes.IndexByte(data, '\n')
		var raw []byte
		if i < 0 {
			raw, data = data, nil
		} else {
			raw, data = data[:i], data[i+1:]
		}
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') {
			if !have {
				return nil, fmt.Errorf("%w: line %d: continuation line without a line to continue", ErrSyntax, no)
			}
			cur.Write(raw[1:])
			continue
		}
		if have {
			out = append(out, line{curNo, cur.String()})
			cur.Reset()
			have = false
		}
		if len(raw) == 0 {
			continue
		}
		cur.Write(raw)
		curNo = no
		have = true
	}
	if have {
		out = append(out, line{curNo, cur.String()})
	}
	return out, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameChar(s[i]) {
			return false
		}
	}
	return true
}

// isNameChar reports whether c may appear in a property, parameter or group name (ALPHA / DIGIT / "-").
func isNameChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'
}

// parseLine parses one unfolded content line: [group "."] name *(";" param) ":" value.
func parseLine(s string) (Prop, error) {
	var p Prop
	i := 0
	for i < len(s) && s[i] != ';' && s[i] != ':' {
		i++
	}
	if i == len(s) {
		return p, fmt.Errorf("no ':' in %q", clip(s))
	}
	name := s[:i]
	if dot := strings.LastIndexByte(name, '.'); dot >= 0 {
		p.Group = name[:dot]
		name = name[dot+1:]
		if !validName(p.Group) {
			return p, fmt.Errorf("bad property group %q", clip(p.Group))
		}
	}
	if !validName(name) {
		return p, fmt.Errorf("bad property name %q", clip(name))
	}
	p.Name = strings.ToUpper(name)
	for i < len(s) && s[i] == ';' {
		i++
		j := i
		for j < len(s) && s[j] != '=' && s[j] != ';' && s[j] != ':' {
			j++
		}
		pname := s[i:j]
		if !validName(pname) {
			return p, fmt.Errorf("property %s: bad parameter name %q", p.Name, clip(pname))
		}
		param := Param{Name: strings.ToUpper(pname)}
		if j < len(s) && s[j] == '=' {
			j++
			for {
				var v string
				if j < len(s) && s[j] == '"' {
					k := strings.IndexByte(s[j+1:], '"')
					if k < 0 {
						return p, fmt.Errorf("property %s: parameter %s: unterminated quoted value", p.Name, param.Name)
					}
					v = s[j+1 : j+1+k]
					j = j + 1 + k + 1
				} else {
					k := j
					for k < len(s) && s[k] != ',' && s[k] != ';' && s[k] != ':' {
						if s[k] == '"' {
							return p, fmt.Errorf("property %s: parameter %s: quote inside an unquoted value", p.Name, param.Name)
						}
						k++
					}
					v = s[j:k]
					j = k
				}
				param.Values = append(param.Values, v)
				if j < len(s) && s[j] == ',' {
					j++
					continue
				}
				break
			}
		} else {
			// vCard 2.1 style bare parameter ("TEL;WORK:..."): keep it as TYPE=WORK.
			param = Param{Name: "TYPE", Values: []string{pname}}
		}
		p.Params = append(p.Params, param)
		i = j
	}
	if i >= len(s) || s[i] != ':' {
		return p, fmt.Errorf("property %s: expected ':' after the parameters", p.Name)
	}
	p.Value = s[i+1:]
	return p, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Encode writes c with CRLF line endings, folding lines longer than 75 octets without splitting UTF-8 characters.
func (c *Component) Encode() []byte {
	var b bytes.Buffer
	c.encode(&b)
	return b.Bytes()
}

func (c *Component) encode(b *bytes.Buffer) {
	writeLine(b, "BEGIN:"+c.Name)
	for _, p := range c.Props {
		writeLine(b, p.String())
	}
	for _, ch := range c.Children {
		ch.encode(b)
	}
	writeLine(b, "END:"+c.Name)
}

// String formats p as one unfolded content line.
func (p Prop) String() string {
	var s strings.Builder
	if p.Group != "" {
		s.WriteString(p.Group)
		s.WriteByte('.')
	}
	s.WriteString(p.Name)
	for _, pa := range p.Params {
		s.WriteByte(';')
		s.WriteString(pa.Name)
		s.WriteByte('=')
		for i, v := range pa.Values {
			if i > 0 {
				s.WriteByte(',')
			}
			v = strings.Map(func(r rune) rune {
				if r == '"' || r == '\r' || r == '\n' {
					return -1
				}
				return r
			}, v)
			if strings.ContainsAny(v, ";:,") {
				s.WriteByte('"')
				s.WriteString(v)
				s.WriteByte('"')
			} else {
				s.WriteString(v)
			}
		}
	}
	s.WriteByte(':')
	s.WriteString(p.Value)
	return s.String()
}

func writeLine(b *bytes.Buffer, s string) {
	const maxLine = 75
	first := true
	for len(s) > 0 {
		limit := maxLine
		if !first {
			limit = maxLine - 1 // the leading space counts
		}
		if len(s) <= limit {
			if !first {
				b.WriteByte(' ')
			}
			b.WriteString(s)
			break
		}
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 {
			cut = limit
		}
		if !first {
			b.WriteByte(' ')
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n")
		s = s[cut:]
		first = false
	}
	b.WriteString("\r\n")
}

// Prop returns the first property called name, or nil.
func (c *Component) Prop(name string) *Prop {
	for i := range c.Props {
		if c.Props[i].Name == name {
			return &c.Props[i]
		}
	}
	return nil
}

// All returns every property called name, in order.
func (c *Component) All(name string) []*Prop {
	var out []*Prop
	for i := range c.Props {
		if c.Props[i].Name == name {
			out = append(out, &c.Props[i])
		}
	}
	return out
}

// Remove deletes every property whose name is in names.
func (c *Component) Remove(names ...string) {
	out := c.Props[:0]
	for _, p := range c.Props {
		drop := false
		for _, n := range names {
			if p.Name == n {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, p)
		}
	}
	c.Props = out
}

// Add appends p.
func (c *Component) Add(p Prop) { c.Props = append(c.Props, p) }

// Set replaces the first property called p.Name with p (and removes the others) or appends p, keeping the
// position of the first one.
func (c *Component) Set(p Prop) {
	idx := -1
	out := c.Props[:0]
	for _, q := range c.Props {
		if q.Name == p.Name {
			if idx < 0 {
				idx = len(out)
				out = append(out, p)
			}
			continue
		}
		out = append(out, q)
	}
	c.Props = out
	if idx < 0 {
		c.Props = append(c.Props, p)
	}
}

// Sub returns the sub-components called name.
func (c *Component) Sub(name string) []*Component {
	var out []*Component
	for _, ch := range c.Children {
		if ch.Name == name {
			out = append(out, ch)
		}
	}
	return out
}

// Clone returns a deep copy of c.
func (c *Component) Clone() *Component {
	n := &Component{Name: c.Name, Props: make([]Prop, len(c.Props))}
	for i, p := range c.Props {
		q := p
		q.Params = make([]Param, len(p.Params))
		for j, pa := range p.Params {
			q.Params[j] = Param{Name: pa.Name, Values: append([]string(nil), pa.Values...)}
		}
		n.Props[i] = q
	}
	for _, ch := range c.Children {
		n.Children = append(n.Children, ch.Clone())
	}
	return n
}

// Param returns the first value of parameter name, or "".
func (p *Prop) Param(name string) string {
	for _, pa := range p.Params {
		if pa.Name == name && len(pa.Values) > 0 {
			return pa.Values[0]
		}
	}
	return ""
}

// ParamValues returns every value of every parameter called name.
func (p *Prop) ParamValues(name string) []string {
	var out []string
	for _, pa := range p.Params {
		if pa.Name == name {
			out = append(out, pa.Values...)
		}
	}
	return out
}

// Text returns the value unescaped as an RFC 5545 TEXT value (\n, \, \; and \\).
func (p *Prop) Text() string { return Unescape(p.Value) }

// Unescape decodes a TEXT value.
func Unescape(s string) string {
	if !strings.ContainsRune(s, '\\') {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// Escape encodes s as a TEXT value.
func Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteString(`\n`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// SplitUnescaped splits an escaped value at sep characters that are not escaped, and unescapes each part
// (CATEGORIES, vCard N and ADR).
func SplitUnescaped(s string, sep byte) []string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == sep {
			parts = append(parts, Unescape(s[start:i]))
			start = i + 1
		}
	}
	return append(parts, Unescape(s[start:]))
}

// JoinEscaped escapes each part and joins them with sep.
func JoinEscaped(parts []string, sep string) string {
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = Escape(p)
	}
	return strings.Join(esc, sep)
}
