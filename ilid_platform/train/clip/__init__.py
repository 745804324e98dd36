"""What adapts CLIP: the `clip_model` stage (`stage`), its evaluation, the adaptation
protocol that compares every method on a shop it never saw (`adaptation_protocol`), and
the methods themselves (`methods/`)."""
