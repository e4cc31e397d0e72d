package engine

import "os"

var debugSync = os.Getenv("ENGINE_DEBUG") != ""
