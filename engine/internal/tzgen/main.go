// Command tzgen generates engine/windowszones_gen.go, the tables behind engine.CanonicalZone,
// engine.IANAFromWindows and engine.WindowsFromIANA, from two committed data files:
//
//   - engine/tzdata/windowsZones.xml, the CLDR mapping of Windows time-zone ids to IANA names;
//   - engine/tzdata/backward.txt, the IANA backward-compatibility links ("L target alias").
//
// Run it from the repository root (go run ./engine/internal/tzgen) or through go generate in engine/. The output
// is deterministic: regenerating from the same inputs yields no diff.
//
// A backward link becomes an alias (the alias name is rewritten to its target) unless CLDR lists the alias and
// its target under different territories: such a "link" joins two places that merely share their clock today
// (Europe/Bratislava → Europe/Prague, Arctic/Longyearbyen → Europe/Berlin) and users expect to keep their own
// place's name. Every name whose target is Etc/UTC or Etc/GMT, and those two themselves, map to "UTC".
package main

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type supplemental struct {
	Map struct {
		Other string `xml:"otherVersion,attr"`
		Type  string `xml:"typeVersion,attr"`
		Zones []struct {
			Other     string `xml:"other,attr"`
			Territory string `xml:"territory,attr"`
			Type      string `xml:"type,attr"`
		} `xml:"mapZone"`
	} `xml:"windowsZones>mapTimezones"`
}

func main() {
	dir := flag.String("dir", "", "the engine package directory (default: ./engine, or . when run by go generate)")
	flag.Parse()
	if *dir == "" {
		*dir = "engine"
		if _, err := os.Stat(filepath.Join(*dir, "tzdata")); err != nil {
			*dir = "."
		}
	}
	src, err := generate(filepath.Join(*dir, "tzdata", "windowsZones.xml"), filepath.Join(*dir, "tzdata", "backward.txt"))
	if err != nil {
		log.Fatalf("tzgen: %v", err)
	}
	if err := os.WriteFile(filepath.Join(*dir, "windowszones_gen.go"), src, 0o644); err != nil { //nolint:gosec // G306: generated Go source committed to the repository; it must be world-readable like every other source file
		log.Fatalf("tzgen: %v", err)
	}
}

func generate(xmlPath, linksPath string) ([]byte, error) {
	raw, err := os.ReadFile(xmlPath) //nolint:gosec // G304: path is built from the operator-supplied -dir flag of this code generator
	if err != nil {
		return nil, err
	}
	var sd supplemental
	if err := xml.Unmarshal(raw, &sd); err != nil {
		return nil, fmt.Errorf("%s: %w", xmlPath, err)
	}
	if len(sd.Map.Zones) == 0 {
		return nil, fmt.Errorf("%s: no mapZone elements", xmlPath)
	}
	display, err := displayNames(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", xmlPath, err)
	}
	links, err := readLinks(linksPath)
	if err != nil {
		return nil, err
	}

	// Territories of every IANA name CLDR lists (ZZ, the "no territory" pseudo-region, is ignored).
	territories := map[string]map[string]bool{}
	for _, z := range sd.Map.Zones {
		if z.Territory == "ZZ" {
			continue
		}
		for _, name := range strings.Fields(z.Type) {
			if territories[name] == nil {
				territories[name] = map[string]bool{}
			}
			territories[name][z.Territory] = true
		}
	}
	sameTerritory := func(a, b string) bool {
		ta, tb := territories[a], territories[b]
		if ta == nil || tb == nil {
			return true
		}
		for t := range ta {
			if tb[t] {
				return true
			}
		}
		return false
	}

	aliases := map[string]string{}
	for alias, target := range links {
		if target == "Etc/UTC" || target == "Etc/GMT" {
			aliases[alias] = "UTC"
			continue
		}
		if !sameTerritory(alias, target) {
			continue
		}
		aliases[alias] = target
	}
	aliases["Etc/UTC"] = "UTC"
	aliases["Etc/GMT"] = "UTC"
	canonical := func(name string) string {
		for i := 0; i < 4; i++ { // links never chain deeper; the bound guards against a cycle in bad input
			t, ok := aliases[name]
			if !ok {
				break
			}
			name = t
		}
		return name
	}
	for a := range aliases {
		aliases[a] = canonical(a)
	}
	delete(aliases, "UTC") // "UTC" is the canonical name itself

	winToIANA := map[string]string{} // "lower(windows)|territory" → first IANA name, canonical
	winNames := map[string]string{}  // lower(windows) → windows id as CLDR spells it
	ianaToWin := map[string]string{} // IANA name (as listed and canonical) → windows id
	primary := map[string]bool{}     // IANA names already mapped from a territory-001 entry
	for _, z := range sd.Map.Zones {
		names := strings.Fields(z.Type)
		if len(names) == 0 || z.Other == "" || z.Territory == "" {
			return nil, fmt.Errorf("%s: mapZone other=%q territory=%q type=%q is incomplete", xmlPath, z.Other, z.Territory, z.Type)
		}
		low := strings.ToLower(z.Other)
		winNames[low] = z.Other
		key := low + "|" + z.Territory
		if _, dup := winToIANA[key]; !dup {
			winToIANA[key] = canonical(names[0])
		}
		if z.Territory == "ZZ" {
			continue // Etc/GMT+n stand-ins; they map back through their 001 entries
		}
		for _, n := range names {
			for _, k := range []string{n, canonical(n)} {
				if prev, ok := ianaToWin[k]; ok && (primary[k] || prev == z.Other) {
					continue
				}
				ianaToWin[k] = z.Other
				if z.Territory == "001" {
					primary[k] = true
				}
			}
		}
	}
	if _, ok := ianaToWin["UTC"]; !ok {
		ianaToWin["UTC"] = "UTC"
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by go run ./internal/tzgen; DO NOT EDIT.\n")
	fmt.Fprintf(&b, "// Sources: tzdata/windowsZones.xml (CLDR, otherVersion %s, typeVersion %s) and tzdata/backward.txt.\n\n", sd.Map.Other, sd.Map.Type)
	fmt.Fprintf(&b, "package engine\n\n")
	writeMap(&b, "windowsZoneNames maps a lower-cased Windows time-zone id to its spelling in CLDR.", "windowsZoneNames", winNames)
	writeMap(&b, "windowsToIANA maps \"lower-cased Windows id|territory\" to the canonical IANA name CLDR lists first.", "windowsToIANA", winToIANA)
	writeMap(&b, "ianaToWindows maps an IANA name (as CLDR lists it, and its canonical form) to its Windows id.", "ianaToWindows", ianaToWin)
	writeMap(&b, "windowsDisplayNames maps a lower-cased Windows display name (\"(UTC+01:00) Amsterdam, Berlin, ...\", as Outlook writes into iCalendar TZIDs) to its Windows id.", "windowsDisplayNames", display)
	writeMap(&b, "zoneAliases maps a deprecated or alternative IANA name to its canonical name.", "zoneAliases", aliases)
	return format.Source(b.Bytes())
}

// displayNames reads the comments CLDR puts before each Windows zone's entries ("<!-- (UTC+01:00) Amsterdam,
// Berlin, ... -->") and maps each lower-cased display name to the Windows id that follows it. A display name that
// precedes two different ids is ambiguous and left out.
func displayNames(raw []byte) (map[string]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(raw))
	out := map[string]string{}
	ambiguous := map[string]bool{}
	pending := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.Comment:
			c := strings.TrimSpace(string(t))
			if strings.HasPrefix(c, "(UTC") {
				pending = strings.ToLower(strings.Join(strings.Fields(c), " "))
			}
		case xml.StartElement:
			if t.Name.Local != "mapZone" || pending == "" {
				continue
			}
			for _, a := range t.Attr {
				if a.Name.Local != "other" {
					continue
				}
				if prev, ok := out[pending]; ok && prev != a.Value {
					ambiguous[pending] = true
				}
				out[pending] = a.Value
			}
			pending = ""
		}
	}
	for d := range ambiguous {
		delete(out, d)
	}
	return out, nil
}

func writeMap(b *bytes.Buffer, doc, name string, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(b, "// %s\nvar %s = map[string]string{\n", doc, name)
	for _, k := range keys {
		fmt.Fprintf(b, "\t%q: %q,\n", k, m[k])
	}
	fmt.Fprintf(b, "}\n\n")
}

func readLinks(path string) (map[string]string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: path is built from the operator-supplied -dir flag of this code generator
	if err != nil {
		return nil, err
	}
	defer f.Close()
	links := map[string]string{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		fs := strings.Fields(s)
		if len(fs) != 3 || fs[0] != "L" {
			return nil, fmt.Errorf("%s:%d: want \"L target alias\", got %q", path, line, s)
		}
		links[fs[2]] = fs[1]
	}
	return links, sc.Err()
}
