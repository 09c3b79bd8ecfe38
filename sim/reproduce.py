"""`python -m sim.reproduce`: the command itself is `sim.app.reproduce`."""

import sys

from sim.app.reproduce import main

if __name__ == "__main__":
    sys.exit(main())
