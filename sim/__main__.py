from sim.app.cli import cli

cli()
