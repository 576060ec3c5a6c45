"""The expected-failures baseline: check ids that may fail without failing the run.

As in MCP's conformance suite, the baseline can only shrink: a listed check
that now passes fails the run ("stale baseline"), so a fix is noticed and
the entry removed. The file is JSON (a list of ids, or ``{"probe": [...]}``)
or this small subset of YAML, read without a YAML library::

    # known failures of our server, with the issue that tracks each
    - invalid-message-code   # issue 412
    - idle-tolerated

or the same list under a ``probe:`` key. Anything else in a ``.yml``/``.yaml``
file is refused with the line that is not understood.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

from lambda_agent_api.exceptions import ProbeError
from lambda_agent_api.probe.checks import CHECKS

__all__ = ["load_expected_failures", "parse_expected_failures"]

_MAX_BYTES: Final = 1024 * 1024
_ITEM: Final = re.compile(r"-\s+(['\"]?)([A-Za-z0-9_.-]+)\1\s*(?:#.*)?")
_KEY: Final = re.compile(r"probe:\s*(?:#.*)?")
_EMPTY_LIST: Final = re.compile(r"(?:probe:\s*)?\[\]\s*(?:#.*)?")


def load_expected_failures(path: str | Path) -> frozenset[str]:
    """Read a baseline file; return its check ids.

    Raises:
        ProbeError: the file cannot be read, is not a list of ids in JSON or the
            YAML subset, or names a check that does not exist.
    """
    path = Path(path)
    try:
        with path.open("rb") as file:
            data = file.read(_MAX_BYTES + 1)
    except OSError as error:
        raise ProbeError(f"{path}: cannot read: {error.strerror or error}") from error
    if len(data) > _MAX_BYTES:
        raise ProbeError(f"{path}: larger than {_MAX_BYTES} bytes; a baseline is a short list")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ProbeError(f"{path}: not UTF-8 text") from error
    return parse_expected_failures(text, str(path))


def parse_expected_failures(text: str, source: str = "<baseline>") -> frozenset[str]:
    """Parse a baseline's text (JSON, or the YAML subset); return its check ids.

    Raises:
        ProbeError: as :func:`load_expected_failures`.
    """
    stripped = text.strip()
    if stripped.startswith(("[", "{")):
        try:
            value: Any = json.loads(stripped)
        except (ValueError, RecursionError) as error:
            raise ProbeError(f"{source}: not JSON: {error}") from error
        if isinstance(value, dict) and set(value) == {"probe"}:
            value = value["probe"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ProbeError(f'{source}: expected a list of check ids, or {{"probe": [...]}}')
        ids = list(value)
    else:
        ids = _parse_yaml_list(text, source)
    unknown = sorted(set(ids) - set(CHECKS))
    if unknown:
        names = ", ".join(json.dumps(i) for i in unknown[:5])
        raise ProbeError(
            f"{source}: no such check: {names} (lambda-agent-api probe --list-checks lists them)"
        )
    return frozenset(ids)


def _parse_yaml_list(text: str, source: str) -> list[str]:
    ids: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or line == "---":
            continue
        match = _ITEM.fullmatch(line)
        if match:
            ids.append(match.group(2))
        elif not (_KEY.fullmatch(line) and not ids) and not _EMPTY_LIST.fullmatch(line):
            raise ProbeError(
                f"{source}: line {number}: not understood ({json.dumps(line[:60])}); a baseline "
                "is a list of check ids, one '- id' per line (or JSON)"
            )
    return ids
