"""ILID Platform: industrial language-image datasets from product catalogs."""
