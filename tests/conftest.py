"""Shared pytest setup: tests import helpers from tests/support/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.examples import register_profiles

register_profiles()
