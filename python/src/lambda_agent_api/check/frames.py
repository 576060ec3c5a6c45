"""What one frame says on its own, before its place in the conversation: the stateless checks.

:func:`inspect_frame` checks one frame, in this order, the first failure
stopping the checks that depend on it:

1. a text frame (F004), within the limits (F006: its size, an integer's digits), of
   UTF-8 (F001), holding JSON (F002) without a key twice in an object (F005), an
   object (F003);
2. the message against its own schema, picked by ``type`` (S001), with the
   JSON pointer, the keyword and a sentence for every error;
3. unknown fields (W002) and unsafe paths (W003).

It returns what it found, without a location (the caller knows where the
frame is), and what the conversation needs to take its step: the sender, the
type and the fields.

Most frames are valid, so the common case is fast: a pydantic-core validator
translated from the schema (``check.fast_schema``) accepts
only what the schema accepts, and a frame it refuses is parsed again by RFC
8259's rules and explained by ``jsonschema``, which is exact but slow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, Final, NamedTuple

from pydantic_core import SchemaValidator

from lambda_agent_api.check.explanation import explain, json_pointer
from lambda_agent_api.check.fast_schema import UntranslatableSchema, message_validator
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.limits import (
    MAX_FRAME_BYTES,
    MAX_NUMBER_DIGITS,
    NumberTooLong,
)
from lambda_agent_api.protocol.message_types import (
    CURRENT,
    message_schema_files,
    schema_documents,
)
from lambda_agent_api.protocol.strict_json import kind as _json_kind
from lambda_agent_api.protocol.strict_json import show as _show
from lambda_agent_api.protocol.transitions import Role, role_of

__all__ = [
    "UNREAD",
    "WORKSPACE_PATHS",
    "Found",
    "Inspection",
    "inspect_frame",
    "workspace_path_problem",
]

WORKSPACE_PATHS: Final[Mapping[str, tuple[str, bool]]] = {
    "USER_MESSAGE": ("attachments", True),
    "AGENT_EVENT_SEND_FILE": ("path", False),
}
"""The fields that hold paths relative to ``/workspace``: type -> (field, whether it is a list).

The schema keeps them plain strings; W003 warns about absolute ones and ``..`` segments.
"""

UNREAD: Final = "<unread>"
"""The :attr:`Inspection.type` of a frame larger than the frame limit (F006), not read:
the conversation takes it as a frame whose sender and type are unknown
(:meth:`~lambda_agent_api.protocol.conversation.Conversation.unread`)."""

ROLE_OF_DIRECTION: Final[Mapping[str | None, Role]] = {"send": Role.CLIENT, "recv": Role.SERVER}
"""Who sent a frame, by the capture's direction (seen from the client)."""


class Found(NamedTuple):
    """One broken rule, not yet located: the rule, a sentence, and where in the message."""

    rule: str
    """The rule's id (``S001``...)."""
    message: str
    """A sentence saying what happened."""
    type: str | None = None
    """The message's ``type``, when it has one."""
    pointer: str | None = None
    """A JSON pointer into the message, for S001 and W rules."""
    keyword: str | None = None
    """The JSON Schema keyword that failed, for S001."""


class Inspection(NamedTuple):
    """What :func:`inspect_frame` found, and what the conversation needs from the frame."""

    found: list[Found]
    """The broken rules, in the order above."""
    role: Role | None
    """Who sent it; None when no conversation step follows (``fields`` is None too)."""
    type: str | None
    """Its ``type``; :data:`UNREAD` for a frame over the size limit."""
    fields: Mapping[str, Any] | None
    """Its fields for the conversation; None when it takes no conversation step."""


@cache
def _fast(version: str | None) -> SchemaValidator | None:
    try:
        return message_validator("allow", version)
    except UntranslatableSchema:  # the tests hold the shipped schemas translatable
        return None


@cache
def _properties(type_: str, version: str | None) -> frozenset[str]:
    document = schema_documents(version)[message_schema_files(version)[type_]]
    return frozenset(document.get("properties", {}))


def inspect_frame(
    direction: str | None,
    data: str | bytes,
    binary: bool = False,
    *,
    version: str | None = None,
    max_frame_bytes: int = MAX_FRAME_BYTES,
    max_number_digits: int = MAX_NUMBER_DIGITS,
) -> Inspection:
    """Check one frame on its own (see the module's doc).

    ``direction`` is ``send`` (the client sent it), ``recv``, or None when
    the capture does not say; ``data`` is the frame's text (``str``, or the
    raw bytes it came in) or a binary frame's bytes. ``version`` is the
    released protocol version to check against (``MAJOR.MINOR``; default: the
    current one); the limits are those of :mod:`lambda_agent_api.protocol.limits`.
    """
    if binary:
        size = len(data)
        message = f"a binary frame of {size} bytes; the protocol sends only text"
        return Inspection([Found("F004", message)], None, None, None)
    # A str's UTF-8 takes at most 4 bytes a character: only a long one is measured.
    if len(data) > max_frame_bytes // 4 and (over := _over_limit(data, max_frame_bytes)):
        return Inspection([over], None, UNREAD, None)
    slowly = (direction, data, version, max_frame_bytes, max_number_digits)
    # NaN, Infinity, an integer beyond the limit: the precise path (it says F006).
    if not strict_json.pydantic_reads_as_json(data, max_number_digits):
        return _inspect_slowly(*slowly)
    fast = _fast(version)
    if fast is None:
        return _inspect_slowly(*slowly)
    try:
        message = fast.validate_json(data)
    except ValueError:  # not valid for the fast validator: the precise path decides
        return _inspect_slowly(*slowly)
    type_: str = message["type"]
    found = []
    if may_repeat_a_key(data, len(message)):
        duplicate = duplicate_key(data)
        if duplicate is not None:  # reported; the checks go on with the last value
            found.append(duplicate)
    properties = _properties(type_, version)
    found += _unknown_fields(type_, [name for name in message if name not in properties], version)
    if type_ in WORKSPACE_PATHS:
        found += _unsafe_paths(type_, message)
    role = ROLE_OF_DIRECTION.get(direction) or role_of(type_)
    return Inspection(found, role, type_, message)


def _over_limit(data: str | bytes, max_frame_bytes: int) -> Found | None:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size <= max_frame_bytes:
        return None
    return Found(
        "F006",
        f"a frame of {size} bytes: more than the limit of {max_frame_bytes} (max_frame_bytes); "
        "not checked",
    )


def _inspect_slowly(
    direction: str | None,
    data: str | bytes,
    version: str | None,
    max_frame_bytes: int,
    max_number_digits: int,
) -> Inspection:
    over = _over_limit(data, max_frame_bytes)
    if over is not None:
        return Inspection([over], None, UNREAD, None)
    found: list[Found] = []
    value = _parse(data, max_number_digits)
    if isinstance(value, Found):
        if value.rule != "F006":
            return Inspection([value], None, None, None)
        # An integer too long to convert: said, and the rest is checked with a
        # stand-in for it, so that the conversation sees the message.
        found.append(value)
        value = _parse(data, max_number_digits, stand_in=True)
        if isinstance(value, Found):
            return Inspection([*found, value], None, None, None)
    if may_repeat_a_key(data, len(value) if isinstance(value, dict) else 0):
        duplicate = duplicate_key(data)
        if duplicate is not None:  # reported; the checks go on with the last value
            found.append(duplicate)
    if not isinstance(value, dict):
        problem = Found("F003", f"the frame holds {_json_kind(value)}, not an object")
        return Inspection([*found, problem], None, None, None)
    type_ = value.get("type")
    if not isinstance(type_, str):
        if "type" not in value:
            problem = Found("S001", 'the message has no "type"', None, "", "required")
        else:
            sentence = f"type must be a string, not {_json_kind(type_)} ({_show(type_)})"
            problem = Found("S001", sentence, None, "/type", "type")
        return Inspection([*found, problem], None, None, None)

    role = ROLE_OF_DIRECTION.get(direction) or role_of(type_)
    if type_ in message_schema_files(version):
        found += [
            Found("S001", sentence, type_, pointer, keyword)
            for keyword, pointer, sentence in explain(type_, value, version)
        ]
        properties = _properties(type_, version)
        found += _unknown_fields(type_, [k for k in value if k not in properties], version)
        if type_ in WORKSPACE_PATHS:
            found += _unsafe_paths(type_, value)
    elif type_ in message_schema_files():
        # A later version's message: unknown to this one, and so to its conversation.
        sentence = f"unknown message type {_show(type_)} (not in protocol {version})"
        found.append(Found("W001", sentence, type_))
        return Inspection(found, None, type_, None)
    if role is None:  # an unknown type, and the capture does not say who sent it
        found.append(Found("W001", f"unknown message type {_show(type_)}", type_))
        return Inspection(found, None, type_, None)
    # Containers are of no use to the conversation, and dropping them keeps a
    # deeply nested (invalid) field away from its string conversions.
    scalars = {k: v for k, v in value.items() if not isinstance(v, (dict, list))}
    return Inspection(found, role, type_, scalars)


def _parse(data: str | bytes, max_number_digits: int, stand_in: bool = False) -> Any:
    """Return the frame's JSON value, or what (F001, F002, F006) says why there is none."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = data[error.start]
            return Found(
                "F001", f"the frame is not UTF-8: byte 0x{byte:02x} at offset {error.start}"
            )
    else:
        text = data
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            char = ord(text[error.start])
            if 0xDC80 <= char <= 0xDCFF:  # a byte the capture line could not decode
                reason = f"byte 0x{char - 0xDC00:02x} at character {error.start}"
            else:
                reason = f"a lone surrogate U+{char:04X} at character {error.start}"
            return Found("F001", f"the frame is not UTF-8: {reason}")
    try:
        return strict_json.loads(text, max_number_digits=max_number_digits, stand_in=stand_in)
    except NumberTooLong as error:
        return Found("F006", f"the frame holds {error}")
    except ValueError as error:
        return Found("F002", f"the frame is not JSON: {error}")


_KEY_END: Final = re.compile(r'"[ \t\n\r]*:')
_KEY_END_BYTES: Final = re.compile(rb'"[ \t\n\r]*:')


def may_repeat_a_key(data: str | bytes, keys: int) -> bool:
    """Say whether a frame parsed into ``keys`` fields may hold a key twice (cheap; may be wrong).

    Every key is followed by a colon; a frame with no more colons than fields
    repeats none. Otherwise count the quotes followed by a colon.
    """
    if isinstance(data, str):
        return data.count(":") > keys and len(_KEY_END.findall(data)) > keys
    return data.count(b":") > keys and len(_KEY_END_BYTES.findall(data)) > keys


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def duplicate_key(data: str | bytes) -> Found | None:
    """Return the F005 finding for a frame that has an object with a key twice, or None."""
    try:
        # Syntax only: no number is converted, so this takes linear time.
        json.loads(data, object_pairs_hook=_refuse_duplicates, parse_int=len)
    except _DuplicateKey as duplicate:
        key = _show(duplicate.key)
        return Found(
            "F005",
            f"the key {key} appears more than once in an object; parsers disagree on which "
            "value counts",
        )
    except (ValueError, RecursionError):
        pass  # what makes it unreadable is reported elsewhere
    return None


# Warnings


def _unknown_fields(type_: str, names: list[str], version: str | None) -> list[Found]:
    return [
        Found(
            "W002",
            f"{type_} has a field {_show(name)} that protocol v{version or CURRENT} "
            "does not define",
            type_,
            json_pointer([name]),
        )
        for name in names
    ]


def _unsafe_paths(type_: str, fields: Mapping[str, Any]) -> list[Found]:
    name, is_list = WORKSPACE_PATHS[type_]
    value = fields.get(name)
    if not value:  # most messages: no attachments (an empty path is not unsafe either)
        return []
    paths = list(enumerate(value)) if is_list and isinstance(value, list) else [(None, value)]
    found = []
    for index, path in paths:
        if not isinstance(path, str):
            continue
        reason = workspace_path_problem(path)
        if reason:
            pointer = json_pointer([name] if index is None else [name, index])
            found.append(Found("W003", f"{name} {_show(path)} {reason}", type_, pointer))
    return found


_URL_SCHEME: Final = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|file:", re.IGNORECASE)


def workspace_path_problem(path: str) -> str | None:
    """Say what is unsafe about a path meant to be relative to ``/workspace`` (W003), or None."""
    # A consumer may strip the path, expand ~ or open a URL: judge what it would reach.
    if path.strip() != path:
        return "has leading or trailing whitespace, which a consumer may strip"
    if _URL_SCHEME.match(path):
        return "is a URL (such as file:///etc/passwd), not a path relative to /workspace"
    if path.startswith("~"):
        return "starts with ~, which a shell expands to a home directory"
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
        return "is absolute; paths are relative to /workspace"
    if ".." in path.replace("\\", "/").split("/"):
        return "has a '..' segment and may leave /workspace"
    return None
