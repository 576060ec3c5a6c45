"""Run third-party tools on the schema and the fixtures, offline, and print a table of results.

``nox -s ecosystem`` installs every tool at its pinned version and runs this;
it exits 1 when a check fails. Each row is one tool and one check: ``ok``,
``FAIL``, ``limit`` (what the tool cannot do, stated rather than worked around
in the schema), or ``n/a`` (a toolchain this machine lacks). docs/ecosystem.md
explains the shapes the checks rely on and shows the same recipes.

Usage::

    python tools/ecosystem/matrix.py [--out build/ecosystem]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambda_agent_api._bundle import message_tag, union_members
from lambda_agent_api.schemas import validator_for

ROOT = Path(__file__).resolve().parent.parent.parent
TOOLS = ROOT / "tools" / "ecosystem"
BIN = TOOLS / "node_modules" / ".bin"
FOLDER = "v1.1"
SCHEMA = ROOT / "schema" / FOLDER
FIXTURES = ROOT / "tests" / "fixtures" / "messages"
DEBIAN_CRATES = Path("/usr/share/cargo/registry")
BUILD_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "lambda-agent-api-ecosystem"
)
"""Go's build cache and Cargo's target folder, kept between runs and shared by checkouts.

The generated code is compiled afresh every run (its files are new); what the caches
keep is the rest: Go's standard library and serde, which took about a minute of CPU to
compile in each fresh clone. Both tools key their caches by content and lock them.
"""
# Debian's toolchains, not whatever else is on PATH: what CI installs is what runs here.
GO = "/usr/bin/go"
CARGO = "/usr/bin/cargo"


@dataclass
class Row:
    """One line of the table."""

    tool: str
    check: str
    result: str
    detail: str = ""


ROWS: list[Row] = []
"""The table, in the order of the groups of checks."""

_GROUP = threading.local()
"""The rows of the group of checks this thread runs (``main`` runs groups side by side)."""


def record(tool: str, check: str, ok: bool, detail: str = "", *, limit: bool = False) -> None:
    """Add a row: ``ok`` when ``ok``, else ``limit`` (a stated limitation) or ``FAIL``."""
    result = "ok" if ok else ("limit" if limit else "FAIL")
    rows: list[Row] = getattr(_GROUP, "rows", ROWS)
    rows.append(Row(tool, check, result, " ".join(detail.split())[:300]))


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    merge: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capturing its output (``merge``: stderr into stdout, in order)."""
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge else subprocess.PIPE,
        text=True,
        check=False,
        timeout=900,
    )


def short(result: subprocess.CompletedProcess[str]) -> str:
    """Return the last lines a failed command printed."""
    text = (result.stdout + "\n" + (result.stderr or "")).strip().splitlines()
    return " | ".join(text[-6:])


# -- the schema folder and the fixtures ----------------------------------------------------


def documents() -> dict[str, dict[str, Any]]:
    """Every schema file of the folder, by its path in it."""
    return {
        p.relative_to(SCHEMA).as_posix(): json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(SCHEMA.rglob("*.json"))
    }


DOCS = documents()
MESSAGES = {tag: path for path, doc in DOCS.items() if (tag := message_tag(doc)) is not None}
"""Message type -> its schema file."""
UNIONS = {path: m for path, doc in DOCS.items() if (m := union_members(path, doc)) is not None}
"""Union file -> {type: member file}."""
TITLES = {tag: DOCS[path]["title"] for tag, path in MESSAGES.items()}


@dataclass
class Fixture:
    """One message fixture: its folder's type, whether it is valid, and its content."""

    type: str
    valid: bool
    path: Path
    instance: Any = field(repr=False)
    expected: set[tuple[str, str]] = field(default_factory=set, repr=False)

    @property
    def rel(self) -> str:
        """The fixture's path in the repository."""
        return self.path.relative_to(ROOT).as_posix()

    @property
    def integral_float(self) -> bool:
        """Whether an integer field holds 5.0, 1e3 or a number beyond 64 bits.

        JSON Schema calls them integers; most languages' int types refuse them.
        """
        properties = DOCS[MESSAGES[self.type]]["properties"]
        return isinstance(self.instance, dict) and any(
            properties.get(name, {}).get("type") == "integer"
            and (isinstance(value, float) or not -(2**63) <= value < 2**63)
            for name, value in self.instance.items()
        )

    @property
    def written_as_float(self) -> bool:
        """Whether an integer field holds a number written as a float (5.0, 1e3)."""
        properties = DOCS[MESSAGES[self.type]]["properties"]
        return isinstance(self.instance, dict) and any(
            properties.get(name, {}).get("type") == "integer" and isinstance(value, float)
            for name, value in self.instance.items()
        )

    @property
    def unknown_fields(self) -> bool:
        """Whether it holds a field its schema does not declare (allowed: forward compatible)."""
        declared = DOCS[MESSAGES[self.type]]["properties"]
        return isinstance(self.instance, dict) and bool(set(self.instance) - set(declared))


def fixtures() -> list[Fixture]:
    """Every message fixture, valid and invalid, of every type."""
    found = []
    for type_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        for kind in ("valid", "invalid"):
            for path in sorted((type_dir / kind).glob("*.json")):
                if path.name.endswith(".expect.json"):
                    continue
                fixture = Fixture(
                    type_dir.name, kind == "valid", path, json.loads(path.read_text("utf-8"))
                )
                expect = path.with_name(path.stem + ".expect.json")
                if expect.exists():
                    errors = json.loads(expect.read_text("utf-8"))["errors"]
                    fixture.expected = {(e["keyword"], e["instanceLocation"]) for e in errors}
                found.append(fixture)
    return found


FIXTURE_LIST = fixtures()


def of_type(type_: str) -> list[Fixture]:
    """Return the fixtures of one message type."""
    return [f for f in FIXTURE_LIST if f.type == type_]


def union_fixtures(union: str) -> list[Fixture]:
    """Return the fixtures of the union's members."""
    return [f for f in FIXTURE_LIST if f.type in UNIONS[union]]


def wrong_fields(schema_path: str, fixture: Fixture) -> set[str]:
    """Return the top-level fields a fixture's expectation blames (``""``: the message)."""
    fields: set[str] = set()
    required = DOCS[schema_path].get("required", [])
    for keyword, location in fixture.expected:
        if keyword == "required":
            present = fixture.instance if isinstance(fixture.instance, dict) else {}
            fields.update(name for name in required if name not in present)
        else:
            fields.add(location.split("/")[1] if location else "")
    return fields


def fields_allowed_for_union(union: str, fixture: Fixture) -> set[str]:
    """Return what a union may blame for an invalid fixture.

    Its own wrong fields, or the fields of the message its ``type`` names, or
    ``type`` itself.
    """
    instance = fixture.instance
    type_ = instance.get("type") if isinstance(instance, dict) else None
    if type_ == fixture.type:
        return wrong_fields(MESSAGES[fixture.type], fixture)
    if isinstance(type_, str) and type_ in UNIONS[union]:
        member = DOCS[UNIONS[union][type_]]
        return {"type", "", *member["properties"], *member.get("required", [])}
    return {"type", ""}


# -- check-jsonschema ------------------------------------------------------------------------

_REQUIRED = re.compile(r"^'([^']*)' is a required property")


def named_fields(error: dict[str, Any]) -> set[str]:
    """Return the top-level field a check-jsonschema error names (``""``: the message)."""
    path = error["path"]
    if path == "$":
        match = _REQUIRED.match(error["message"])
        return {match.group(1)} if match else {""}
    return {re.split(r"[.\[]", path.removeprefix("$."), maxsplit=1)[0]}


def check_jsonschema() -> None:
    """Check the metaschema, then every fixture against its file and the unions."""
    tool = "check-jsonschema"
    every = sorted((ROOT / "schema").rglob("*.json"))
    result = run(["check-jsonschema", "--check-metaschema", *every])
    record(
        tool,
        f"--check-metaschema, all {len(every)} files",
        result.returncode == 0,
        short(result) if result.returncode else "",
    )
    targets: list[tuple[str, list[Fixture], str | None]] = [
        (MESSAGES[t], of_type(t), None) for t in sorted(MESSAGES)
    ]
    targets += [(u, union_fixtures(u), u) for u in sorted(UNIONS)]
    for schema_path, cases, union in targets:
        result = run(
            [
                "check-jsonschema",
                "-o",
                "json",
                "-v",
                "--schemafile",
                SCHEMA / schema_path,
                *[f.path for f in cases],
            ]
        )
        report = json.loads(result.stdout)
        errors: dict[str, list[dict[str, Any]]] = {}
        for error in report.get("errors", []):
            errors.setdefault(error["filename"], []).append(error)
        problems = []
        for fixture in cases:
            got = errors.get(str(fixture.path), [])
            should_pass = (
                fixture.valid if union is None else validator_for(union).is_valid(fixture.instance)
            )
            if fixture.valid and not should_pass:
                problems.append(f"{fixture.rel}: the package's own validator refuses it")
            if should_pass != (not got):
                problems.append(f"{fixture.rel}: {'refused' if got else 'accepted'}")
                continue
            if not got:
                continue
            allowed = (
                wrong_fields(schema_path, fixture)
                if union is None
                else fields_allowed_for_union(union, fixture)
            )
            named = set().union(*(named_fields(e) for e in got))
            nested = [e for e in got if e.get("has_sub_errors")]
            if nested or not named <= allowed:
                problems.append(
                    f"{fixture.rel}: names {sorted(named)}, wrong field(s) {sorted(allowed)}"
                )
        valid = sum(f.valid for f in cases)
        record(
            tool,
            f"{schema_path}: {valid} valid accepted, {len(cases) - valid} invalid refused, "
            "error names the wrong field",
            not problems,
            "; ".join(problems),
        )


# -- Ajv (ajv-cli) -----------------------------------------------------------------------------

AJV = [str(BIN / "ajv"), "--spec=draft2020", "--strict=true"]
DISCRIMINATOR = ["-c", str(TOOLS / "ajv-discriminator.cjs")]
_AJV_LINE = re.compile(r"^(\S+) (valid|invalid)$")


def ajv_verdicts(output: str) -> dict[str, set[tuple[str, str]] | None]:
    """Parse ``ajv validate --errors=json`` output: file -> error set (None when valid)."""
    verdicts: dict[str, set[tuple[str, str]] | None] = {}
    current: str | None = None
    buffer: list[str] = []

    def flush() -> None:
        if current is not None and buffer:
            errors = json.loads("\n".join(buffer))
            verdicts[current] = {(e["keyword"], e["instancePath"]) for e in errors}

    for line in output.splitlines():
        match = _AJV_LINE.match(line)
        if match:
            flush()
            buffer = []
            current = match.group(1)
            verdicts[current] = None if match.group(2) == "valid" else set()
        elif current is not None:
            buffer.append(line)
    flush()
    return verdicts


def ajv(out: Path) -> None:
    """Compile every file strictly; verdicts per message file and per union bundle."""
    tool = "ajv-cli"
    enums = [p for p in DOCS if "enum" in DOCS[p]]
    order = enums + sorted(MESSAGES.values()) + sorted(UNIONS)
    result = run(
        [*AJV[:1], "compile", *AJV[1:], *[a for p in order for a in ("-s", f"schema/{FOLDER}/{p}")]]
    )
    record(
        tool,
        f"compile, strict: all {len(order)} files (members first)",
        result.returncode == 0,
        short(result) if result.returncode else "",
    )
    for type_ in sorted(MESSAGES):
        cases = of_type(type_)
        result = run(
            [
                *AJV[:1],
                "validate",
                *AJV[1:],
                "--all-errors",
                "--errors=json",
                "-s",
                f"schema/{FOLDER}/{MESSAGES[type_]}",
                *[a for f in cases for a in ("-d", f.rel)],
            ],
            merge=True,
        )
        verdicts = ajv_verdicts(result.stdout)
        problems = []
        for fixture in cases:
            got = verdicts.get(fixture.rel, "missing")
            want = None if fixture.valid else fixture.expected
            if got != want:
                problems.append(f"{fixture.rel}: {got} (expected {want})")
        record(
            tool,
            f"{MESSAGES[type_]}: verdicts and errors = the fixtures' expectations",
            not problems,
            "; ".join(problems),
        )
    for union in sorted(UNIONS):
        bundled = out / f"{Path(union).stem}.bundle.json"
        made = run([sys.executable, "-m", "lambda_agent_api", "schema", "--bundle", union])
        bundled.write_text(made.stdout, encoding="utf-8")
        cases = union_fixtures(union)
        result = run(
            [
                *AJV[:1],
                "validate",
                *AJV[1:],
                *DISCRIMINATOR,
                "--all-errors",
                "--errors=json",
                "-s",
                bundled,
                *[a for f in cases for a in ("-d", f.rel)],
            ],
            merge=True,
        )
        verdicts = ajv_verdicts(result.stdout)
        problems = []
        for fixture in cases:
            got = verdicts.get(fixture.rel, "missing")
            want_valid = validator_for(union).is_valid(fixture.instance)
            if got == "missing" or (got is None) != want_valid:
                problems.append(f"{fixture.rel}: {got}")
                continue
            # With the discriminator, a message of a known type gets its own schema's errors.
            own_type = (
                isinstance(fixture.instance, dict) and fixture.instance.get("type") == fixture.type
            )
            if not fixture.valid and own_type and got != fixture.expected:
                problems.append(
                    f"{fixture.rel}: errors {sorted(got or ())} (expected "
                    f"{sorted(fixture.expected)})"
                )
        record(
            tool,
            f"bundle of {union} (`schema --bundle`), discriminator: true: verdicts",
            made.returncode == 0 and not problems,
            "; ".join(problems) or (short(made) if made.returncode else ""),
        )


# -- AsyncAPI CLI and Spectral -----------------------------------------------------------------


def asyncapi(out: Path) -> None:
    """Validate and bundle the AsyncAPI document, and lint it with Spectral."""
    tool = "@asyncapi/cli"
    config = out / "asyncapi-analytics.json"
    # No telemetry (and so no network): the CLI's own switch, in a file it reads.
    config.write_text('{"analyticsEnabled": "false", "infoMessageShown": "true", "userID": "nox"}')
    env = {"ASYNCAPI_METRICS_CONFIG_PATH": str(config), "SUPPRESS_NO_CONFIG_WARNING": "1"}
    document = f"schema/{FOLDER}/asyncapi.yaml"
    result = run([BIN / "asyncapi", "validate", document, "--fail-severity", "hint"], env=env)
    clean = "don't have governance issues" in result.stdout
    record(
        tool,
        f"validate {document}: no findings at all",
        result.returncode == 0 and clean,
        "" if clean else short(result),
    )
    bundled = out / "asyncapi.bundled.yaml"
    result = run([BIN / "asyncapi", "bundle", document, "-o", bundled], env=env)
    external = (
        re.findall(r"\$ref: ['\"]?([^'\"#\s][^'\"\s]*)", bundled.read_text("utf-8"))
        if bundled.exists()
        else ["(no output)"]
    )
    record(
        tool,
        "bundle, offline: every payload inlined",
        result.returncode == 0 and not external,
        short(result) if result.returncode else ", ".join(external),
    )
    result = run(
        [
            BIN / "spectral",
            "lint",
            "--ruleset",
            TOOLS / "spectral.yaml",
            "--format",
            "json",
            "--quiet",
            "--fail-severity=hint",
            document,
        ]
    )
    spectral_rows(result)


SPECTRAL_LIMITS = {
    ("asyncapi-info-contact-properties", "info.contact"): "the rule wants `info.contact.email` "
    "too; the project publishes no mailbox, so the contact is its name and its docs' URL "
    "(a made-up address would be worse than none)",
}
"""Spectral findings that are stated limits, not failures: (rule, place) -> why."""

_SEVERITIES = ("error", "warning", "info", "hint")


def spectral_rows(result: subprocess.CompletedProcess[str]) -> None:
    """Record Spectral's findings: any finding fails, except a stated limit (its own row)."""
    tool = "@stoplight/spectral-cli"
    check = "spectral:asyncapi: no error, warning, info or hint"
    try:
        findings = json.loads(result.stdout or "[]")
        found = [
            (
                str(f["code"]),
                ".".join(map(str, f["path"])),
                _SEVERITIES[f["severity"]],
                str(f["message"]),
            )
            for f in findings
        ]
    except (ValueError, KeyError, TypeError, IndexError):
        record(tool, check, False, short(result))
        return
    unexpected = [
        f"{s} {c} at {p or '$'}: {m}" for c, p, s, m in found if (c, p) not in SPECTRAL_LIMITS
    ]
    if result.returncode not in (0, 1) or (result.returncode == 1 and not found):
        unexpected.append(short(result))
    stated = sorted({(c, p) for c, p, _, _ in found if (c, p) in SPECTRAL_LIMITS})
    record(
        tool,
        check + (" but the stated limits below" if stated else ""),
        not unexpected,
        "; ".join(unexpected),
    )
    for code, place in stated:
        record(tool, f"{code} at {place}", False, SPECTRAL_LIMITS[code, place], limit=True)


# -- type checks shared by the generators ---------------------------------------------------


def ts_literal_checks(
    import_line: str, union: str | None, names: dict[str, str], skip: Sequence[Fixture] = ()
) -> str:
    """Return a TypeScript file that type-checks every valid fixture against its type.

    ``check<T>()(value)`` infers the literal's own type (so `type` stays a literal
    and unknown fields are allowed, as JSON.parse would give them) and requires
    it to be assignable to ``T``. Required fields must be required: a message with
    only its ``type`` is marked ``@ts-expect-error``, so tsc fails where it is accepted.
    """
    lines = [
        import_line,
        "function check<T>() { return <U extends T>(value: U): U => value; }",
    ]
    for fixture in FIXTURE_LIST:
        if fixture.valid and fixture not in skip:
            lines.append(
                f"check<{names[fixture.type]}>()({json.dumps(fixture.instance)}); // {fixture.rel}"
            )
    for type_, only_type in missing_required():
        lines += [
            f"// {type_} without its required fields is refused.",
            "// @ts-expect-error",
            f"check<{names[type_]}>()({json.dumps(only_type)});",
        ]
    if union is not None:
        lines += [
            f"export function tokens(message: {union}): number {{",
            "  // Narrowing on `type`: only an AGENT_EVENT_END has tokens_used.",
            '  if (message.type === "AGENT_EVENT_END") { return message.tokens_used; }',
            "  return 0;",
            "}",
        ]
    return "\n".join(lines) + "\n"


def missing_required() -> list[tuple[str, dict[str, str]]]:
    """Each message type with required fields besides ``type``, and a message of only its type."""
    return [
        (type_, {"type": type_})
        for type_, path in sorted(MESSAGES.items())
        if set(DOCS[path].get("required", [])) - {"type"}
    ]


def tsc(folder: Path) -> subprocess.CompletedProcess[str]:
    """Type-check a folder of TypeScript, strictly."""
    return run(
        [
            BIN / "tsc",
            "--strict",
            "--noEmit",
            "--skipLibCheck",
            "--target",
            "es2022",
            "--module",
            "nodenext",
            "--moduleResolution",
            "nodenext",
            *sorted(folder.glob("*.ts")),
        ]
    )


# -- Modelina ------------------------------------------------------------------------------------


def modelina(out: Path) -> None:
    """Generate TypeScript, Python and Go from the AsyncAPI document, then use them."""
    tool = "@asyncapi/modelina"
    target = out / "modelina"
    shutil.rmtree(target, ignore_errors=True)
    result = run(["node", TOOLS / "modelina.mjs", f"schema/{FOLDER}/asyncapi.yaml", target])
    if result.returncode != 0:
        record(tool, "generate from asyncapi.yaml", False, short(result))
        return
    models = json.loads(result.stdout)["models"]
    titles = set(TITLES.values())
    # TypeScript: interfaces named by title, the server union named after the channel.
    ts = target / "typescript"
    names = {t: TITLES[t] for t in TITLES}
    imports = "\n".join(f"import {{ {n} }} from './{n}.js';" for n in sorted(titles))
    # Imports between the generated files have no extension; nodenext wants one.
    for path in ts.glob("*.ts"):
        path.write_text(re.sub(r"from '\./(\w+)'", r"from './\1.js'", path.read_text("utf-8")))
    # Modelina types a free-form object (`payload`, `result`) as a Map: JSON.parse gives none.
    maps = [
        f
        for f in FIXTURE_LIST
        if f.valid
        and isinstance(f.instance, dict)
        and any(isinstance(f.instance.get(k), dict) for k in ("payload", "result"))
    ]
    (ts / "check.ts").write_text(
        ts_literal_checks(
            imports + "\nimport { AgentChat } from './AgentChat.js';", "AgentChat", names, skip=maps
        )
    )
    checked = tsc(ts)
    record(
        tool,
        "TypeScript: one interface per message (title), required fields required, union "
        "narrows on type, tsc --strict on the valid fixtures",
        titles <= set(models["typescript"]) and checked.returncode == 0,
        short(checked)
        if checked.returncode
        else "the server union is named after the channel: AgentChat",
    )
    record(
        tool,
        f"TypeScript: free-form objects ({len(maps)} fixture(s))",
        False,
        "Modelina types `payload` and an object `result` as Map<string, any>, which no "
        "JSON.parse result is (its own marshalling converts)",
        limit=True,
    )
    # Python: one class per message; a class takes a dict and reads required fields.
    py = target / "python"
    problems = []
    code = [
        "import json, sys, importlib",
        f"sys.path.insert(0, {str(py)!r})",
        "failures = []",
        "for type_, title, path, valid in json.load(sys.stdin):",
        "    cls = getattr(importlib.import_module(title), title)",
        "    try:",
        "        cls(json.load(open(path)))",
        "    except Exception as error:",
        "        failures.append(f'{path}: {type(error).__name__}: {error}')",
        "print(json.dumps(failures))",
    ]
    cases = [[f.type, TITLES[f.type], str(f.path), f.valid] for f in FIXTURE_LIST if f.valid]
    result = subprocess.run(
        [sys.executable, "-c", "\n".join(code)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        problems.append(short(result))
    else:
        problems += json.loads(result.stdout)
    missing = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(py)!r}); from MsgEventEnd import "
            f"MsgEventEnd; MsgEventEnd({{'type': 'AGENT_EVENT_END'}})",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    record(
        tool,
        "Python: one class per message (title), imports, takes every valid fixture, a missing "
        "required field raises",
        titles <= set(models["python"]) and not problems and "KeyError" in missing.stderr,
        "; ".join(problems),
    )
    record(
        tool,
        "Python: a union narrowing on type",
        False,
        "Modelina's Python generator writes no union model (it warns 'cannot generate this "
        "type of model, AgentChat'), and types `type` as str, not a Literal",
        limit=True,
    )
    go_models(tool, target / "go", models["go"], "Go (json tags)")


GO_MAIN = """package messages

import (
	"encoding/json"
	"os"
	"testing"
)

type fixture struct{ Type, Path string }

func decode(t *testing.T, f fixture, into any) {
	data, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Errorf("%s: %v", f.Path, err)
	}
}

func TestValidFixtures(t *testing.T) {
	var fixtures []fixture
	if err := json.Unmarshal([]byte(os.Getenv("FIXTURES")), &fixtures); err != nil {
		t.Fatal(err)
	}
	for _, f := range fixtures {
		switch f.Type {
CASES
		}
	}
}
"""


def go_models(tool: str, folder: Path, generated: Collection[str], label: str) -> None:
    """Build generated Go code and decode every valid fixture into its type (go test)."""
    titles = set(TITLES.values())
    if not Path(GO).exists():
        record(
            tool,
            f"{label}: build and decode the valid fixtures",
            False,
            "no Debian golang-go here",
            limit=True,
        )
        return
    cases = "\n".join(
        f'\t\tcase "{t}":\n\t\t\tdecode(t, f, new({TITLES[t]}))' for t in sorted(TITLES)
    )
    (folder / "go.mod").write_text("module messages\n\ngo 1.19\n")
    (folder / "fixtures_test.go").write_text(GO_MAIN.replace("CASES", cases))
    valid = [f for f in FIXTURE_LIST if f.valid]
    env = {
        "FIXTURES": json.dumps([{"Type": f.type, "Path": str(f.path)} for f in valid]),
        "GOFLAGS": "-mod=mod",
        "GOPROXY": "off",
        "GOCACHE": str(BUILD_CACHE / "go-build"),
        "GOPATH": str(folder.parent / "gopath"),
        "CGO_ENABLED": "0",
    }
    vet = run([GO, "vet", "."], cwd=folder, env=env)
    result = run([GO, "test", "-vet=off", "-count=1", "."], cwd=folder, env=env)
    failures = re.findall(r"fixtures_test\.go:\d+: (\S+?\.json): (.*)", result.stdout)
    by_path = {str(f.path): f for f in valid}
    floats = [p for p, _ in failures if by_path[p].integral_float]
    # Modelina types `result` (anyOf the JSON types) as a struct of its alternatives.
    results = [
        p
        for p, _ in failures
        if p not in floats and "modelina" in tool and "result" in by_path[p].instance
    ]
    real = [f"{p}: {e}" for p, e in failures if p not in floats and p not in results]
    built = result.returncode == 0 or bool(failures)
    record(
        tool,
        f"{label}: one struct per message (title), builds, decodes every valid fixture",
        titles <= set(generated) and built and not real,
        "; ".join(real) or ("" if built else short(result)),
    )
    if vet.returncode != 0:
        first = next(
            (line for line in vet.stderr.splitlines() if line.startswith("./")), short(vet)
        )
        # Modelina's malformed struct tag is its own limit; quicktype's code must pass vet.
        record(tool, f"{label}: go vet", False, first, limit="modelina" in tool)
    if floats:
        record(
            tool,
            f"{label}: integers written as 5.0 or 1e3, or beyond 64 bits",
            False,
            f"encoding/json refuses them for an int64 field ({len(floats)} fixture(s)); JSON "
            "Schema calls them integers",
            limit=True,
        )
    if results:
        record(
            tool,
            f"{label}: `result` (any JSON value)",
            False,
            "Modelina types anyOf the JSON types as a struct of the alternatives, which "
            f"encoding/json cannot fill from a string, a number or a list ({len(results)} "
            "fixture(s))",
            limit=True,
        )


# -- quicktype -----------------------------------------------------------------------------------


def quicktype(out: Path) -> None:
    """Generate TypeScript, Go, Rust and C# from the message files, then use them."""
    tool = "quicktype"
    target = out / "quicktype"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    sources = [SCHEMA / MESSAGES[t] for t in sorted(MESSAGES)]
    titles = set(TITLES.values())

    def generate(lang: str, output: Path, *options: str) -> str | None:
        output.parent.mkdir(parents=True, exist_ok=True)
        result = run(
            [BIN / "quicktype", "-s", "schema", "--lang", lang, *options, "-o", output, *sources]
        )
        if result.returncode != 0:
            record(tool, f"{lang}: generate", False, short(result))
            return None
        return output.read_text("utf-8")

    def declared(code: str, pattern: str) -> set[str]:
        return set(re.findall(pattern, code))

    # TypeScript
    ts = target / "typescript"
    code = generate("typescript", ts / "messages.ts", "--just-types")
    if code is not None:
        names = declared(code, r"export interface (\w+)")
        imports = "import type { " + ", ".join(sorted(titles)) + " } from './messages.js';"
        (ts / "check.ts").write_text(ts_literal_checks(imports, None, TITLES))
        checked = tsc(ts)
        record(
            tool,
            "TypeScript: one interface per message (title), required fields required, tsc "
            "--strict on every valid fixture",
            titles <= names and checked.returncode == 0,
            short(checked) if checked.returncode else "",
        )
    record(
        tool,
        "any language: a union narrowing on type",
        False,
        "quicktype has no tagged union of object types: given a union it merges the members "
        "into one type with every field optional; a union of the generated types is one line "
        "by hand",
        limit=True,
    )
    # Go
    go = target / "go"
    code = generate("go", go / "messages.go", "--package", "messages")
    if code is not None:
        go_models(tool, go, declared(code, r"(?m)^type (\w+) struct"), "Go")
    # Rust
    rust = target / "rust"
    code = generate(
        "rust", rust / "src" / "messages.rs", "--visibility", "public", "--derive-debug"
    )
    if code is not None:
        rust_check(rust, set(re.findall(r"(?m)^pub struct (\w+)", code)))
    # C#
    cs = target / "csharp"
    code = generate("csharp", cs / "Messages.cs", "--namespace", "Messages", "--just-types")
    if code is not None:
        csharp_check(cs, set(re.findall(r"public partial class (\w+)", code)))


RUST_MAIN = """mod messages;
use std::fs;

fn main() {
    let mut failures = Vec::new();
    for line in std::env::var("FIXTURES").unwrap().lines() {
        let (kind, path) = line.split_once(' ').unwrap();
        let text = fs::read_to_string(path).unwrap();
        let result = match kind {
CASES
            _ => Ok(()),
        };
        if let Err(error) = result {
            failures.push(format!("{}: {}", path, error));
        }
    }
    for failure in &failures {
        println!("FAILED {}", failure);
    }
}
"""


def rust_check(folder: Path, generated: set[str]) -> None:
    """Build the Rust code offline with Debian's crates and decode the valid fixtures."""
    tool = "quicktype"
    titles = set(TITLES.values())
    if not (Path(CARGO).exists() and (DEBIAN_CRATES).is_dir()):
        record(
            tool,
            "Rust: build and decode the valid fixtures",
            False,
            "no Debian cargo/rustc and librust-serde-json-dev here",
            limit=True,
        )
        return
    cases = "\n".join(
        f'            "{t}" => serde_json::from_str::<messages::{TITLES[t]}>(&text).map(|_| ()),'
        for t in sorted(TITLES)
    )
    (folder / "src" / "main.rs").write_text(RUST_MAIN.replace("CASES", cases))
    (folder / "Cargo.toml").write_text(
        '[package]\nname = "messages"\nversion = "0.0.0"\nedition = "2018"\n\n'
        '[dependencies]\nserde = { version = "1", features = ["derive"] }\nserde_json = "1"\n'
    )
    # Debian's crates, offline: no crates.io.
    (folder / ".cargo").mkdir(exist_ok=True)
    (folder / ".cargo" / "config.toml").write_text(
        '[source.crates-io]\nreplace-with = "debian"\n\n'
        f'[source.debian]\ndirectory = "{DEBIAN_CRATES}"\n\n[net]\noffline = true\n'
    )
    valid = [f for f in FIXTURE_LIST if f.valid]
    env = {
        "FIXTURES": "\n".join(f"{f.type} {f.path}" for f in valid),
        "CARGO_HOME": str(folder.parent / "cargo-home"),
        "CARGO_TARGET_DIR": str(BUILD_CACHE / "cargo-target"),
        "RUSTC": "/usr/bin/rustc",
    }
    result = run([CARGO, "run", "--quiet", "--offline"], cwd=folder, env=env)
    failures = re.findall(r"(?m)^FAILED (\S+?\.json): (.*)$", result.stdout)
    floats = {str(f.path) for f in valid if f.integral_float}
    real = [f"{p}: {e}" for p, e in failures if p not in floats]
    record(
        tool,
        "Rust (serde): one struct per message (title), builds offline with Debian's crates, "
        "decodes every valid fixture",
        titles <= generated and result.returncode == 0 and not real,
        "; ".join(real) or (short(result) if result.returncode else ""),
    )
    limited = [p for p, _ in failures if p in floats]
    if limited:
        record(
            tool,
            "Rust: integers written as 5.0 or 1e3, or beyond 64 bits",
            False,
            f"serde_json refuses them for an i64 ({len(limited)} fixture(s)); JSON Schema "
            "calls them integers",
            limit=True,
        )


def csharp_check(folder: Path, generated: set[str]) -> None:
    """Check the C# class names; say why nothing more is checked."""
    tool = "quicktype"
    titles = set(TITLES.values())
    record(
        tool,
        "C#: one class per message (title)",
        titles <= generated,
        f"missing: {sorted(titles - generated)}",
    )
    record(
        tool,
        "C#: compile and decode the valid fixtures",
        False,
        "generated, not compiled: quicktype's C# uses nullable reference types (C# 8) and "
        "System.Text.Json; .NET (dotnet) is not available from Debian here, and Debian's only "
        "C# compiler, mono's mcs, knows C# 7",
        limit=True,
    )


# -- datamodel-code-generator ---------------------------------------------------------------------

BUNDLE = ROOT / "python" / "src" / "lambda_agent_api" / "schemas" / "bundle.json"

MYPY_CHECK = """from __future__ import annotations
from messages_{kind} import *  # noqa: F403


def tokens(message: ServerMessage) -> int:
    # Narrowing on `type`: only an AGENT_EVENT_END has tokens_used.
    if {access} == "AGENT_EVENT_END":
        return {tokens}
    return 0
"""


def datamodel_codegen(out: Path) -> None:
    """Generate TypedDict, dataclass and msgspec modules from the bundle, then use them."""
    tool = "datamodel-code-generator"
    target = out / "datamodel"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    titles = set(TITLES.values())
    kinds = {
        "typeddict": "typing.TypedDict",
        "dataclass": "dataclasses.dataclass",
        "msgspec": "msgspec.Struct",
    }
    valid = [f for f in FIXTURE_LIST if f.valid]
    for kind, model_type in kinds.items():
        module = target / f"messages_{kind}.py"
        result = run(
            [
                "datamodel-codegen",
                "--input",
                BUNDLE,
                "--input-file-type",
                "jsonschema",
                "--output-model-type",
                model_type,
                "--use-title-as-name",
                "--target-python-version",
                "3.10",
                "--disable-timestamp",
                "--formatters",
                "builtin",
                "--output",
                module,
            ]
        )
        if result.returncode != 0:
            record(tool, f"{model_type}: generate", False, short(result))
            continue
        code = module.read_text("utf-8")
        classes = set(re.findall(r"(?m)^class (\w+)", code))
        problems: list[str] = []
        limits: list[str] = []
        if kind == "typeddict":
            # A type checker reads the fixtures as literals of their TypedDict.
            lines = [f"from messages_{kind} import *  # noqa: F403", ""]
            for fixture in valid:
                if fixture.unknown_fields or fixture.written_as_float:
                    limits.append(fixture.rel)
                    continue
                lines.append(
                    f"_{len(lines)}: {TITLES[fixture.type]} = {python_literal(fixture.instance)}"
                )
            (target / f"fixtures_{kind}.py").write_text("\n".join(lines) + "\n")
            access, tokens = 'message["type"]', 'message["tokens_used"]'
        else:
            probe = (
                "import json, sys\n"
                f"sys.path.insert(0, {str(target)!r})\n"
                f"import messages_{kind} as m\n"
                "failures = []\n"
                "for title, side, path in json.load(sys.stdin):\n"
                "    data = json.load(open(path))\n"
                "    try:\n"
            )
            if kind == "msgspec":
                probe += (
                    "        import msgspec\n"
                    "        union = m.ServerMessage if side == 'server' else m.ClientMessage\n"
                    "        got = msgspec.json.decode(open(path, 'rb').read(), type=union)\n"
                    "        assert type(got).__name__ == title, type(got).__name__\n"
                )
            else:
                probe += "        getattr(m, title)(**data)\n"
            probe += (
                "    except Exception as error:\n"
                "        failures.append([path, f'{type(error).__name__}: {error}'])\n"
                "print(json.dumps(failures))\n"
            )
            cases = [
                [TITLES[f.type], "client" if f.type == "USER_MESSAGE" else "server", str(f.path)]
                for f in valid
            ]
            result = subprocess.run(
                [sys.executable, "-c", probe],
                input=json.dumps(cases),
                capture_output=True,
                text=True,
                check=False,
            )
            failures = (
                json.loads(result.stdout)
                if result.returncode == 0
                else [["(probe)", short(result)]]
            )
            by_path = {str(f.path): f for f in valid}
            for path, error in failures:
                failed = by_path.get(path)
                if (failed is not None and kind == "dataclass" and failed.unknown_fields) or (
                    failed is not None and kind == "msgspec" and failed.integral_float
                ):
                    limits.append(failed.rel)
                else:
                    problems.append(f"{path}: {error}")
            if kind == "msgspec":
                access, tokens = None, None
            else:
                access, tokens = "message.type", "message.tokens_used"
        if access is not None:
            # Required fields are required: mypy must flag a message of only its type
            # (--warn-unused-ignores makes an ignore that silences nothing an error).
            code_ = "typeddict-item" if kind == "typeddict" else "call-arg"
            missing = [
                f"_{n}: {TITLES[t]} = {python_literal(m)}  # type: ignore[{code_}]"
                if kind == "typeddict"
                else f"{TITLES[t]}(type={t!r})  # type: ignore[{code_}]"
                for n, (t, m) in enumerate(missing_required())
            ]
            (target / f"narrow_{kind}.py").write_text(
                MYPY_CHECK.format(kind=kind, access=access, tokens=tokens)
                + "\n\n"
                + "\n".join(missing)
                + "\n"
            )
        checked = run(
            [
                "mypy",
                "--no-incremental",
                "--warn-unused-ignores",
                "--ignore-missing-imports",
                "--disable-error-code=import-untyped",
                *[str(p) for p in sorted(target.glob(f"*_{kind}.py"))],
            ],
            cwd=target,
        )
        if checked.returncode != 0:
            problems.append("mypy: " + short(checked))
        narrows = (
            "a type checker narrows ServerMessage on type (mypy)"
            if access
            else "tagged structs: msgspec.json.decode picks the class by type"
        )
        record(
            tool,
            f"{model_type}: one class per message (title), {narrows}, every valid fixture fits",
            titles <= classes and "ServerMessage" in code and not problems,
            "; ".join(problems),
        )
        if limits:
            why = {
                "typeddict": "a TypedDict literal may not hold a key it does not declare "
                "(PEP 589), and a float (5.0) is no int: these valid fixtures carry unknown "
                "fields or integers written as floats",
                "dataclass": "a dataclass takes no argument it does not declare, and these "
                "valid fixtures carry unknown fields",
                "msgspec": "msgspec refuses 5.0, 1e3 and integers beyond 64 bits for an int "
                "field; JSON Schema calls them integers",
            }[kind]
            record(
                tool,
                f"{model_type}: {len(limits)} valid fixture(s) not read",
                False,
                f"{why}: "
                f"{', '.join(Path(p).parent.parent.name + '/' + Path(p).name for p in limits)}",
                limit=True,
            )


def python_literal(value: Any) -> str:
    """Return a JSON value as a Python literal (``repr`` of what ``json.loads`` gives)."""
    return repr(value)


# -- the table --------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table (readable in a terminal, and in the docs)."""
    lines = ["| Tool | Check | Result | Detail |", "| --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r.tool} | {r.check} | {r.result} | {r.detail.replace('|', '/')} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run every check, print the table, return 1 when one failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "ecosystem")
    parser.add_argument("--only", action="append", default=[], help="run only these groups")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="groups run side by side (default: one per core)",
    )
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    groups: dict[str, Callable[[], None]] = {
        "check-jsonschema": check_jsonschema,
        "ajv": lambda: ajv(out),
        "asyncapi": lambda: asyncapi(out),
        "modelina": lambda: modelina(out),
        "quicktype": lambda: quicktype(out),
        "datamodel": lambda: datamodel_codegen(out),
    }
    chosen = [name for name in groups if not args.only or name in args.only]

    def run_group(name: str) -> list[Row]:
        # Each group runs its tools one after the other, in folders of its own: groups
        # share nothing, so they run side by side, and their rows keep the groups' order.
        rows: list[Row] = []
        _GROUP.rows = rows
        started = time.monotonic()
        try:
            groups[name]()
        except Exception as error:  # a broken harness is a failed row, not a traceback
            record(name, "(harness)", False, f"{type(error).__name__}: {error}")
        finally:
            del _GROUP.rows
        print(f"ecosystem: {name} took {time.monotonic() - started:.0f} s", file=sys.stderr)
        return rows

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for rows in pool.map(run_group, chosen):
            ROWS.extend(rows)
    print(table(ROWS))
    (out / "matrix.md").write_text(table(ROWS) + "\n", encoding="utf-8")
    failed = [r for r in ROWS if r.result == "FAIL"]
    counts = {k: sum(r.result == k for r in ROWS) for k in ("ok", "limit", "n/a", "FAIL")}
    print(f"\necosystem: {counts['ok']} ok, {counts['limit']} limit, {counts['FAIL']} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
