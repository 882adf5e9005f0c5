"""`make bench`: Waitroom against a bare-websockets ceiling (see docs/benchmarks.md)."""
