"""mkdocs hooks: publish the schema files at their ``$id``s, and serve mermaid from the site.

- ``schema/`` holds one folder per released version (``schema/v1.1/``) and
  ``schema/draft/`` for the next one. Every ``schema/<folder>/**/*.json`` is
  published at the path of its ``$id`` under the site's URL
  (``/schema/v1.1/server/status.json``), so that others can ``$ref`` a message by
  its ``$id``, and relative ``$ref``s between the files resolve. A folder's
  ``asyncapi.yaml`` goes beside its files. The files join mkdocs' own file list,
  so a link from a page to a schema file is checked like any other link.
- ``mermaid.min.js`` comes from ``tools/docs/node_modules`` (``npm ci`` there,
  pinned in ``package.json``): mkdocs-material uses a ``mermaid`` global when
  one exists instead of loading it from a CDN, and the site must work offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

__all__ = ["MERMAID_URI", "on_files", "on_serve", "schema_files"]

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA_ROOT = ROOT / "schema"
MERMAID_JS = (
    Path(__file__).resolve().parent / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
)

MERMAID_URI = "assets/javascripts/mermaid.min.js"
"""Where the site serves mermaid; ``extra_javascript`` in mkdocs.yml names it."""


def schema_files(site_url: str) -> dict[str, Path]:
    """Return every schema file of every version folder to publish, by its path in the site.

    Raises:
        PluginError: a schema's ``$id`` is not under ``site_url``, or does not end
            with the file's own path (relative ``$ref``s would then break), or the
            ``$id``s of one folder do not share one address.
    """
    site_path = urlsplit(site_url).path
    published: dict[str, Path] = {}
    for version_dir in sorted(p for p in SCHEMA_ROOT.iterdir() if p.is_dir()):
        folders = set()
        for path in sorted(version_dir.rglob("*.json")):
            rel = path.relative_to(version_dir).as_posix()
            shown = path.relative_to(ROOT).as_posix()
            schema_id = json.loads(path.read_text(encoding="utf-8")).get("$id", "")
            if not schema_id.startswith(site_url) or not schema_id.endswith("/" + rel):
                raise PluginError(f"{shown}: $id {schema_id!r} is not {site_url}.../{rel}")
            dest = urlsplit(schema_id).path.removeprefix(site_path)
            if dest in published:
                raise PluginError(f"{shown}: $id {schema_id!r} is also {published[dest]}'s")
            published[dest] = path
            folders.add(dest.removesuffix(rel))
        if len(folders) != 1:
            raise PluginError(
                f"schema/{version_dir.name}/: the $ids do not share one folder: {sorted(folders)}"
            )
        asyncapi = version_dir / "asyncapi.yaml"
        if asyncapi.exists():
            published[folders.pop() + asyncapi.name] = asyncapi
    return published


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    """Add the schema files and mermaid to the site's files."""
    if config.site_url is None:
        raise PluginError("mkdocs.yml must set site_url: the schema files are published at it")
    for dest, path in schema_files(config.site_url).items():
        files.append(File.generated(config, dest, abs_src_path=str(path)))
    if not MERMAID_JS.exists():
        raise PluginError(
            f"{MERMAID_JS.relative_to(ROOT)} is missing: run `npm ci --prefix tools/docs` "
            "(`nox -s docs` does); the site serves mermaid itself, with no CDN"
        )
    files.append(File.generated(config, MERMAID_URI, abs_src_path=str(MERMAID_JS)))
    return files


def on_serve(server: Any, config: MkDocsConfig, **_: Any) -> Any:
    """Rebuild on a change in schema/ too, under ``mkdocs serve``."""
    server.watch(str(SCHEMA_ROOT))
    return server
