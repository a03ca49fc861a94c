//! Reports: outcomes → text, json, jsonl, csv, snapshot; diffs of two policies.
