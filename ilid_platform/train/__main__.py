"""`python -m ilid_platform.train STAGE`: see `ilid_platform.train.stages`."""

import sys

from ilid_platform.train.stages import main

sys.exit(main())
