"""The TypeScript package: exact pins, generated files, and drift of its generated types."""

from __future__ import annotations

import json
import re

from support.node import TS_DIR

import lambda_agent_api
from lambda_agent_api._bundle import message_tag
from lambda_agent_api.schemas import schema, schema_paths

ROOT = TS_DIR.parent
GENERATED = TS_DIR / "src" / "generated"
EXACT_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def package_json() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads((TS_DIR / "package.json").read_text("utf-8"))
    return data


def test_every_npm_dependency_is_pinned_exactly_and_locked() -> None:
    package = package_json()
    lock = json.loads((TS_DIR / "package-lock.json").read_text("utf-8"))
    pins = {**package["dependencies"], **package["devDependencies"]}
    assert {"ajv", "json-schema-to-typescript", "typescript"} <= set(pins)
    for name, version in pins.items():
        assert EXACT_VERSION.match(version), f"{name} is pinned as {version!r}, not exactly"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, name
    root = lock["packages"][""]
    assert root["dependencies"] == package["dependencies"]
    assert root["devDependencies"] == package["devDependencies"]


def test_npm_version_is_the_python_version() -> None:
    # PEP 440 "1.2.0.dev0" is semver "1.2.0-dev.0".
    python = re.sub(r"\.dev(\d+)$", r"-dev.\1", lambda_agent_api.__version__)
    assert package_json()["version"] == python


def test_generated_files_say_do_not_edit() -> None:
    for name in ("types.ts", "schemas.ts", "guards.ts"):
        first = (GENERATED / name).read_text("utf-8").splitlines()[0]
        assert first.startswith("// Generated from schema"), name
        assert "Do not edit" in first, name


def test_every_schema_title_is_one_declared_type_and_no_name_is_numbered() -> None:
    code = (GENERATED / "types.ts").read_text("utf-8")
    declared = re.findall(r"^export (?:interface|type) (\w+)", code, flags=re.MULTILINE)
    titles = sorted(schema(path)["title"] for path in schema_paths())
    assert sorted(declared) == titles
    assert [name for name in declared if name[-1].isdigit()] == []


def test_each_message_has_a_literal_type_and_a_guard() -> None:
    code = (GENERATED / "types.ts").read_text("utf-8")
    guards = (GENERATED / "guards.ts").read_text("utf-8")
    messages = [schema(p) for p in schema_paths() if message_tag(schema(p)) is not None]
    assert len(messages) == 10
    for document in messages:
        title, value = document["title"], document["properties"]["type"]["default"]
        body = code.split(f"export interface {title} {{", 1)[1].split("\n}", 1)[0]
        assert f'  type: "{value}";' in body, title
        assert f"export function is{title}(message: " in guards, title
        assert f'return message.type === "{value}";' in guards, title


def test_schema_module_holds_the_schema_files() -> None:
    code = (GENERATED / "schemas.ts").read_text("utf-8")
    literal = code.split(" = ", 1)[1].rstrip().removesuffix(";")
    assert json.loads(literal) == {path: schema(path) for path in schema_paths()}
