from sim.cli import cli

cli()
