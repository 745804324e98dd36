"""Suite-wide settings that must precede the first torch import."""

import os

# torch's OpenMP threads busy-wait by default, which makes training crawl on a loaded 2-core box.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
