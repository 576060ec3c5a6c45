"""``lambda-agent-api schema [NAME]``: print the JSON Schema files and the AsyncAPI document.

``schema diff OLD NEW`` compares two versions: :mod:`.schema_diff_command`.
"""

from __future__ import annotations

import argparse
import json
import sys

NAME = "schema"
HELP = (
    "print the JSON Schema files shipped in the package (all paths, one file, "
    "the whole bundle) or the AsyncAPI document; `schema diff OLD NEW` compares two "
    "protocol versions"
)

ASYNCAPI_NAMES = ("asyncapi", "asyncapi.yaml")
"""Names that print the AsyncAPI document instead of a JSON Schema file."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument(
        "name",
        nargs="?",
        help="a schema path such as server/status.json, a message type such as STATUS "
        "(any case), or `asyncapi` for the AsyncAPI 3.1 document; without it, list every "
        "path (or, with --bundle, print the whole bundle); `diff` compares two versions "
        "(`schema diff --help`)",
    )
    # Everything after `diff` belongs to `schema diff`, which has its own parser.
    parser.add_argument("diff_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    parser.add_argument(
        "--bundle",
        action="store_true",
        help="print one self-contained JSON Schema document with every $ref local: "
        "the whole schema (bundle.json, what code generators read), or with NAME that "
        "schema as its root",
    )


def _path_of(name: str) -> str | None:
    """Return the schema path ``name`` stands for: a path, or a message type in any case."""
    from lambda_agent_api.schemas import message_schema_path, schema_paths

    if name in schema_paths():
        return name
    return message_schema_path(name) or message_schema_path(name.upper())


def run(args: argparse.Namespace) -> int:
    """List the schema files, print one, the bundle or the AsyncAPI document, or run a diff."""
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
    from lambda_agent_api.schemas import (
        asyncapi_document,
        bundle_document,
        bundled_schema,
        schema,
        schema_paths,
    )

    if args.name is None:
        if args.bundle:
            print(json.dumps(bundle_document(), indent=2, ensure_ascii=False))
        else:
            for path in schema_paths():
                print(path)
        return 0
    if args.name.lower() in ASYNCAPI_NAMES:
        if args.bundle:
            print(
                "lambda-agent-api schema: --bundle is for JSON Schema; "
                "the AsyncAPI document is printed as it is published",
                file=sys.stderr,
            )
            return 2
        sys.stdout.write(asyncapi_document())
        return 0
    found = _path_of(args.name)
    if found is None:
        print(
            # repr(): the name came from the command line; never print it raw.
            f"lambda-agent-api schema: no schema {args.name!r}; "
            "run `lambda-agent-api schema` to list them",
            file=sys.stderr,
        )
        return 2
    document = bundled_schema(found) if args.bundle else schema(found)
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0
