"""Generate every file that is built from the schema, or check that none drifted.

The source is the latest released version's folder (``schema/v1.1/``), never
``schema/draft/``.

Each target is a module with ``generate(schemas) -> {path: content}``:

- ``python_models``: the Python package's models, its copy of the schema files, its
  state machine tables (``state_machine``) and its copy of the bundler (``schema_shape``);
- ``typescript_types``: the TypeScript package's types, guards and copy of the schema
  files (needs node and ``npm ci --prefix typescript``);
- ``docs_pages``: the docs site's protocol reference and rules pages (``docs/``);
  the rules are data (the package's ``protocol/rules.json``, read as a file), the
  state diagram comes from ``state_machine``.

codegen is one pass from files: it reads the schema and those data files and never
imports (or loads by path) any of the package, so it runs from a checkout whose
generated files are missing. The migration notes, which are the package's own
``schema diff`` output, are written after it by ``tools/docs/migration_notes.py``.

Every output says "generated, do not edit". Tool versions are pinned in
``python/pyproject.toml`` (extra ``codegen``) and each target checks them.

Usage::

    nox -s codegen              # regenerate
    nox -s codegen -- --check   # exit 1 and print a diff if committed output drifted
    python codegen/generate.py [--check] [--schema-dir DIR] [--target NAME ...]

``--target python`` (or ``docs``) runs without node.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import docs_pages
import python_models
import typescript_types
from common import LATEST, SCHEMA_DIR, Schemas, load_schemas, write_or_check


def _python(schemas: Schemas, schema_dir: Path) -> dict[Path, str]:
    # With the one output built from a file other than the JSON Schemas.
    return {**python_models.generate(schemas), **python_models.generate_asyncapi(schema_dir)}


TARGETS: dict[str, Callable[[Schemas, Path], dict[Path, str]]] = {
    "python": _python,
    "typescript": lambda schemas, _: typescript_types.generate(schemas),
    "docs": lambda schemas, _: docs_pages.generate(schemas),
}
"""Every target by name, run in this order. Only ``typescript`` needs node."""


def generate(schema_dir: Path, targets: list[str] | None = None) -> dict[Path, str]:
    """Return what the schema builds for ``targets`` (default: all): output path -> content."""
    schemas = load_schemas(schema_dir)
    outputs: dict[Path, str] = {}
    for name, target in TARGETS.items():
        if targets is None or name in targets:
            outputs.update(target(schemas, schema_dir))
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
    parser.add_argument(
        "--target",
        action="append",
        choices=list(TARGETS),
        help="generate only this target (repeat for several; default: all)",
    )
    args = parser.parse_args(argv)
    outputs = generate(args.schema_dir, args.target)
    return write_or_check(outputs, check=args.check, source="the schema", redo="nox -s codegen")


if __name__ == "__main__":
    sys.exit(main())
