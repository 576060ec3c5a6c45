"""Node and the TypeScript package's dependencies, for the tests that need them.

Without node or ``typescript/node_modules`` those tests skip with the reason,
except in CI (``CI`` set), where skipping would hide that they never ran.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

TS_DIR = Path(__file__).resolve().parent.parent.parent / "typescript"


def require_node() -> str:
    """Return node's path, or skip (fail in CI) when node or the npm dependencies are missing."""
    node = shutil.which("node")
    if node is None:
        missing = "node is not on PATH"
    elif not (TS_DIR / "node_modules").is_dir():
        missing = "typescript/node_modules is missing (run `npm ci --prefix typescript`)"
    else:
        return node
    if os.environ.get("CI"):
        pytest.fail(f"{missing}: CI must run the TypeScript checks")
    pytest.skip(missing)


def run_node(*args: str) -> str:
    """Run node in ``typescript/`` with ``args``; return its stdout, failing on a non-zero exit."""
    result = subprocess.run(
        [require_node(), *args], cwd=TS_DIR, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        pytest.fail(f"node {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout
