"""``lambda-agent-api schema [NAME]``: print the protocol's JSON Schema files.

``schema diff OLD NEW`` compares two versions: :mod:`.schema_diff_command`.
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "schema"
HELP = (
    "print the bundled JSON Schema files (all paths, or one schema by path or message type); "
    "`schema diff OLD NEW` compares two protocol versions"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument(
        "name",
        nargs="?",
        help="a schema path such as server/status.json, or a message type such as STATUS; "
        "without it, list every path; `diff` compares two versions "
        "(`schema diff --help`)",
    )
    # Everything after `diff` belongs to `schema diff`, which has its own parser.
    parser.add_argument("diff_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument(
        "--bundle",
        action="store_true",
        help="print one self-contained document with every $ref local "
        "(for tools that do not follow references between files)",
    )


def run(args: argparse.Namespace) -> int:
    """List the schema files, print one, or run ``schema diff``."""
    if args.name == "diff":
        from lambda_agent_api.cli import schema_diff_command

        return schema_diff_command.main(args.diff_args)
    if args.diff_args:
        print(
            f"lambda-agent-api schema: unexpected arguments: {' '.join(args.diff_args)}",
            file=sys.stderr,
        )
        return 2
    # Imported here: jsonschema is slow to import, and other commands start without it.
    from lambda_agent_api.schemas import bundled_schema, message_schema_path, schema, schema_paths

    if args.name is None:
        for path in schema_paths():
            print(path)
        return 0
    path = message_schema_path(args.name) or args.name
    if path not in schema_paths():
        print(
            f"lambda-agent-api schema: no schema {args.name!r}; "
            "run `lambda-agent-api schema` to list them",
            file=sys.stderr,
        )
        return 2
    document = bundled_schema(path) if args.bundle else schema(path)
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0
