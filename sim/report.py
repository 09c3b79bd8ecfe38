"""`python -m sim.report`: the command itself is `sim.app.report`."""

import sys

from sim.app.report import main

if __name__ == "__main__":
    sys.exit(main())
