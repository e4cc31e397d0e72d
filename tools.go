//go:build tools

// Package main's tools file pins the code generators used by go generate.
package main

import (
	_ "github.com/99designs/gqlgen"
)
