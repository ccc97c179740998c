"""The unit tier: no services, only the domain and fakes. Hypothesis profiles live here.

`dev` (the default) keeps the property tests to a few seconds; CI sets HYPOTHESIS_PROFILE=ci
to run many more examples. Deadlines are off: the machine is shared and timings are noisy.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink]  # no slow "explain"

settings.register_profile(
    "dev",
    max_examples=100,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=PHASES,
)
settings.register_profile(
    "ci",
    max_examples=250,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=PHASES,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
