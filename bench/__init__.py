"""Benchmarks for massage-screening: `make bench` (see bench/run.py and README.md)."""
