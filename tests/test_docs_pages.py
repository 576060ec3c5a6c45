"""The docs site's sources: a page for every message and rule, all of them in the nav.

The pages are generated (``codegen/docs_pages.py``; the drift check compares them);
these checks say what they must contain, and catch a page left behind or left out.
Building and viewing the site is ``nox -s docs`` and ``nox -s docs_browser``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from lambda_agent_api._bundle import message_tag
from lambda_agent_api.protocol.rules import RULES
from lambda_agent_api.protocol.transitions import mermaid_state_diagram
from lambda_agent_api.transport.agent_api import agent_url

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# The docs are generated from the latest released version, as codegen picks it.
sys.path.insert(0, str(ROOT / "codegen"))
try:
    from common import LATEST, SCHEMA_DIR
    from docs_pages import indent, pretty_json
finally:
    sys.path.remove(str(ROOT / "codegen"))
MESSAGE_FIXTURES = ROOT / "tests" / "fixtures" / "messages"


def message_schemas() -> dict[str, tuple[str, dict[str, Any]]]:
    """Every message schema file, by its constant type: (path in its folder, content)."""
    found = {}
    for path in sorted(SCHEMA_DIR.rglob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        tag = message_tag(doc)
        if tag is not None:
            found[tag] = (path.relative_to(SCHEMA_DIR).as_posix(), doc)
    return found


MESSAGES = message_schemas()
assert len(MESSAGES) == 10, "every message of the protocol has a schema file"


class _IgnorePythonTags(yaml.SafeLoader):
    """mkdocs.yml names Python objects (``!!python/name:``); the nav needs none of them."""


_IgnorePythonTags.add_multi_constructor("tag:yaml.org,2002:python/", lambda *_: None)


def nav_pages(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in nav_pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in nav_pages(value)]
    return []


def generated_docs() -> dict[Path, str]:
    sys.path.insert(0, str(ROOT / "codegen"))
    try:
        import docs_pages
        from common import load_schemas
    finally:
        sys.path.remove(str(ROOT / "codegen"))
    outputs: dict[Path, str] = docs_pages.generate(load_schemas(SCHEMA_DIR))
    return outputs


@pytest.mark.parametrize("type_", sorted(MESSAGES))
def test_every_message_has_a_reference_page(type_: str) -> None:
    rel, doc = MESSAGES[type_]
    page = (DOCS / "reference" / rel).with_suffix(".md").read_text(encoding="utf-8")
    assert page.startswith("<!-- Generated ")
    assert f"\n# {type_}\n" in page
    for name in doc["properties"]:
        assert f"\n| `{name}` |" in page, name
    # The raw schema file is linked at the path the site publishes it at.
    assert f"(../../schema/{LATEST}/{rel})" in page
    # Every valid fixture is an example.
    for fixture in sorted((MESSAGE_FIXTURES / type_ / "valid").glob("*.json")):
        assert f'=== "{fixture.stem}"' in page
        # Laid out one member per line, with the same values and numbers spelled the same.
        shown = pretty_json(fixture.read_text(encoding="utf-8"))
        assert indent(shown) in page  # inside its tab
        assert json.loads(shown) == json.loads(fixture.read_text(encoding="utf-8"))


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_its_anchor_on_the_rules_page(rule_id: str) -> None:
    page = (DOCS / "rules.md").read_text(encoding="utf-8")
    rule = RULES[rule_id]
    assert rule.url.endswith(f"/rules/#{rule_id.lower()}")
    assert f"\n## {rule_id}: {rule.name} {{#{rule_id.lower()}}}\n" in page


def test_the_rules_page_draws_the_transition_table() -> None:
    page = (DOCS / "rules.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid_state_diagram()}```" in page


def test_every_page_under_reference_is_generated() -> None:
    # A message removed from schema/ must not leave its page behind.
    generated = set(generated_docs())
    on_disk = set((DOCS / "reference").rglob("*.md"))
    assert on_disk - generated == set()


def test_every_docs_page_is_in_the_nav() -> None:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), _IgnorePythonTags)
    in_nav = nav_pages(config["nav"])
    on_disk = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md"))
    assert sorted(in_nav) == on_disk
    assert len(in_nav) == len(set(in_nav))


def test_the_home_page_shows_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(
        r"python3 -m pip install \"nox\[uv\]==[^\"]+\" \"uv==[^\"]+\" && python3 -m nox", readme
    )
    assert command is not None
    assert command.group(0) in (DOCS / "index.md").read_text(encoding="utf-8")


def test_examples_are_laid_out_with_numbers_as_written() -> None:
    text = '{"type": "X", "n": 5.0, "big": 1e+20, "list": [1, {"a": []}], "e": {}}'
    assert pretty_json(text) == (
        "{\n"
        '  "type": "X",\n'
        '  "n": 5.0,\n'
        '  "big": 1e+20,\n'
        '  "list": [\n'
        "    1,\n"
        "    {\n"
        '      "a": []\n'
        "    }\n"
        "  ],\n"
        '  "e": {}\n'
        "}"
    )


def test_the_connection_pages_url_examples_are_what_the_client_builds() -> None:
    page = (DOCS / "protocol" / "connection.md").read_text(encoding="utf-8")
    examples = re.findall(r'^agent_url\("([^"]+)", (\d+)\)\s+# "([^"]+)"$', page, re.MULTILINE)
    assert len(examples) >= 2
    for base_url, chat_id, expected in examples:
        assert agent_url(base_url, int(chat_id)) == expected
    # The prose says the same as the code, for a base URL with a path and no slash.
    assert f"`ws://host/agents` both give `{agent_url('ws://host/agents', 0)}`" in page
