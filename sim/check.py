"""`python -m sim.check`: the command itself is `sim.app.check`."""

import sys

from sim.app.check import main

if __name__ == "__main__":
    sys.exit(main())
