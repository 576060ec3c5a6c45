"""How hard the Hypothesis tests try: full counts in CI, a tenth of them locally.

Two profiles, registered by ``tests/conftest.py``: ``ci`` (chosen when the ``CI``
environment variable is ``true``, as CI sets it) draws every test's full count of
examples; ``dev`` (the default elsewhere) draws a tenth, so that a local run of the
suite stays quick. ``HYPOTHESIS_PROFILE=ci`` (or ``dev``) picks one explicitly.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["PROFILE", "TIMEOUT", "examples", "register_profiles"]

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or (
    "ci" if os.environ.get("CI", "").lower() == "true" else "dev"
)
"""The profile this run uses."""

_DEV_SHARE = 10

TIMEOUT = 300 if PROFILE == "ci" else 60
"""pytest-timeout's guard, in seconds, for a module of tests that draw many examples.

pytest.ini's 60 s is a guard against a hang, not a speed limit. At full counts a property
test takes up to a minute on a loaded 2-core machine (and pytest-timeout's signal in the
middle of a draw shows as Hypothesis' FlakyStrategyDefinition, not as a timeout), so
such modules set ``pytestmark = pytest.mark.timeout(TIMEOUT)``: still a bound, with room.
"""


def examples(full: int) -> int:
    """The number of examples a test with ``full`` examples in CI draws in this run."""
    return full if PROFILE == "ci" else max(10, full // _DEV_SHARE)


def register_profiles() -> None:
    """Register the ``ci`` and ``dev`` profiles and load the one this run uses."""
    common = settings(
        deadline=None,  # the machine's load is not the code's speed
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    settings.register_profile("ci", common, max_examples=100, print_blob=True)
    settings.register_profile("dev", common, max_examples=examples(100))
    settings.load_profile(PROFILE)
