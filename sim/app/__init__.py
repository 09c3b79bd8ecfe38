"""The application layer: the command line and its sub-commands.

Hydra glue for `python -m sim` (help, overrides, errors), one run from a validated config to a
complete results folder, the sweep callback, and the commands check, compare, report and
reproduce. The only layer that may import every other; nothing imports it.
"""
