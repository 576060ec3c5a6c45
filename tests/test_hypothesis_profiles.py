"""The Hypothesis profiles: full counts when CI says it is CI, a tenth locally."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def profile_under(**env: str) -> tuple[str, int, int | None]:
    code = (
        "from hypothesis import settings\n"
        "from support.examples import PROFILE, examples, register_profiles\n"
        "register_profiles()\n"
        "print(PROFILE, examples(200), settings.default.max_examples)\n"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"CI", "HYPOTHESIS_PROFILE"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=TESTS,
        env={**clean, **env},
    )
    name, count, default = result.stdout.split()
    return name, int(count), int(default)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CI": "true"}, ("ci", 200, 100)),
        ({}, ("dev", 20, 10)),
        ({"CI": "false"}, ("dev", 20, 10)),
        ({"CI": "true", "HYPOTHESIS_PROFILE": "dev"}, ("dev", 20, 10)),
        ({"HYPOTHESIS_PROFILE": "ci"}, ("ci", 200, 100)),
    ],
)
def test_ci_draws_the_full_counts_and_a_local_run_a_tenth(
    env: dict[str, str], expected: tuple[str, int, int]
) -> None:
    assert profile_under(**env) == expected
