"""The audit trail: one append-only, hash-chained record per API request (docs/audit.md)."""
