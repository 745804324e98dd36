"""Dagster wiring: thin assets over the domain packages."""
