"""Experiments: variants tried for the for-you ranking, kept so their figures in
docs/benchmarks.md can be re-run. The benchmarks of what is served are one level up."""
