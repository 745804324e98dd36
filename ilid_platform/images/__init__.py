"""Image download, validation, normalisation, perceptual hashing and near-duplicate clustering."""
