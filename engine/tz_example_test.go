package engine_test

import (
	"fmt"

	"github.com/synchronizer/synchronizer/engine"
)

func ExampleCanonicalZone() {
	for _, name := range []string{"US/Eastern", "Europe/Kiev", "W. Europe Standard Time", "Etc/UTC"} {
		z, _ := engine.CanonicalZone(name)
		fmt.Println(name, "→", z)
	}
	_, err := engine.CanonicalZone("Mars/Olympus_Mons")
	fmt.Println(err)
	// Output:
	// US/Eastern → America/New_York
	// Europe/Kiev → Europe/Kyiv
	// W. Europe Standard Time → Europe/Berlin
	// Etc/UTC → UTC
	// engine: unknown time zone "Mars/Olympus_Mons"
}

func ExampleWindowsFromIANA() {
	w, _ := engine.WindowsFromIANA("Europe/Oslo")
	iana, _ := engine.IANAFromWindows(w, "NO")
	fmt.Println(w, "→", iana)
	// Output: W. Europe Standard Time → Europe/Oslo
}
