"""`python -m sim.sensitivity`: the command itself is `sim.app.sensitivity`."""

from sim.app.sensitivity import cli

if __name__ == "__main__":
    cli()
