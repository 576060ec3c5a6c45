"""The sample captures in examples/ are what examples/make_examples.py writes."""

from __future__ import annotations

import subprocess
import sys

from support.fixtures import FIXTURES

EXAMPLES = FIXTURES.parent.parent / "examples"


def test_examples_are_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "make_examples.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
