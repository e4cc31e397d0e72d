// Package engine is Synchronizer's sync core: the canonical model of the items we sync, the contract every
// connector implements, and (in the files and subpackages around it) the three-way planner, the link state, the
// crash-safe journal, the guards, the trace, the scheduler and the governor.
//
// Import rules: connectors (engine/<system>) import engine for its types and never each other, kv or graph;
// engine never imports graph or kv (it persists through the small KV interface, which *kv.DB satisfies).
package engine
