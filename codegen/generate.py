"""Generate every file that is built from the schema, or check that none drifted.

The source is the latest released version's folder (``schema/v1.1/``), never
``schema/draft/``.

Each target is a module with ``generate(schemas) -> {path: content}``:

- ``python_models``: the Python package's models and its copy of the schema files;
- ``typescript_types``: the TypeScript package's types, guards and copy of the schema
  files (needs node and ``npm ci --prefix typescript``);
- ``docs_pages``: the docs site's protocol reference and rules pages (``docs/``);
- ``migration_notes``: the notes ``schema diff`` gives between released versions, in
  ``docs/migration.md`` and ``CHANGELOG.md`` (between marker comments).

Every output says "generated, do not edit". Tool versions are pinned in
``python/pyproject.toml`` (extra ``codegen``) and each target checks them.

Usage::

    nox -s codegen              # regenerate
    nox -s codegen -- --check   # exit 1 and print a diff if committed output drifted
    python codegen/generate.py [--check] [--schema-dir DIR]
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Callable
from pathlib import Path

import docs_pages
import migration_notes
import python_models
import typescript_types
from common import LATEST, ROOT, SCHEMA_DIR, Schemas, load_schemas

TARGETS: list[Callable[[Schemas], dict[Path, str]]] = [
    python_models.generate,
    typescript_types.generate,
    docs_pages.generate,
    migration_notes.generate,
]
"""Every target, run in this order."""


def generate(schema_dir: Path) -> dict[Path, str]:
    """Everything built from the schema: output path -> content."""
    schemas = load_schemas(schema_dir)
    outputs: dict[Path, str] = {}
    for target in TARGETS:
        outputs.update(target(schemas))
    # The one output built from a file other than the JSON Schemas.
    outputs.update(python_models.generate_asyncapi(schema_dir))
    return outputs


def main(argv: list[str] | None = None) -> int:
    """Regenerate, or with ``--check`` report drift; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="compare instead of writing; exit 1 on drift"
    )
    parser.add_argument(
        "--schema-dir",
        type=Path,
        default=SCHEMA_DIR,
        help=f"schema source (default: schema/{LATEST}/, the latest released version)",
    )
    args = parser.parse_args(argv)
    outputs = generate(args.schema_dir)
    drifted = 0
    for path, content in outputs.items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == content:
            continue
        rel = path.relative_to(ROOT).as_posix()
        if args.check:
            drifted += 1
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True),
                    content.splitlines(keepends=True),
                    f"{rel} (committed)",
                    f"{rel} (from schema)",
                )
            )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            print(f"codegen: wrote {rel}")
    if drifted:
        print(f"codegen: {drifted} generated file(s) differ from the schema; run `nox -s codegen`")
        return 1
    if args.check:
        print("codegen: generated files are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
