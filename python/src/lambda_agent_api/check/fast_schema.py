"""The protocol's JSON Schema as one pydantic-core validator, for checking many frames fast.

:func:`message_validator` translates a released version's schema files
(``schema/vX.Y/``) into a pydantic-core schema: a tagged union over every
message's ``type``, each message a typed dict. It needs neither pydantic's
models nor ``jsonschema``, and it builds plain dicts, not models: several times
cheaper per frame.

It may refuse what the schema accepts, never the other way round: a field
the schema does not define, an integer written as ``5.0``, a lone surrogate
escape. Whatever it refuses, the checker's precise path decides. Only the
keywords the protocol's schema uses are translated (types, properties,
required, items, const, enum, allOf narrowing to strings, anyOf, $ref between
the files); any other makes :func:`message_validator` raise
:class:`UntranslatableSchema`, and the checker then takes the precise path for
every frame (a test holds every released schema translatable).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, Final, Literal, TypeAlias

from pydantic_core import CoreConfig, SchemaValidator, ValidationError
from pydantic_core import core_schema as cs

from lambda_agent_api.protocol.message_types import message_schema_files, resolve, schema_documents

__all__ = [
    "ExtraBehavior",
    "UntranslatableSchema",
    "batch_validator",
    "message_validator",
    "nesting_types",
    "plain_string_messages",
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


_EVERY_TYPE: Final = frozenset({"string", "number", "boolean", "object", "array", "null"})


class UntranslatableSchema(Exception):
    """The schema uses something the translation does not know."""


class _Translator:
    """Translate schema nodes.

    ``base`` is the path of the file a node is in: its ``$ref`` are resolved
    against it, as the files of a version folder refer to each other.
    """

    def __init__(self, documents: dict[str, dict[str, Any]], extra: ExtraBehavior) -> None:
        self._documents = documents
        self._extra: ExtraBehavior = extra

    def document(self, path: str) -> dict[str, Any]:
        document = self._documents.get(path)
        if document is None:
            raise UntranslatableSchema(f"cannot follow $ref to {path}")
        return document

    def _target(self, base: str, ref: str) -> str:
        if "#" in ref.rstrip("#"):
            raise UntranslatableSchema(f"cannot follow $ref {ref}")
        return resolve(base, ref)

    def translate(self, node: Any, base: str) -> cs.CoreSchema:
        if node is True or node == {}:
            return cs.any_schema()
        if not isinstance(node, dict):
            raise UntranslatableSchema(f"not a schema: {node!r}")
        keywords = set(node) - _ANNOTATIONS
        if "$ref" in keywords:
            if keywords != {"$ref"}:
                raise UntranslatableSchema("$ref next to other keywords")
            path = self._target(base, node["$ref"])
            return self.translate(self.document(path), path)
        if "allOf" in keywords:
            return self._all_of(node, keywords, base)
        if "anyOf" in keywords:
            if keywords != {"anyOf"}:
                raise UntranslatableSchema("anyOf next to other keywords")
            branches = node["anyOf"]
            types = {b.get("type") for b in branches if isinstance(b, dict) and len(b) == 1}
            if types >= _EVERY_TYPE:  # any JSON value, written out
                return cs.any_schema()
            branch_schemas: list[cs.CoreSchema | tuple[cs.CoreSchema, str]] = [
                self.translate(branch, base) for branch in branches
            ]
            return cs.union_schema(branch_schemas, mode="smart")
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
                target = self.document(self._target(base, part["$ref"]))
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
        choices[type_] = translator.translate(documents[path], path)
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
def record_batch_validator() -> SchemaValidator:
    """Return a validator of a list of capture-format lines, each a record; ``data`` stays text.

    It takes only a record as the capture writer writes it: a frame,
    ``{"ts": <float>, "dir": "send"|"recv", "data": "<text>"[, "conn": "<string>"]}``,
    or a close record, ``{"event": "close"[, "conn": "<string>", "ts", "code",
    "reason"]}``; it returns each record as a dict. The frames in ``data`` then
    go through :func:`batch_validator` in one more call.
    """
    frame = cs.typed_dict_schema(
        {
            "ts": cs.typed_dict_field(cs.float_schema(strict=True, allow_inf_nan=False)),
            "dir": cs.typed_dict_field(cs.literal_schema(["send", "recv"])),
            "data": cs.typed_dict_field(cs.str_schema(strict=True)),
            "conn": cs.typed_dict_field(cs.str_schema(strict=True), required=False),
        },
        extra_behavior="forbid",
        total=True,
    )
    # The reader reads only the connection of a close record; the rest is what the
    # writer adds (a frame's "dir" makes the record a frame's, and the precise path's).
    close = cs.typed_dict_schema(
        {
            "event": cs.typed_dict_field(cs.literal_schema(["close"])),
            "conn": cs.typed_dict_field(cs.str_schema(strict=True), required=False),
            **{
                name: cs.typed_dict_field(cs.any_schema(), required=False)
                for name in ("ts", "code", "reason")
            },
        },
        extra_behavior="forbid",
        total=True,
    )
    record = cs.union_schema([frame, close], mode="left_to_right")
    return SchemaValidator(cs.list_schema(cs.json_schema(record)), _CONFIG)


def _may_nest(schema: cs.CoreSchema) -> bool:
    """Say whether a value of ``schema`` may hold an object (and so keys of its own)."""
    kind = schema["type"]
    if kind in ("str", "int", "float", "bool", "none", "literal"):
        return False
    if kind == "list":
        return _may_nest(schema.get("items_schema", cs.any_schema()))
    if kind == "union":
        return any(
            _may_nest(choice[0] if isinstance(choice, tuple) else choice)
            for choice in schema["choices"]
        )
    return True  # any, dict, typed-dict and whatever else: assume it may


@cache
def nesting_types(version: str | None = None) -> frozenset[str]:
    """Return the message types with a field that may hold an object (keys below the message's own).

    A message of any other type that :func:`batch_validator` takes has exactly
    as many keys as its dict has fields, since the validator refuses unknown fields.
    """
    union = message_schema("forbid", version)
    found = set()
    for type_, choice in union["choices"].items():
        fields = choice.get("fields", {})
        if any(_may_nest(field["schema"]) for field in fields.values()):
            found.add(type_)
    return frozenset(found)


_PLAIN_STRING: Final[cs.CoreSchema] = cs.str_schema(strict=True)


@cache
def plain_string_messages(version: str | None = None) -> dict[str, tuple[str, ...]]:
    """Return the message types whose required fields are ``type`` and plain strings.

    Each comes with its required fields, ``type`` among them, in the schema's
    order. A message of such a type that has these fields and no other, each a
    string, is valid whatever the strings hold: the checker recognises it by
    its text alone (``check.batch``). A string with a constraint (a length, a
    pattern, a set of values) makes its message's type not one of these.
    """
    union = message_schema("forbid", version)
    found = {}
    for type_, choice in union["choices"].items():
        fields = choice.get("fields", {})
        required = [name for name, field in fields.items() if field.get("required")]
        if "type" in required and all(
            name == "type" or fields[name]["schema"] == _PLAIN_STRING for name in required
        ):
            found[type_] = tuple(required)
    return found
