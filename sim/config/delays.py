"""The shapes a random duration can take in a scenario, and the fields each shape is given by."""

from __future__ import annotations

from sim.config.schema import Distribution

# Which fields each shape needs; validation uses this to name what is missing.
REQUIRED_FIELDS: dict[Distribution, tuple[tuple[str, ...], ...]] = {
    Distribution.fixed: (("value_h",),),
    Distribution.exponential: (("mean_h",),),
    Distribution.lognormal: (("mean_h", "sd_h"), ("median_h", "p90_h")),
    Distribution.gamma: (("mean_h", "sd_h"),),
    Distribution.triangular: (("low_h", "mode_h", "high_h"),),
    Distribution.uniform: (("low_h", "high_h"),),
    Distribution.empirical: (("values_h",),),
}
