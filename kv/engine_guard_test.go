package kv_test

import (
	"github.com/synchronizer/synchronizer/engine"
	"github.com/synchronizer/synchronizer/kv"
)

// *kv.DB is the engine's durable store. The guard lives in a test file so
// the kv package itself imports nothing of ours.
var _ engine.KV = (*kv.DB)(nil)
