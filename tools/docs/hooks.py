"""mkdocs hooks: publish the schema files where they lie, and serve mermaid from the site.

- ``schema/`` holds one folder per released version (``schema/v1.1/``) and
  ``schema/draft/`` for the next one. Every ``schema/<folder>/**/*.json`` is
  published at the same path under the site's URL
  (``/schema/v1.1/server/status.json``): a file has no ``$id``, its address is
  where it lies, so relative ``$ref``s between the files resolve on the site as
  in a checkout. A folder's ``asyncapi.yaml`` goes beside its files, and so
  does its ``bundle.json`` (every file in one document, for code generators),
  built here with the package's own bundler. The files join mkdocs' own file
  list, so a link from a page to a schema file is checked like any other link.
- ``mermaid.min.js`` comes from ``tools/docs/node_modules`` (``npm ci`` there,
  pinned in ``package.json``): mkdocs-material uses a ``mermaid`` global when
  one exists instead of loading it from a CDN, and the site must work offline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

__all__ = ["MERMAID_URI", "bundles", "on_files", "on_serve", "schema_files"]

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
        PluginError: a schema file has a ``$id`` that is not where it lies.
    """
    published: dict[str, Path] = {}
    for version_dir in sorted(p for p in SCHEMA_ROOT.iterdir() if p.is_dir()):
        for path in sorted(version_dir.rglob("*.json")):
            dest = path.relative_to(ROOT).as_posix()
            schema_id = json.loads(path.read_text(encoding="utf-8")).get("$id", site_url + dest)
            if schema_id != site_url + dest:
                raise PluginError(f"{dest}: $id {schema_id!r} is not where the file lies")
            published[dest] = path
        asyncapi = version_dir / "asyncapi.yaml"
        if asyncapi.exists():
            published[asyncapi.relative_to(ROOT).as_posix()] = asyncapi
    return published


def bundles(site_url: str) -> dict[str, str]:
    """Return each version folder's ``bundle.json``, by its path in the site."""
    # Imported here: the hook module is also imported by tests that do not build.
    from lambda_agent_api._bundle import bundle

    found = {}
    for version_dir in sorted(p for p in SCHEMA_ROOT.iterdir() if p.is_dir()):
        documents = {
            path.relative_to(version_dir).as_posix(): json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(version_dir.rglob("*.json"))
        }
        folder = version_dir.relative_to(ROOT).as_posix() + "/"
        document = bundle(documents, base_uri=site_url + folder)
        found[folder + "bundle.json"] = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return found


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    """Add the schema files and mermaid to the site's files."""
    if config.site_url is None:
        raise PluginError("mkdocs.yml must set site_url: the schema files are published at it")
    for dest, path in schema_files(config.site_url).items():
        files.append(File.generated(config, dest, abs_src_path=str(path)))
    for dest, content in bundles(config.site_url).items():
        files.append(File.generated(config, dest, content=content))
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
