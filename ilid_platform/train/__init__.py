"""Training, by what it trains: `clip/` adapts an open_clip CLIP (one module per method) and
`students/` distils a CLIP teacher into a timm student (VL2V-ADiP). Here is what both share:
the one loop, its batches, weight averaging, checkpoints, torchrun processes, scores and
reports."""

import os

# OpenMP threads that busy-wait for work make torch several times slower on a CPU shared
# with other jobs (measured 5x for 2 threads on 2 busy cores). The runtime reads this once,
# when torch loads, so it is set here before any train module imports torch; an explicit
# setting in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
