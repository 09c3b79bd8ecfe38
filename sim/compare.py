"""`python -m sim.compare`: the command itself is `sim.app.compare`."""

import sys

from sim.app.compare import main

if __name__ == "__main__":
    sys.exit(main())
