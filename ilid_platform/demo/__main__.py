import sys

from ilid_platform.demo.cli import main

sys.exit(main())
