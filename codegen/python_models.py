"""Target: the Python package's generated files.

- ``python/src/lambda_agent_api/protocol/_models.py``: pydantic v2 models, written by
  datamodel-code-generator from a bundle of the schema files;
- ``python/src/lambda_agent_api/protocol/v1_0/`` (one per released version): that
  version's models (``_models.py``; the latest's are ``protocol/_models.py``) and an
  ``__init__.py`` exporting them with their parsers (``MESSAGES``, a ``MessageSet``);
- ``python/src/lambda_agent_api/schemas/v1_1.json`` (one per released version,
  ``v1_0.json``...): each version's schema files themselves,
  shipped inside the package so that it validates without this repository;
- ``python/src/lambda_agent_api/schemas/bundle.json``: the latest version's files
  as one document (``lambda-agent-api schema --bundle``), the bundle code
  generators read;
- ``python/src/lambda_agent_api/schemas/asyncapi.yaml``: the latest version's
  AsyncAPI document (``lambda-agent-api schema asyncapi``).
"""

from __future__ import annotations

import ast
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import schema_shape
import state_machine
from common import (
    LATEST,
    PACKAGE_DIR,
    ROOT,
    SCHEMA_ROOT,
    Schemas,
    bundle_schemas,
    header,
    load_schemas,
    released_versions,
    require_versions,
    ruff,
    run_tool,
)
from schema_shape import message_tag, resolve, union_members

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

# Exact versions: the drift check compares bytes.
PINNED = {"datamodel-code-generator": "0.89.0", "ruff": "0.17.5"}

# A JSON Schema "integer" admits 5 and 5.0 but not "5" or true; pydantic's int
# admits "5". JsonInteger applies JSON Schema's rule (see protocol/json_types.py).
MODELS = PACKAGE_DIR / "protocol" / "_models.py"
"""Where the generated models go: the sans-I/O core (``lambda_agent_api.protocol``)."""

JSON_INTEGER = "lambda_agent_api.protocol.json_types.JsonInteger"

DATAMODEL_CODEGEN_OPTIONS = [
    "--input-file-type=jsonschema",
    "--output-model-type=pydantic_v2.BaseModel",
    "--target-python-version=3.10",
    # Class names come from each schema's title (MsgStatus, ...), never Model1.
    "--use-title-as-name",
    "--skip-root-model",
    # Unions become type aliases (see templates/), never RootModel with .root.
    "--use-type-alias",
    f"--custom-template-dir={TEMPLATE_DIR}",
    "--additional-imports=typing.TypeAlias",
    # `type` gets its literal as default, so MsgEventEnd(tokens_used=3) works,
    # and the default is the enum member, as in v1.1.
    "--use-default",
    "--deserialize-default-values=enum",
    # EServerMessage(str, Enum), as in v1.1: members compare equal to strings.
    "--use-subclass-enum",
    # `source: str = "main"` stays a str, not `str | None`.
    "--strict-nullable",
    # Forward compatibility: unknown fields are kept, not dropped or refused.
    "--extra-fields=allow",
    "--use-generic-base-class",
    "--use-schema-description",
    "--use-field-description",
    "--keep-model-order",
    # Reproducible output: no timestamp, and ruff (below) does the formatting.
    "--disable-timestamp",
    "--formatters=builtin",
]


def messages(schemas: Schemas) -> Iterator[tuple[str, str, str]]:
    """Yield (class name, enum class name, type value) for every message schema.

    A message's ``type`` is a plain ``const`` in the schema; its enum is the
    ``message_type.json`` beside it (``EServerMessage`` for ``server/``), which
    must list the value. The models type ``type`` as that enum's member, as v1.1 did.
    """
    for path, doc in schemas.items():
        tag = message_tag(doc)
        if tag is None:
            continue
        enum_path = resolve(path, "message_type.json")
        enum_doc = schemas.get(enum_path)
        if enum_doc is None or tag not in enum_doc.get("enum", []):
            raise SystemExit(f"codegen: {path}: type {tag!r} is not in {enum_path}")
        yield doc["title"], enum_doc["title"], tag


ANY_JSON_VALUE = [{"type": t} for t in ("string", "number", "boolean", "object", "array", "null")]
"""How the schema types a property that may hold any JSON value (a tool's ``result``)."""


def type_overrides(bundled: dict[str, Any]) -> dict[str, str]:
    """Map every integer property to JsonInteger, and every any-JSON property to ``Any``.

    The schema spells "any JSON value" as ``anyOf`` the six JSON types, so that
    generators in other languages type it (json-schema-to-typescript would type
    an untyped property as an object); pydantic would turn that into a union
    that converts 3 into 3.0, so the model keeps v1.1's ``Any``.
    """
    overrides = {}
    for title, definition in bundled["$defs"].items():
        for name, prop in definition.get("properties", {}).items():
            if prop.get("type") == "integer":
                overrides[f"{title}.{name}"] = JSON_INTEGER
            elif prop.get("anyOf") == ANY_JSON_VALUE:
                overrides[f"{title}.{name}"] = "typing.Any"
    # An integer anywhere else (array items, nested objects) would keep pydantic's
    # lax int: fail here rather than generate a model that disagrees with the schema.
    text = json.dumps(bundled)
    found = text.count('"type": "integer"') + text.count(json.dumps(ANY_JSON_VALUE))
    if found != len(overrides):
        raise SystemExit(
            "codegen: an integer or any-JSON value outside a message's top-level "
            "properties is not supported"
        )
    return overrides


def run_datamodel_codegen(bundled: dict[str, Any], overrides: dict[str, str]) -> str:
    """Run datamodel-code-generator on the bundled schema; return the module it writes."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bundle.json"
        target = Path(tmp) / "models.py"
        source.write_text(json.dumps(bundled, indent=2), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "datamodel_code_generator",
            f"--input={source}",
            f"--output={target}",
            f"--type-overrides={json.dumps(overrides)}",
            *DATAMODEL_CODEGEN_OPTIONS,
        ]
        run_tool(command, "", ROOT, "datamodel-codegen")
        return target.read_text(encoding="utf-8")


def patch_type_fields(code: str, schemas: Schemas) -> str:
    """Type each message's ``type`` as ``Literal[<Enum>.<VALUE>] = <Enum>.<VALUE>``.

    datamodel-code-generator 0.89 types the discriminator of a model that
    belongs to two unions (every agent event is in AgentEventUnion and in
    ServerMessage) as a string literal, and of the others as the whole enum;
    v1.1 has the enum member, so ``msg.type.value`` works. The patch replaces
    exactly one ``type`` field per message class and fails on any other count,
    so a change in the generator cannot slip through.
    """
    tree = ast.parse(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    lines = code.splitlines(keepends=True)
    replacements = []
    for class_name, enum_name, value in messages(schemas):
        if class_name not in classes:
            raise SystemExit(f"codegen: class {class_name} was not generated")
        fields = [
            node
            for node in classes[class_name].body
            if isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == "type"
        ]
        if len(fields) != 1:
            raise SystemExit(
                f"codegen: expected one `type` field in {class_name}, found {len(fields)}"
            )
        member = f"{enum_name}.{value}"
        field = fields[0]
        assert field.end_lineno is not None
        replacements.append(
            (field.lineno, field.end_lineno, f"    type: Literal[{member}] = {member}\n")
        )
    for first, last, text in sorted(replacements, reverse=True):
        lines[first - 1 : last] = [text]
    return "".join(lines)


def generate_models(
    schemas: Schemas, version: str = LATEST, target: Path = MODELS
) -> dict[Path, str]:
    """Generate a ``_models.py`` and the ``_enums.py`` beside it.

    datamodel-codegen, the ``type`` patch, then the enums of message types move
    to ``_enums.py`` (see :func:`split_enums`), then ruff.
    """
    bundled = bundle_schemas(schemas)
    code = run_datamodel_codegen(bundled, type_overrides(bundled))
    # Drop datamodel-codegen's own header; ours names the real source.
    code = re.sub(r"\A(#[^\n]*\n)+\n?", "", code)
    code = patch_type_fields(code, schemas)
    enums_path = target.with_name("_enums.py")
    module = _module_name(enums_path)
    code, enums = split_enums(code, schemas, module)
    source = f"schema/{version}/*.json"
    return {
        target: ruff(header(source) + "\n" + code, target),
        enums_path: ruff(header(source) + enums, enums_path),
    }


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)


def split_enums(code: str, schemas: Schemas, module: str) -> tuple[str, str]:
    """Move the enums of message types out of the models, into a module of their own.

    Return (the models, importing the enums from ``module``; the enums module).
    The enums module needs only the standard library, so the sans-I/O core (the
    transition table, keyed by these enums) loads without pydantic: ``validate``
    starts faster. It also lists each union's message types, in schema order, as
    ``<UNION>_TYPES`` (``AGENT_EVENT_TYPES``: the members of ``agent_event.json``).
    The models import the same classes, so ``msg.type`` is the same enum member.
    """
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    enum_classes = [
        node
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id == "Enum" for base in node.bases)
    ]
    if not enum_classes:
        raise SystemExit("codegen: no enum of message types was generated")
    names = [node.name for node in enum_classes]
    pieces: list[str] = []
    for node in sorted(enum_classes, key=lambda node: node.lineno, reverse=True):
        assert node.end_lineno is not None
        pieces.insert(0, "".join(lines[node.lineno - 1 : node.end_lineno]))
        del lines[node.lineno - 1 : node.end_lineno]
    models = "".join(lines)
    # The models' own imports end at their first class: the enums come in after them.
    first = models.index("\nclass ")
    models = models[:first] + f"\nfrom {module} import {', '.join(names)}\n" + models[first:]
    enum_of = {tag: enum for _, enum, tag in messages(schemas)}
    unions = []
    for path, document in schemas.items():
        members = union_members(path, document)
        if members is None or "/" in path:
            continue
        constant = Path(path).stem.upper() + "_TYPES"
        items = "".join(f"    {enum_of[tag]}.{tag},\n" for tag in members)
        title = document.get("title", path)
        unions.append(
            f"{constant}: Final = (\n{items})\n"
            f'"""The message types of ``{path}`` (``{title}``), in its order."""\n'
        )
    enums = (
        '"""The enums of message types and the types of each union, from the schema.\n\n'
        "Standard library only: the sans-I/O core imports them without pydantic.\n"
        '"""\n\n'
        "from enum import Enum\nfrom typing import Final\n\n\n"
        + "\n\n".join(pieces)
        + "\n\n"
        + "\n\n".join(unions)
    )
    return models, enums


def generate_schema_data(schemas: Schemas, version: str = LATEST) -> str:
    """Generate ``schemas/vX_Y.json``: a version's schema files, by path in its folder."""
    data = {
        "$comment": f"Generated from schema/{version}/ by codegen/generate.py. Do not edit.",
        "schemas": schemas,
    }
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


SITE_SCHEMA = "https://agent-api.lambda.coredump.ru/schema/"
"""Where the docs site publishes schema/ (tools/docs/hooks.py): one folder per version."""


def generate_bundle(schemas: Schemas) -> str:
    """Generate ``schemas/bundle.json``: the bundle, with the ``$id`` the site publishes it at."""
    bundled = bundle_schemas(schemas, base_uri=f"{SITE_SCHEMA}{LATEST}/")
    return json.dumps(bundled, indent=2, ensure_ascii=False) + "\n"


def generate_asyncapi(schema_dir: Path) -> dict[Path, str]:
    """Generate ``schemas/asyncapi.yaml``: the schema folder's AsyncAPI document, as it is."""
    source = schema_dir / "asyncapi.yaml"
    text = source.read_text(encoding="utf-8")
    note = header(f"schema/{LATEST}/asyncapi.yaml")
    # Its payload $refs are relative to the schema folder, as on the site.
    return {PACKAGE_DIR / "schemas" / "asyncapi.yaml": note + text}


def generate(schemas: Schemas) -> dict[Path, str]:
    """Return the Python package's generated files: output path -> content."""
    require_versions(PINNED)
    return {
        **generate_models(schemas),
        **version_packages(schemas),
        **{
            schema_data_path(version): generate_schema_data(
                schemas if version == LATEST else load_schemas(SCHEMA_ROOT / version), version
            )
            for version in released_versions()
        },
        PACKAGE_DIR / "schemas" / "bundle.json": generate_bundle(schemas),
        BUNDLER: generate_bundler(),
        **state_machine.generate(schemas, LATEST),
    }


BUNDLER = PACKAGE_DIR / "_bundle.py"
"""The package's copy of ``codegen/schema_shape.py``: it bundles schema folders at run time."""


def generate_bundler() -> str:
    """Generate ``_bundle.py``: ``codegen/schema_shape.py`` as it is, under the header."""
    source = Path(schema_shape.__file__).read_text(encoding="utf-8")
    return header("codegen/schema_shape.py") + "\n" + source


def schema_data_path(version: str) -> Path:
    """Return where the package keeps a released version's schema files (``v1.1``: v1_1.json)."""
    return PACKAGE_DIR / "schemas" / (version.replace(".", "_") + ".json")


def version_package_dir(version: str) -> Path:
    """Return the package of a released version's models (``v1.0``: ``protocol/v1_0/``)."""
    return PACKAGE_DIR / "protocol" / version.replace(".", "_")


def version_init(schemas: Schemas, version: str, models_module: str) -> str:
    """Generate a version package's ``__init__.py``: its models, unions and parsers."""
    titles = sorted(doc["title"] for doc in schemas.values())
    number = version.removeprefix("v")
    # Sorted as ruff's RUF022 wants: constants, then classes, then the rest.
    names = sorted(
        [*titles, "MESSAGES", "parse_client_message", "parse_server_message"],
        key=lambda name: (0 if name.isupper() else 1 if name[0].isupper() else 2, name),
    )
    enums = {enum for _, enum, _ in messages(schemas)}
    imports = "".join(f"    {title},\n" for title in titles if title not in enums)
    enums_module = models_module.rsplit(".", 1)[0] + "._enums"
    code = (
        header(f"schema/{version}/*.json")
        + f'''"""Protocol {number}'s messages: the models generated from ``schema/{version}/``.

``MESSAGES`` holds its unions and parsers (a
:class:`~lambda_agent_api.protocol.message_set.MessageSet`).
"""

from {enums_module} import {", ".join(sorted(enums))}
from {models_module} import (
{imports})
from lambda_agent_api.protocol.message_set import MessageSet
import {models_module} as _models

__all__ = {names!r}

MESSAGES = MessageSet("{number}", _models)
"""Protocol {number}'s unions and parsers."""

parse_server_message = MESSAGES.parse_server_message
parse_client_message = MESSAGES.parse_client_message
'''
    )
    return ruff(code, version_package_dir(version) / "__init__.py")


def version_packages(latest: Schemas) -> dict[Path, str]:
    """Every released version's package: generated models (but the latest's) and exports."""
    outputs = {}
    for version in released_versions():
        folder = version_package_dir(version)
        if version == LATEST:
            module = "lambda_agent_api.protocol._models"
            schemas = latest
        else:
            module = f"lambda_agent_api.protocol.{folder.name}._models"
            schemas = load_schemas(SCHEMA_ROOT / version)
            outputs.update(generate_models(schemas, version, folder / "_models.py"))
        outputs[folder / "__init__.py"] = version_init(schemas, version, module)
    return outputs
