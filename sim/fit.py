"""`python -m sim.fit`: the command itself is `sim.app.fit`."""

import sys

from sim.app.fit import main

if __name__ == "__main__":
    sys.exit(main())
