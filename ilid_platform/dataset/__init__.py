"""Leakage-free splits and dataset shards."""
