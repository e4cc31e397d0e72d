package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestGeneratedIsCurrent fails when engine/windowszones_gen.go is not what the generator makes from the committed
// data files (run go generate ./engine to refresh it).
func TestGeneratedIsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..")
	got, err := generate(filepath.Join(dir, "tzdata", "windowsZones.xml"), filepath.Join(dir, "tzdata", "backward.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "windowszones_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Error("windowszones_gen.go is stale: run go generate ./engine")
	}
}

func TestGenerateRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	x := filepath.Join(dir, "z.xml")
	l := filepath.Join(dir, "l.txt")
	os.WriteFile(x, []byte(`<supplementalData><windowsZones><mapTimezones></mapTimezones></windowsZones></supplementalData>`), 0o644)
	os.WriteFile(l, []byte("L Europe/Kyiv Europe/Kiev\n"), 0o644)
	if _, err := generate(x, l); err == nil {
		t.Error("no mapZone elements: no error")
	}
	os.WriteFile(x, []byte(`<supplementalData><windowsZones><mapTimezones><mapZone other="A" territory="001" type="Europe/Oslo"/></mapTimezones></windowsZones></supplementalData>`), 0o644)
	os.WriteFile(l, []byte("Link Europe/Kyiv\n"), 0o644)
	if _, err := generate(x, l); err == nil {
		t.Error("bad link line: no error")
	}
}
