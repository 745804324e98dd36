"""The embedded demo catalog: three procedurally generated shops served on loopback."""

from ilid_platform.demo.generate import generate_catalog
from ilid_platform.demo.server import CatalogServer, running_catalog

__all__ = ["CatalogServer", "generate_catalog", "running_catalog"]
