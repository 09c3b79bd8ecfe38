"""The model layer: the SimPy world of one replication.

A compiled plan (inert data: `plan`), the calendar of opening hours and closures, a checkpoint's
lanes, movements' journeys and the rule for rerouting them, and one replication run to the
horizon. It receives its random values already drawn and never sees the configuration. May
import simpy, numpy and itself only.
"""
