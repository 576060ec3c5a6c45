"""The protocol's JSON Schema as one pydantic-core validator, for checking many frames fast.

:func:`message_validator` translates the shipped schema files (``schema/``)
into a pydantic-core schema: a tagged union over every message's ``type``,
each message a typed dict. It imports neither pydantic nor ``jsonschema``,
so a process that only checks valid traffic starts in a few milliseconds,
and it builds Python dicts, not models.

It may refuse what the schema accepts, never the other way round: a field
the schema does not define, an integer written as ``5.0``, a lone surrogate
escape, anything in a part of the schema it does not know how to translate.
Whatever it refuses, the checker's precise path decides. Only the schema's
keywords below are translated; any other keyword makes :func:`message_validator`
raise :class:`UntranslatableSchema`, and the checker then takes the precise path
for every frame.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Final, Literal, TypeAlias
from urllib.parse import urljoin

from pydantic_core import CoreConfig, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from lambda_agent_api.protocol.message_types import message_schema_files, schema_documents

__all__ = [
    "ExtraBehavior",
    "UntranslatableSchema",
    "batch_validator",
    "message_validator",
    "record_batch_validator",
]

ExtraBehavior: TypeAlias = Literal["forbid", "allow"]
"""What becomes of a field the schema does not define."""

_ANNOTATIONS: Final = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "examples", "default", "deprecated"}
)
"""Keywords that say nothing about which instances are valid."""

_CONFIG: Final = CoreConfig(
    strict=True,  # JSON Schema coerces nothing: no "5" for 5, no 1 for true
    allow_inf_nan=False,
    cache_strings="keys",  # text chunks are all different; keys repeat
)


class UntranslatableSchema(Exception):
    """The schema uses something the translation does not know."""


class _Translator:
    def __init__(self, documents: dict[str, dict[str, Any]], extra: ExtraBehavior) -> None:
        self._by_id = {document["$id"]: document for document in documents.values()}
        self._extra: ExtraBehavior = extra

    def document(self, uri: str) -> dict[str, Any]:
        document = self._by_id.get(uri.split("#")[0])
        if document is None or "#" in uri.rstrip("#"):
            raise UntranslatableSchema(f"cannot follow $ref {uri}")
        return document

    def translate(self, node: Any, base: str) -> cs.CoreSchema:
        if node is True or node == {}:
            return cs.any_schema()
        if not isinstance(node, dict):
            raise UntranslatableSchema(f"not a schema: {node!r}")
        base = node.get("$id", base)
        keywords = set(node) - _ANNOTATIONS
        if "$ref" in keywords:
            if keywords != {"$ref"}:
                raise UntranslatableSchema("$ref next to other keywords")
            uri = urljoin(base, node["$ref"])
            return self.translate(self.document(uri), uri)
        if "allOf" in keywords:
            return self._all_of(node, keywords, base)
        if "const" in keywords:
            return self._choice([node["const"]], keywords - {"const"}, node, base)
        if "enum" in keywords:
            return self._choice(list(node["enum"]), keywords - {"enum"}, node, base)
        if "type" not in keywords:
            if keywords:
                raise UntranslatableSchema(f"keywords {sorted(keywords)}")
            return cs.any_schema()
        types = node["type"]
        if isinstance(types, str):
            return self._typed(types, node, keywords - {"type"}, base)
        choices: list[cs.CoreSchema | tuple[cs.CoreSchema, str]] = [
            self._typed(t, node, keywords - {"type"}, base) for t in types
        ]
        if len(choices) == 1:
            return self._typed(types[0], node, keywords - {"type"}, base)
        return cs.union_schema(choices, mode="smart")

    def _choice(
        self, values: list[Any], rest: set[str], node: dict[str, Any], base: str
    ) -> cs.CoreSchema:
        # Only strings: JSON compares numbers by value (1 == 1.0), a literal would not.
        if not values or not all(isinstance(v, str) for v in values):
            raise UntranslatableSchema(f"const or enum of non-strings: {values!r}")
        if rest:
            values = _accepted(values, [self.translate({k: node[k] for k in rest}, base)])
            if not values:
                raise UntranslatableSchema("a const or enum that nothing satisfies")
        return cs.literal_schema(values)

    def _all_of(self, node: dict[str, Any], keywords: set[str], base: str) -> cs.CoreSchema:
        # Supported form: the parts narrow down to a set of strings (a const or an enum).
        parts = list(node["allOf"])
        if keywords - {"allOf"}:
            parts.append({k: node[k] for k in keywords - {"allOf"}})
        for part in parts:
            target = part
            if isinstance(part, dict) and set(part) - _ANNOTATIONS == {"$ref"}:
                target = self.document(urljoin(base, part["$ref"]))
            values = _string_values(target)
            if values is not None:
                others = [self.translate(p, base) for p in parts if p is not part]
                values = _accepted(values, others)
                if not values:
                    raise UntranslatableSchema("allOf that nothing satisfies")
                return cs.literal_schema(values)
        raise UntranslatableSchema("allOf without a const or an enum of strings")

    def _typed(self, type_: str, node: dict[str, Any], rest: set[str], base: str) -> cs.CoreSchema:
        if type_ == "object":
            return self._object(node, rest, base)
        if type_ == "array":
            if rest - {"items"}:
                raise UntranslatableSchema(f"array keywords {sorted(rest)}")
            items = self.translate(node.get("items", True), base)
            return cs.list_schema(items)
        if rest:
            raise UntranslatableSchema(f"{type_} keywords {sorted(rest)}")
        if type_ == "string":
            return cs.str_schema(strict=True)
        if type_ == "integer":
            return cs.int_schema(strict=True)
        if type_ == "number":
            return cs.float_schema(strict=True, allow_inf_nan=False)
        if type_ == "boolean":
            return cs.bool_schema(strict=True)
        if type_ == "null":
            return cs.none_schema()
        raise UntranslatableSchema(f"type {type_!r}")

    def _object(self, node: dict[str, Any], rest: set[str], base: str) -> cs.CoreSchema:
        if rest - {"properties", "required"}:
            raise UntranslatableSchema(f"object keywords {sorted(rest)}")
        properties = node.get("properties")
        required = set(node.get("required", []))
        if properties is None:
            if required:
                raise UntranslatableSchema("required without properties")
            return cs.dict_schema(cs.str_schema(), cs.any_schema())
        if not required <= set(properties):
            raise UntranslatableSchema("a required property the schema does not define")
        fields = {
            name: cs.typed_dict_field(self.translate(sub, base), required=name in required)
            for name, sub in properties.items()
        }
        return cs.typed_dict_schema(fields, extra_behavior=self._extra, total=False)


def _accepted(values: list[str], schemas: list[cs.CoreSchema]) -> list[str]:
    """Return the values every one of ``schemas`` accepts (checked once, while translating)."""
    validators = [SchemaValidator(schema, _CONFIG) for schema in schemas]
    return [v for v in values if all(_accepts(validator, v) for validator in validators)]


def _accepts(validator: SchemaValidator, value: str) -> bool:
    try:
        validator.validate_json(json.dumps(value))
    except ValidationError:
        return False
    return True


def _string_values(node: Any) -> list[str] | None:
    if not isinstance(node, dict):
        return None
    if "const" in node and isinstance(node["const"], str):
        return [node["const"]]
    if "enum" in node and all(isinstance(v, str) for v in node["enum"]):
        return list(node["enum"])
    return None


@cache
def message_schema(extra: ExtraBehavior = "forbid", version: str | None = None) -> cs.CoreSchema:
    """Any message, told apart by ``type``, as a pydantic-core schema (see the module's doc).

    ``extra`` says what becomes of a field the schema does not define (which the
    schema allows, and the checker warns about, W002): by default it is refused,
    so that the precise path sees it; ``"allow"`` keeps it in the result.
    ``version`` is a released protocol version (``MAJOR.MINOR``; default: the current one).
    """
    documents = schema_documents(version)
    translator = _Translator(documents, extra)
    choices = {}
    for type_, path in message_schema_files(version).items():
        document = documents[path]
        choices[type_] = translator.translate(document, document["$id"])
    return cs.tagged_union_schema(choices, discriminator="type")


@cache
def message_validator(
    extra: ExtraBehavior = "forbid", version: str | None = None
) -> SchemaValidator:
    """Return the validator of any message (see the module's doc and :func:`message_schema`).

    Raises:
        UntranslatableSchema: the schema uses a keyword the translation does not know.
    """
    return SchemaValidator(message_schema(extra, version), _CONFIG)


@cache
def batch_validator(version: str | None = None) -> SchemaValidator:
    """Return a validator of a list of JSON texts, each one message: one call checks them all.

    The texts are parsed one by one (a broken line cannot run into the next).
    """
    return SchemaValidator(
        cs.list_schema(cs.json_schema(message_schema("forbid", version))), _CONFIG
    )


@cache
def record_batch_validator(version: str | None = None) -> SchemaValidator:
    """Return a validator of a list of capture-format lines, each a record holding a message.

    It takes only a record as the capture writer writes it, ``{"ts": <float>,
    "dir": "send"|"recv", "data": "<a valid message>"[, "conn": "<string>"]}``,
    and returns, for each, the record with ``data`` parsed.
    """
    record = cs.typed_dict_schema(
        {
            "ts": cs.typed_dict_field(cs.float_schema(strict=True, allow_inf_nan=False)),
            "dir": cs.typed_dict_field(cs.literal_schema(["send", "recv"])),
            "data": cs.typed_dict_field(cs.json_schema(message_schema("forbid", version))),
            "conn": cs.typed_dict_field(cs.str_schema(strict=True), required=False),
        },
        extra_behavior="forbid",
        total=True,
    )
    return SchemaValidator(cs.list_schema(cs.json_schema(record)), _CONFIG)
