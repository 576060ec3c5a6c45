"""What every codegen target shares: paths, the schema loader, headers and ruff."""

from __future__ import annotations

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
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *step],
            input=code,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        if result.returncode != 0:
            sys.exit(f"codegen: ruff {step[0]} failed:\n{result.stderr}")
        code = result.stdout
    return code


def header(sources: str, comment: str = "#") -> str:
    """Return the first lines of every generated file (``comment`` starts a comment line)."""
    return (
        f"{comment} Generated from {sources} by codegen/generate.py. Do not edit:\n"
        f"{comment} change the schema or the generator, then run `nox -s codegen`.\n"
    )
