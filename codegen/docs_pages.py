"""Target: the docs pages built from the schema, the rules' data and the state machine.

- ``docs/reference/index.md``: every message, the unions and the raw schema files;
- ``docs/reference/<server|client>/<name>.md``: one page per message, with its
  field table, examples taken from ``tests/fixtures/messages/<TYPE>/valid/``, the
  unions it belongs to and its schema;
- ``docs/reference/unions.md``: the unions and the enums of type names;
- ``docs/rules.md``: every rule of the package's ``protocol/rules.json`` (data, read as a
  file), one section per rule anchored at its lowercased id (``Rule.url`` links there),
  and the state diagram drawn from ``state_machine.py``'s transition table.

Everything is plain string building, so the output is byte-for-byte the same
on every machine; mkdocs (``nox -s docs``) renders it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import state_machine
from common import LATEST, PACKAGE_DIR, ROOT, Schemas
from schema_shape import message_tag, resolve, union_members

DOCS_DIR = ROOT / "docs"
REFERENCE_DIR = DOCS_DIR / "reference"
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "messages"

# Where the site publishes schema/ (docs hook): a file's address is this, then
# its path in the repository (schema/v1.1/server/status.json).
SCHEMA_BASE = "https://agent-api.lambda.coredump.ru/"

DIRECTIONS = {"server": "server → client", "client": "client → server"}

# Shown first in a message's examples when present: the smallest useful message.
PREFERRED_EXAMPLE = "minimal"


def note(sources: str) -> str:
    """Return the first line of every generated Markdown page."""
    return (
        f"<!-- Generated from {sources} by codegen/generate.py. Do not edit: "
        "change the source or the generator, then run `nox -s codegen`. -->\n"
    )


@dataclass(frozen=True)
class Message:
    """One message schema, and what its page needs."""

    path: str
    doc: dict[str, Any]
    type: str

    @property
    def side(self) -> str:
        """``server`` or ``client``: the folder the schema lives in."""
        return self.path.split("/", 1)[0]

    @property
    def page(self) -> str:
        """The page's path under ``docs/reference/``."""
        return self.path.removesuffix(".json") + ".md"


def schema_url(path: str) -> str:
    """Return the link, relative to ``docs/``, of a published schema file."""
    return f"schema/{LATEST}/{path}"


def first_sentence(text: str) -> str:
    """Return the first sentence of a description, on one line."""
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return match.group(1) if match else flat


def cell(text: str) -> str:
    """Return text that is safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def code(value: Any) -> str:
    """Return a JSON value as inline code."""
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def messages(schemas: Schemas) -> list[Message]:
    """Every message schema (those with a constant ``type``), in the enums' order, server first."""
    found = []
    for path, doc in schemas.items():
        tag = message_tag(doc)
        if tag is not None:
            found.append(Message(path, doc, tag))
    # The enums of type names list the messages in the protocol's own order.
    order = [value for side in DIRECTIONS for value in schemas[f"{side}/message_type.json"]["enum"]]
    return sorted(found, key=lambda m: order.index(m.type))


def unions(schemas: Schemas) -> dict[str, dict[str, str]]:
    """Every union schema's members (``{type value: member path}``), by the union's path."""
    found = {}
    for path, doc in schemas.items():
        members = union_members(path, doc)
        if members is not None:
            found[path] = members
    return found


def enums(schemas: Schemas) -> dict[str, dict[str, Any]]:
    """Every enum of type names, by path."""
    return {p: d for p, d in schemas.items() if "enum" in d}


def type_text(prop: dict[str, Any], base: str, schemas: Schemas) -> str:
    """How a property's type reads in a field table (``base``: the path of its file)."""
    # A constant (the `type` discriminator) is shown in the Default column.
    if "const" in prop:
        return "constant"
    if "$ref" in prop:
        return f"`{schemas[resolve(base, prop['$ref'])]['title']}`"
    if "enum" in prop:
        return "one of " + ", ".join(code(v) for v in prop["enum"])
    if [set(part) for part in prop.get("anyOf", [])] == [{"type"}] * 6:
        return "any JSON value"
    declared = prop.get("type")
    if declared is None:
        raise SystemExit(f"codegen: {base}: no docs rule for the property {prop}")
    names = declared if isinstance(declared, list) else [declared]
    parts = []
    for name in names:
        if name == "array" and "items" in prop:
            parts.append("array of " + type_text(prop["items"], base, schemas))
        else:
            parts.append(f"`{name}`")
    return " or ".join(parts)


def indent(text: str, prefix: str = "    ") -> str:
    """Indent every non-empty line (content of a tab or an admonition)."""
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(True))


class _Number(str):
    """A JSON number as its source wrote it (``5.0``, ``1e+20``), never rewritten."""


def pretty_json(text: str) -> str:
    """Return JSON text laid out one member per line (indent 2), numbers and order kept.

    A fixture is one line, cut off at the right of a page; laid out, it is read at
    a glance. Numbers keep their spelling: an example of ``5.0`` must not become ``5``.
    """
    value = json.loads(text, parse_int=_Number, parse_float=_Number)

    def dump(item: Any, depth: int) -> str:
        pad, inner = "  " * depth, "  " * (depth + 1)
        if isinstance(item, _Number):
            return str(item)
        if isinstance(item, dict) and item:
            members = [
                f"{inner}{json.dumps(k, ensure_ascii=False)}: {dump(v, depth + 1)}"
                for k, v in item.items()
            ]
            return "{\n" + ",\n".join(members) + f"\n{pad}}}"
        if isinstance(item, list) and item:
            elements = [f"{inner}{dump(v, depth + 1)}" for v in item]
            return "[\n" + ",\n".join(elements) + f"\n{pad}]"
        return json.dumps(item, ensure_ascii=False)

    return dump(value, 0)


def fixture_examples(message: Message) -> list[tuple[str, str]]:
    """(name, JSON text laid out) of every valid fixture of a message, the preferred one first."""
    folder = FIXTURE_DIR / message.type / "valid"
    files = sorted(folder.glob("*.json"))
    if not files:
        raise SystemExit(
            f"codegen: {message.type} has no valid fixture in "
            f"{folder.relative_to(ROOT)}; its docs page shows one"
        )
    files.sort(key=lambda f: f.stem != PREFERRED_EXAMPLE)
    return [(f.stem, pretty_json(f.read_text(encoding="utf-8"))) for f in files]


def member_of(message: Message, schemas: Schemas) -> list[str]:
    """Titles of the unions a message belongs to."""
    return [
        schemas[path]["title"]
        for path, members in unions(schemas).items()
        if message.path in members.values()
    ]


def message_page(message: Message, schemas: Schemas) -> str:
    """Return the page of one message."""
    doc = message.doc
    up = "../../"
    lines = [
        note(f"schema/{LATEST}/{message.path} and tests/fixtures/messages/{message.type}/valid/"),
        f"# {message.type}",
        "",
        f"**Direction:** {DIRECTIONS[message.side]} · **Python class:** `{doc['title']}` · "
        f"**Schema:** [`{message.path}`]({up}{schema_url(message.path)})",
        "",
        doc["description"],
        "",
        "## Fields",
        "",
        "| Field | Type | Required | Default | Description |",
        "| --- | --- | --- | --- | --- |",
    ]
    required = set(doc.get("required", []))
    for name, prop in doc["properties"].items():
        default = code(prop["default"]) if "default" in prop else "—"
        if "const" in prop and prop.get("default", prop["const"]) != prop["const"]:
            raise SystemExit(f"codegen: {message.path}: {name}'s default is not its constant")
        lines.append(
            f"| `{name}` | {type_text(prop, message.path, schemas)} | "
            f"{'yes' if name in required else 'no'} | {default} | "
            f"{cell(prop.get('description', ''))} |"
        )
    lines.append("")
    if doc.get("additionalProperties", True) is not False:
        lines += [
            "Fields not listed here are allowed: a newer server or client may send them, "
            "the Python models keep them, and the validator reports them as "
            f"[W002]({up}rules.md#w002).",
            "",
        ]
    examples = fixture_examples(message)
    lines += [
        "## Examples",
        "",
        f"Every valid message in `tests/fixtures/messages/{message.type}/valid/`, "
        "which the test suite checks against the schema and the models:",
        "",
    ]
    for name, text in examples:
        lines += [f'=== "{name}"', "", indent(f"```json\n{text}\n```"), ""]
    lines += ["## Member of", ""]
    lines += [
        f"- [`{title}`](../unions.md#{title.lower()})" for title in member_of(message, schemas)
    ]
    lines += [
        "",
        "## Schema",
        "",
        f"Published at `{SCHEMA_BASE}{schema_url(message.path)}`; `$ref` it by that address.",
        "",
        f'??? abstract "{message.path}"',
        "",
        indent(f"```json\n{json.dumps(doc, indent=2, ensure_ascii=False)}\n```"),
        "",
    ]
    return "\n".join(lines)


def unions_page(schemas: Schemas) -> str:
    """Return the page of the unions and the enums of type names."""
    pages = {m.path: m for m in messages(schemas)}
    lines = [
        note(f"schema/{LATEST}/"),
        "# Unions and type names",
        "",
        "A frame is told apart by its `type` field: each union below lists its "
        "members by `type`, and each enum lists the type names of one direction.",
        "",
    ]
    for path, members in unions(schemas).items():
        doc = schemas[path]
        lines += [
            f"## {doc['title']} {{#{doc['title'].lower()}}}",
            "",
            doc["description"],
            "",
            f"Schema: [`{path}`](../{schema_url(path)}), told apart by `type`.",
            "",
            "| `type` | Python class | Summary |",
            "| --- | --- | --- |",
        ]
        for type_, member_path in members.items():
            member = pages[member_path]
            lines.append(
                f"| [`{type_}`]({member.page}) | `{member.doc['title']}` | "
                f"{cell(first_sentence(member.doc['description']))} |"
            )
        lines.append("")
    for path, doc in enums(schemas).items():
        lines += [
            f"## {doc['title']} {{#{doc['title'].lower()}}}",
            "",
            doc["description"].split("\n\n", 1)[0],
            "",
            f"Schema: [`{path}`](../{schema_url(path)}).",
            "",
            "| Value | Message |",
            "| --- | --- |",
        ]
        by_type = {m.type: m for m in pages.values()}
        for value in doc["enum"]:
            member = by_type[value]
            lines.append(f"| [`{value}`]({member.page}) | `{member.doc['title']}` |")
        lines.append("")
    return "\n".join(lines)


def index_page(schemas: Schemas) -> str:
    """Return the reference's first page: every message, then the schema files."""
    lines = [
        note(f"schema/{LATEST}/"),
        "# Protocol reference",
        "",
        "Every message of protocol v1.1, generated from its JSON Schema (draft 2020-12) "
        f"in `schema/{LATEST}/`. A frame is one JSON object; its `type` says which message it is.",
        "",
    ]
    for side, direction in DIRECTIONS.items():
        lines += [
            f"## {direction.capitalize()}",
            "",
            "| `type` | Python class | Summary |",
            "| --- | --- | --- |",
        ]
        for message in messages(schemas):
            if message.side == side:
                lines.append(
                    f"| [`{message.type}`]({message.page}) | `{message.doc['title']}` | "
                    f"{cell(first_sentence(message.doc['description']))} |"
                )
        lines.append("")
    lines += [
        "The unions and the type names: [Unions and type names](unions.md).",
        "",
        "## Schema files",
        "",
        "The site publishes every schema file at the address below, so other schemas "
        "and tools can `$ref` them by address; relative `$ref`s between them resolve too, "
        "from the site or from a checkout. All of them in one document, for code "
        f"generators: [`bundle.json`](../{schema_url('bundle.json')}) "
        "([Use the schema from any language](../ecosystem.md)).",
        "",
        "| File | Address |",
        "| --- | --- |",
    ]
    for path in schemas:
        lines.append(f"| [`{path}`](../{schema_url(path)}) | `{SCHEMA_BASE}{schema_url(path)}` |")
    lines.append("")
    return "\n".join(lines)


RULES = PACKAGE_DIR / "protocol" / "rules.json"
"""The rules, as data: the package reads them, and so does this page."""


def rules_page(schemas: Schemas) -> str:
    """``docs/rules.md``: every rule, and the state diagram of the transition table.

    The rules are data (the package's ``protocol/rules.json``); the state machine is
    ``state_machine.py`` here, over the schema's message types, as the package's
    generated ``protocol/state_machine.py`` is.
    """
    data = json.loads(RULES.read_text(encoding="utf-8"))
    rules: list[dict[str, str]] = data["rules"]
    letters = list(data["letters"].items())
    missing = {r["id"][0] for r in rules} - {letter for letter, _ in letters}
    if missing:
        raise SystemExit(f"codegen: {RULES.name} has no `letters` entry for {missing}")
    table, violations = state_machine.tables(schemas)
    where: dict[str, list[str]] = {}
    for (role, state, type_), (rule_id, _) in violations.items():
        where.setdefault(rule_id, []).append(f"{role.value} sends `{type_}` in `{state.value}`")
    lines = [
        note("python/src/lambda_agent_api/protocol/rules.json and codegen/state_machine.py"),
        "# Protocol rules",
        "",
        "Every rule that traffic is checked against. An id never changes meaning and is "
        "never reused, so reports and configurations can name it; each rule has a section "
        "below whose anchor is its lowercased id (`rules/#p003`). Errors make a check "
        "fail; warnings point at traffic that is valid but deserves a look.",
        "",
        "| Letter | What the rule looks at |",
        "| --- | --- |",
        *[f"| `{letter}` | {cell(text)} |" for letter, text in letters],
        "",
        "| Id | Name | Severity | Summary |",
        "| --- | --- | --- | --- |",
        *[
            f"| [{r['id']}](#{r['id'].lower()}) | `{r['name']}` | {r['severity']} "
            f"| {cell(r['summary'])} |"
            for r in rules
        ],
        "",
        "## Conversation states {#states}",
        "",
        "One connection is one conversation, and both sides share its state. The diagram "
        "is drawn from the transition table (`lambda_agent_api.protocol.transitions.TRANSITIONS`); "
        "a message that has no arrow from the current state breaks one of the `P` rules. "
        "`<end>` (the connection closed, or a capture ended) is a legal end only where "
        "no response is in flight.",
        "",
        "```mermaid",
        state_machine.mermaid_state_diagram(table).rstrip("\n"),
        "```",
        "",
    ]
    for r in rules:
        lines += [
            f"## {r['id']}: {r['name']} {{#{r['id'].lower()}}}",
            "",
            f"**Severity:** {r['severity']} · **Name:** `{r['name']}`",
            "",
            r["summary"],
            "",
        ]
        if r["id"] in where:
            lines += ["Broken when:", "", *[f"- {case}" for case in where[r["id"]]], ""]
    return "\n".join(lines)


def generate(schemas: Schemas) -> dict[Path, str]:
    """Return the generated docs pages: output path -> content."""
    outputs = {
        REFERENCE_DIR / "index.md": index_page(schemas),
        REFERENCE_DIR / "unions.md": unions_page(schemas),
    }
    for message in messages(schemas):
        outputs[REFERENCE_DIR / message.page] = message_page(message, schemas)
    outputs[DOCS_DIR / "rules.md"] = rules_page(schemas)
    return outputs
