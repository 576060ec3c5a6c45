"""``lambda-agent-api schema diff OLD NEW``: what changed between two protocol versions.

OLD and NEW are released versions (``1.0``, ``v1.1``) or folders of schema
files (``schema/draft``). Every change is classified per side of the wire and
per direction (see :mod:`lambda_agent_api.schemas.diff`). Exit codes: 0
compatible (also when only tolerant readers read on, unless ``--strict``), 1
breaking, 2 unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lambda_agent_api.schemas.recheck import Recheck

__all__ = ["build_parser", "main"]

PROG = "lambda-agent-api schema diff"
HELP = "compare two protocol versions: every change, classified per side of the wire"


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``schema diff``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=HELP + ". Exit 0 compatible, 1 breaking, 2 unusable input. "
        "A version is a released one (1.0, 1.1) or a folder of schema files.",
    )
    parser.add_argument("old", metavar="OLD", help="the old version, or its schema folder")
    parser.add_argument("new", metavar="NEW", help="the new version, or its schema folder")
    parser.add_argument(
        "--format", choices=("text", "json", "markdown"), default="text", help="output format"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="count changes that only tolerant readers survive (a new server message type) "
        "as breaking",
    )
    parser.add_argument(
        "--captures",
        metavar="DIR",
        type=Path,
        help="also re-validate the recorded traffic under DIR (JSON Lines or HAR) and report "
        "frames that the new version refuses",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    """Run ``schema diff`` with ``argv`` (what follows ``diff``); return the exit code."""
    args = build_parser().parse_args(list(argv))
    # Imported here: jsonschema is slow to import, and other commands start without it.
    from lambda_agent_api.schemas.diff import Level, diff
    from lambda_agent_api.schemas.recheck import recheck
    from lambda_agent_api.schemas.report import migration_notes, safe, text_report
    from lambda_agent_api.schemas.versions import SchemaSetError, open_schemas

    try:
        old, new = open_schemas(args.old), open_schemas(args.new)
        result = diff(old, new)
        captures = None if args.captures is None else recheck(args.captures, old, new)
    except SchemaSetError as error:
        print(f"{PROG}: {safe(str(error))}", file=sys.stderr)
        return 2
    worst = Level.TOLERANT if args.strict else Level.BREAKING
    failed = result.level >= worst or (captures is not None and captures.breaking)
    if args.strict and captures is not None and captures.became_invalid:
        failed = True
    if args.format == "json":
        data = result.as_json()
        if captures is not None:
            data["captures"] = captures.as_json()
        data["exit"] = int(failed)
        print(json.dumps(data, indent=2, ensure_ascii=True))
    elif args.format == "markdown":
        sys.stdout.write(migration_notes(result))
    else:
        sys.stdout.write(text_report(result))
        if captures is not None:
            sys.stdout.write(_captures_text(captures))
    return 1 if failed else 0


def _captures_text(captures: Recheck) -> str:
    from lambda_agent_api.schemas.report import safe

    lines = [
        "",
        f"captures: {captures.files} file(s), {captures.frames} frame(s) checked, "
        f"{len(captures.became_invalid)} valid before and refused now, "
        f"{captures.invalid_before} already invalid before",
    ]
    for found in captures.became_invalid:
        note = " (a tolerant reader ignores it)" if found.unknown_type else ""
        lines.append(f"  {found.where}: {found.type} ({found.side}): {found.reason}{note}")
    lines += [f"  cannot read {problem}" for problem in captures.problems]
    return "\n".join(safe(line) for line in lines) + "\n"
