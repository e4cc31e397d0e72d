package main

import (
	"fmt"
	"runtime/debug"
)

// version and commit are set at link time:
//
//	go build -ldflags "-X main.version=1.2.3 -X main.commit=abc1234" .
//
// When they are left empty, buildInfo falls back to the module version and
// the VCS revision recorded by the Go toolchain, and finally to "dev".
var (
	version string
	commit  string
)

// buildInfo returns the version and commit of this binary, never empty.
func buildInfo() (ver, rev string) {
	ver, rev = version, commit
	if info, ok := debug.ReadBuildInfo(); ok {
		if ver == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			ver = info.Main.Version
		}
		if rev == "" {
			for _, s := range info.Settings {
				if s.Key == "vcs.revision" {
					rev = s.Value
				}
			}
		}
	}
	if ver == "" {
		ver = "dev"
	}
	if rev == "" {
		rev = "unknown"
	}
	return ver, rev
}

// versionLine is what `synchronizer version` prints.
func versionLine() string {
	ver, rev := buildInfo()
	return fmt.Sprintf("synchronizer %s (commit %s)", ver, rev)
}
