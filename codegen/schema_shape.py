"""Read the shape of the schema files, and turn them into one self-contained document.

The files of a schema folder (``schema/v1.1/``) have no ``$id``: a file is
known by its path, and every ``$ref`` is relative to the file it is in, so
that any tool resolves it from where the file lies, offline (see
docs/ecosystem.md). A message file types ``type`` as a plain ``const``; a
union file sends a message to its member with ``if``/``then`` on ``type``.

Tools that cannot follow ``$ref`` across files (code generators,
hypothesis-jsonschema, Ajv without a loader) need a single document: the
bundle.

This module is codegen's, and has no dependencies beyond the standard library: the
package ships it as its generated ``_bundle.py`` (a copy), since it bundles schema
folders at run time too; codegen never imports the package.
"""

from __future__ import annotations

import copy
import posixpath
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DRAFT_2020_12",
    "bundle",
    "message_tag",
    "resolve",
    "union_members",
]

JsonObject = dict[str, Any]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

_DISCRIMINATOR = "type"


def resolve(path: str, ref: str) -> str:
    """Return the path that ``ref`` (relative, as in a ``$ref``) names from the file ``path``.

    Raises:
        ValueError: ``ref`` is absolute, has a fragment, or leaves the schema folder.

    """
    if ":" in ref or "#" in ref or ref.startswith("/"):
        raise ValueError(f"{path}: $ref {ref!r} is not a relative path to a schema file")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))
    if target.startswith("../") or target == "..":
        raise ValueError(f"{path}: $ref {ref!r} leaves the schema folder")
    return target


def message_tag(document: Mapping[str, Any]) -> str | None:
    """Return a message schema's ``type`` value (its ``const``), or None for any other schema.

    v1.1 on, ``type`` is a plain ``const``; v1.0 (kept in the shape v1.1 was first
    released in) wrote it ``allOf: [{"$ref": <the enum>}, {"const": ...}]``.
    """
    prop = document.get("properties", {}).get(_DISCRIMINATOR)
    if not isinstance(prop, dict):
        return None
    consts = [part["const"] for part in prop.get("allOf", []) if "const" in part]
    if "const" in prop:
        consts.append(prop["const"])
    if len(consts) != 1:
        return None
    tag = consts[0]
    return tag if isinstance(tag, str) else None


def union_members(path: str, document: Mapping[str, Any]) -> dict[str, str] | None:
    """Return a union schema's members, ``{type value: member path}``, or None for a non-union.

    A union is an object whose ``allOf`` holds only pairs of
    ``"if": {"type": "object", "properties": {"type": {"const": T}}, "required": ["type"]}``
    and ``"then": {"$ref": R}``; anything else there is refused rather than guessed at.

    Raises:
        ValueError: ``allOf`` mixes dispatch pairs with other schemas, or repeats a value.

    """
    branches = document.get("allOf")
    if not isinstance(branches, list) or not branches:
        return None
    members: dict[str, str] = {}
    for branch in branches:
        if_ = branch.get("if", {}) if isinstance(branch, dict) else {}
        tag = message_tag(if_)
        then = branch.get("then") if isinstance(branch, dict) else None
        if (
            set(branch) != {"if", "then"}
            or tag is None
            or set(if_) != {"type", "properties", "required"}
            or if_["type"] != "object"
            or list(if_["properties"]) != [_DISCRIMINATOR]
            or if_.get("required") != [_DISCRIMINATOR]
            or not isinstance(then, dict)
            or set(then) != {"$ref"}
        ):
            raise ValueError(f"{path}: allOf holds something other than if/then on `type`")
        if tag in members:
            raise ValueError(f"{path}: `type` {tag!r} is dispatched twice")
        members[tag] = resolve(path, then["$ref"])
    return members


def bundle(
    documents: Mapping[str, JsonObject], root: str | None = None, *, base_uri: str | None = None
) -> JsonObject:
    """Bundle schema files into one draft 2020-12 document, with every ``$ref`` local.

    ``documents`` maps a file's path (relative to its schema folder) to its
    parsed content; every file needs a unique ``title``. Each file becomes
    ``$defs/<title>`` and every ``$ref`` points there. A union's ``if``/``then``
    dispatch becomes ``oneOf`` over its members with ``discriminator:
    {"propertyName": "type"}``: code generators turn that into a tagged union
    (and Ajv, with its ``discriminator`` option, validates only the tagged
    member); it accepts exactly what the ``if``/``then`` form accepts.

    With ``root`` (a path in ``documents``), the result validates like that
    file; without it, it only holds the definitions. With ``base_uri`` (where
    the folder is published), the result's ``$id`` is ``<base_uri>bundle.json``.

    Raises:
        ValueError: titles repeat, a ``$ref`` names no file, or a union is malformed.

    """
    titles = [doc["title"] for doc in documents.values()]
    duplicates = {t for t in titles if titles.count(t) > 1}
    if duplicates:
        raise ValueError(f"schema titles must be unique, repeated: {sorted(duplicates)}")

    def local(path: str, ref: str) -> str:
        target = resolve(path, ref)
        if target not in documents:
            raise ValueError(f"{path}: $ref {ref!r} names no schema file")
        return "#/$defs/" + str(documents[target]["title"])

    def rewrite(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            out: JsonObject = {}
            for key, value in node.items():
                if key == "$ref":
                    out[key] = local(path, value)
                elif key in ("$id", "$schema"):
                    continue
                elif key == "discriminator" and isinstance(value, dict) and "mapping" in value:
                    # v1.0's OpenAPI-style mapping names files as $refs do.
                    mapping = {tag: local(path, ref) for tag, ref in value["mapping"].items()}
                    out[key] = {**value, "mapping": mapping}
                else:
                    out[key] = rewrite(value, path)
            return out
        if isinstance(node, list):
            return [rewrite(item, path) for item in node]
        return copy.deepcopy(node)

    def definition(path: str, doc: JsonObject) -> JsonObject:
        members = union_members(path, doc)
        if members is None:
            result: JsonObject = rewrite(doc, path)
            return result
        for tag, member in members.items():
            if member not in documents or message_tag(documents[member]) != tag:
                raise ValueError(f"{path}: `type` {tag!r} leads to {member}, not its message")
        return {
            "title": doc["title"],
            "description": doc["description"],
            "type": "object",
            "discriminator": {"propertyName": _DISCRIMINATOR},
            "oneOf": [
                {"$ref": "#/$defs/" + str(documents[member]["title"])}
                for member in members.values()
            ],
        }

    result: JsonObject = {"$schema": DRAFT_2020_12}
    if base_uri is not None:
        result["$id"] = base_uri + "bundle.json"
    if root is not None:
        result["$ref"] = "#/$defs/" + str(documents[root]["title"])
    result["$defs"] = {
        doc["title"]: definition(path, doc) for path, doc in sorted(documents.items())
    }
    return result
