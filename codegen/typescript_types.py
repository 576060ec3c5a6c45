"""Target: the TypeScript package's generated files, under ``typescript/src/generated/``.

- ``types.ts``: one declaration per schema file, named by its ``title``
  (``MsgStatus``, ..., ``EServerMessage``, ``ServerMessage``), written by the
  pinned json-schema-to-typescript through ``typescript/scripts/generate-types.mjs``;
- ``schemas.ts``: the schema files themselves, so that the package validates
  with the same documents and never reads ``schema/`` at run time;
- ``guards.ts``: one type guard per message (``isMsgStatus``, ...).

json-schema-to-typescript is an npm package: it runs under node from
``typescript/node_modules``, which ``npm ci --prefix typescript`` installs
(the nox sessions do that first).
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from pathlib import Path
from typing import Any

from common import LATEST, ROOT, Schemas, bundle_schemas, header, run_tool
from python_models import messages

TS_DIR = ROOT / "typescript"
GENERATED_DIR = TS_DIR / "src" / "generated"
SCRIPT = TS_DIR / "scripts" / "generate-types.mjs"


def generator_input(schemas: Schemas) -> dict[str, Any]:
    """Return the bundle and the order of its declarations.

    The bundle goes to the generator as it is: each message's ``type`` is a
    plain ``const`` (so ``type: "STATUS"``), a tool's ``result`` is ``anyOf``
    the JSON types, and each union is ``oneOf`` its messages. The runtime
    validator uses the schema files as they are.
    """
    defs: dict[str, Any] = copy.deepcopy(bundle_schemas(schemas)["$defs"])
    message_titles = {title for title, _, _ in messages(schemas)}

    def kind(title: str) -> int:
        definition = defs[title]
        if "enum" in definition:
            return 0
        if title in message_titles:
            return 1
        if "oneOf" in definition:
            return 2
        raise SystemExit(f"codegen: no TypeScript rule for schema {title}")

    # Enums, then messages, then unions; each group in schema-file order.
    order = sorted(defs, key=kind)
    return {"$defs": defs, "order": order}


def run_generator(data: dict[str, Any]) -> str:
    """Run json-schema-to-typescript (through node) on ``data``; return its declarations."""
    node = shutil.which("node")
    if node is None:
        sys.exit("codegen: the TypeScript target needs node (>= 20) on PATH")
    if not (TS_DIR / "node_modules").is_dir():
        sys.exit("codegen: typescript/node_modules is missing; run `npm ci --prefix typescript`")
    return run_tool([node, str(SCRIPT)], json.dumps(data), TS_DIR, SCRIPT.name)


def generate_types(schemas: Schemas) -> str:
    """Generate ``types.ts``: every schema's type, named by its title."""
    return header(f"schema/{LATEST}/*.json", "//") + "\n" + run_generator(generator_input(schemas))


def generate_schema_module(schemas: Schemas) -> str:
    """Generate ``schemas.ts``: every schema file, by its path under ``schema/``."""
    documents = json.dumps(schemas, indent=2, ensure_ascii=False)
    return (
        header(f"schema/{LATEST}/", "//")
        + f"\n/** Every schema file of `schema/{LATEST}/`, by its path relative to it. */\n"
        + "export const SCHEMAS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = "
        + documents
        + ";\n"
    )


def generate_guards(schemas: Schemas) -> str:
    """Generate ``guards.ts``: ``isMsgStatus(message)`` and so on, one per message."""
    by_enum = {
        schemas[path]["title"]: schemas[union]["title"]
        for path, union in (
            ("server/message_type.json", "server_message.json"),
            ("client/message_type.json", "client_message.json"),
        )
    }
    found = sorted(messages(schemas), key=lambda m: (m[1], m[0]))
    titles = sorted({title for title, _, _ in found} | set(by_enum.values()))
    lines = [
        header(f"schema/{LATEST}/*.json", "//"),
        "import type {",
        *(f"  {title}," for title in titles),
        '} from "./types.js";',
    ]
    for title, enum_title, value in found:
        union = by_enum[enum_title]
        lines += [
            "",
            f"/** Whether `message` is a {{@link {title}}}: its `type` is `{value}`. */",
            f"export function is{title}(message: {union}): message is {title} {{",
            f'  return message.type === "{value}";',
            "}",
        ]
    return "\n".join(lines) + "\n"


def generate(schemas: Schemas) -> dict[Path, str]:
    """Return the TypeScript package's generated files: output path -> content."""
    return {
        GENERATED_DIR / "types.ts": generate_types(schemas),
        GENERATED_DIR / "schemas.ts": generate_schema_module(schemas),
        GENERATED_DIR / "guards.ts": generate_guards(schemas),
    }
