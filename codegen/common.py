"""What every codegen target shares: paths, the schema loader, headers and ruff."""

from __future__ import annotations

import difflib
import importlib.metadata
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import schema_shape

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_ROOT = ROOT / "schema"
"""One folder per released version (``v1.1/``), and ``draft/`` for the next one."""
PACKAGE_DIR = ROOT / "python" / "src" / "lambda_agent_api"

_VERSION_FOLDER = re.compile(r"v(\d+)\.(\d+)")


def released_versions(schema_root: Path = SCHEMA_ROOT) -> list[str]:
    """Return the released versions' folder names under ``schema_root``, oldest first."""
    found = []
    for path in schema_root.iterdir():
        match = _VERSION_FOLDER.fullmatch(path.name)
        if match and path.is_dir():
            found.append((int(match[1]), int(match[2]), path.name))
    if not found:
        sys.exit(f"codegen: no released version (a folder like v1.1) under {schema_root}")
    return [name for *_, name in sorted(found)]


LATEST = released_versions()[-1]
"""The latest released version's folder name: codegen's source."""
SCHEMA_DIR = SCHEMA_ROOT / LATEST
"""The schema files codegen builds from: the latest released version, never the draft."""

Schemas = dict[str, dict[str, Any]]
"""Every schema file's content, by its path relative to its version's folder."""


def require_versions(pinned: dict[str, str]) -> None:
    """Stop with a clear message when a tool is not at its pinned version.

    Another version may write other code, and the drift check would then fail
    for a reason that has nothing to do with the schema.
    """
    for name, wanted in pinned.items():
        try:
            found = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            sys.exit(
                f"codegen: needs {name}=={wanted}, found {found}; run it with `nox -s codegen`"
            )


def load_schemas(schema_dir: Path) -> dict[str, dict[str, Any]]:
    """Every ``*.json`` under ``schema_dir``, by its path relative to it."""
    return {
        path.relative_to(schema_dir).as_posix(): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(schema_dir.rglob("*.json"))
    }


def bundle_schemas(schemas: Schemas, base_uri: str | None = None) -> dict[str, Any]:
    """Bundle every schema file into one document, each file under ``$defs/<title>``.

    Unions become ``oneOf`` with a ``discriminator`` (see ``schema_shape.bundle``).
    """
    return schema_shape.bundle(schemas, base_uri=base_uri)


def ruff(code: str, filename: Path) -> str:
    """Drop unused imports, sort imports and format, with the project's ruff config."""
    stdin_name = f"--stdin-filename={filename}"
    steps = [
        ["check", "--fix", "--select=F401,I", "--quiet", "--exit-zero", stdin_name, "-"],
        ["format", "--quiet", stdin_name, "-"],
    ]
    for step in steps:
        code = run_tool([sys.executable, "-m", "ruff", *step], code, ROOT, f"ruff {step[0]}")
    return code


def run_tool(command: list[str], stdin: str, cwd: Path, name: str) -> str:
    """Run a generator's tool on ``stdin``; return its output, or stop saying why it failed."""
    result = subprocess.run(
        command, input=stdin, capture_output=True, text=True, cwd=cwd, check=False
    )
    if result.returncode != 0:
        sys.exit(f"codegen: {name} failed:\n{result.stderr}")
    return result.stdout


def header(sources: str, comment: str = "#") -> str:
    """Return the first lines of every generated file (``comment`` starts a comment line)."""
    return (
        f"{comment} Generated from {sources} by codegen/generate.py. Do not edit:\n"
        f"{comment} change the schema or the generator, then run `nox -s codegen`.\n"
    )


def write_or_check(outputs: dict[Path, str], *, check: bool, source: str, redo: str) -> int:
    """Write each output that differs, or with ``check`` print a diff of each; return the exit code.

    ``source`` names what the outputs are built from (in the diff's header); ``redo`` is
    the command that rewrites them (in the message when ``check`` finds a difference).
    """
    differ = 0
    for path, content in outputs.items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == content:
            continue
        rel = path.relative_to(ROOT).as_posix()
        if check:
            differ += 1
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    content.splitlines(keepends=True),
                    f"{rel} (committed)",
                    f"{rel} (from {source})",
                )
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"wrote {rel}")
    if differ:
        print(f"{differ} generated file(s) differ from {source}; run `{redo}`")
        return 1
    if check:
        print(f"the files generated from {source} are up to date")
    return 0
