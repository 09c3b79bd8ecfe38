"""The results layer: what a run observed and where it is kept.

The record types and their table columns, the joining of a run's parts (`assembly`), the layout of
a results folder (every file name in one place), atomic writing and reading of tables and JSON, a
folder's status, and the provenance of a run. May import numpy, yaml (a sweep's job overrides),
pandas (its CSV parser, in `files.read_table` alone), the standard library and itself; nothing
else of the project.
"""
