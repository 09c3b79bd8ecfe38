"""`python -m sim.uncertainty`: the command itself is `sim.app.sensitivity.uncertainty_cli`."""

from sim.app.sensitivity import uncertainty_cli

if __name__ == "__main__":
    uncertainty_cli()
