"""Statistics, figures and reports built from records and result files (never from SimPy)."""
