"""The traffic checker: captured frames in, located diagnostics out. It prints nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Final, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from lambda_agent_api.capture.format import (
    BadRecord,
    CaptureItem,
    Connection,
    ConnectionEnd,
    Frame,
)
from lambda_agent_api.check.diagnostics import Diagnostic, Summary, ValidationResult
from lambda_agent_api.check.explanation import explain, json_pointer
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.protocol.conversation import Conversation
from lambda_agent_api.protocol.limits import (
    MAX_FRAME_BYTES,
    MAX_NUMBER_DIGITS,
    PYDANTIC_MAX_INT_DIGITS,
    NumberTooLong,
    find_long_number,
)
from lambda_agent_api.protocol.message_set import CURRENT, message_set, normalize_version
from lambda_agent_api.protocol.messages import (
    CLIENT_MESSAGE_CLASSES,
    DISCRIMINATOR,
    SERVER_MESSAGE_CLASSES,
    ClientMessageUnion,
    ServerMessageUnion,
)
from lambda_agent_api.protocol.rules import RULES
from lambda_agent_api.protocol.strict_json import kind as _json_kind
from lambda_agent_api.protocol.strict_json import show as _show
from lambda_agent_api.protocol.transitions import Role, role_of

__all__ = [
    "WORKSPACE_PATHS",
    "Checker",
    "validate",
    "workspace_path_problem",
]

WORKSPACE_PATHS: Final[Mapping[str, tuple[str, bool]]] = {
    "USER_MESSAGE": ("attachments", True),
    "AGENT_EVENT_SEND_FILE": ("path", False),
}
"""The fields that hold paths relative to ``/workspace``: type -> (field, whether it is a list).

The schema keeps them plain strings; W003 warns about absolute ones and ``..`` segments.
"""

_ANY_MESSAGE: Final[TypeAdapter[Any]] = TypeAdapter(
    Annotated[ServerMessageUnion | ClientMessageUnion, Field(discriminator=DISCRIMINATOR)],
    # Interning every short string value costs more than it saves: text chunks are
    # all different. Keys repeat, and are still interned.
    config=ConfigDict(cache_strings="keys"),
)
_CLASSES: Final = {**SERVER_MESSAGE_CLASSES, **CLIENT_MESSAGE_CLASSES}
_ROLE_OF_TYPE: Final[dict[str, Role]] = {
    **dict.fromkeys(SERVER_MESSAGE_CLASSES, Role.SERVER),
    **dict.fromkeys(CLIENT_MESSAGE_CLASSES, Role.CLIENT),
}
_ROLE_OF_DIRECTION: Final[dict[str | None, Role]] = {"send": Role.CLIENT, "recv": Role.SERVER}


# pydantic's JSON parser takes NaN and Infinity, which are not JSON. Only a
# field of any JSON value (or an unknown field) can hold one and still pass,
# so only those messages are searched for them, and sent the slow way.
def _holds_any(annotation: Any) -> bool:
    return annotation is Any or any(_holds_any(arg) for arg in get_args(annotation))


def _class_info(
    classes: Mapping[str, type[BaseModel]], roles: Mapping[str, Role]
) -> dict[type[BaseModel], tuple[str, Role, bool, bool]]:
    """Return each message class's type, sender, and whether it holds any JSON or paths.

    The last two: whether a field takes any JSON value, and whether it holds
    /workspace paths.
    """
    return {
        cls: (
            type_,
            roles[type_],
            any(_holds_any(f.annotation) for f in cls.model_fields.values()),
            type_ in WORKSPACE_PATHS,
        )
        for type_, cls in classes.items()
    }


_CLASS_INFO: Final = _class_info(_CLASSES, _ROLE_OF_TYPE)


@dataclass(frozen=True)
class _Protocol:
    """What the checker needs of one protocol version: its parser and its classes."""

    version: str
    any_message: TypeAdapter[Any]
    classes: Mapping[str, type[BaseModel]]
    class_info: Mapping[type[BaseModel], tuple[str, Role, bool, bool]]


@cache
def _protocol(version: str) -> _Protocol:
    if version == CURRENT:
        return _Protocol(version, _ANY_MESSAGE, _CLASSES, _CLASS_INFO)
    known = message_set(version)
    union = known.models.ServerMessage | known.models.ClientMessage
    classes = {**known.server_classes, **known.client_classes}
    roles = {
        **dict.fromkeys(known.server_classes, Role.SERVER),
        **dict.fromkeys(known.client_classes, Role.CLIENT),
    }
    discriminated: Any = Annotated[union, Field(discriminator=DISCRIMINATOR)]
    adapter: TypeAdapter[Any] = TypeAdapter(
        discriminated,
        config=ConfigDict(cache_strings="keys"),
    )
    return _Protocol(version, adapter, classes, _class_info(classes, roles))


class Checker:
    """Check captured items one at a time, keeping one conversation per connection.

    Feed it what :func:`~lambda_agent_api.capture.read_capture` yields with
    :meth:`check`, then call :meth:`finish`. It holds only the state of the
    open connections, so it runs in flat memory over any number of frames.

    A frame larger than ``max_frame_bytes``, or holding an integer of more than
    ``max_number_digits`` digits, is reported (F006) and not parsed as it is:
    see :mod:`lambda_agent_api.protocol.limits`.
    """

    def __init__(
        self,
        protocol: str | None = None,
        *,
        max_frame_bytes: int = MAX_FRAME_BYTES,
        max_number_digits: int = MAX_NUMBER_DIGITS,
    ) -> None:
        """Check against ``protocol`` (``"1.0"``...; default: the current version).

        Raises:
            ValueError: ``protocol`` is not a released version.
        """
        self.summary = Summary()
        """Counts so far."""
        self.max_frame_bytes = max_frame_bytes
        """The largest frame parsed, in bytes of UTF-8."""
        self.max_number_digits = max_number_digits
        """The most digits an integer may have."""
        self._conversations: dict[Connection, Conversation] = {}
        self._protocol = _protocol(normalize_version(CURRENT if protocol is None else protocol))

    # Public methods for feeding items

    def check(self, item: CaptureItem) -> list[Diagnostic]:
        """Check one item of a capture; return what it broke (usually nothing)."""
        return list(self.check_all((item,)))

    def check_all(self, items: Iterable[CaptureItem]) -> Generator[Diagnostic, None, None]:
        """Check every item of a capture in turn; yield what they break, as it is found.

        Connections left open when ``items`` runs out stay open: call
        :meth:`finish` once the capture has ended.
        """
        # The loop runs once per frame, millions of times: names are bound to
        # locals, and a valid frame costs one pydantic call and one step of its
        # conversation. (Remembering repeated short frames was tried: the
        # cache's garbage-collector cost outweighs what it saves.)
        conversations = self._conversations
        protocol = self._protocol
        validate_json = protocol.any_message.validator.validate_json  # without the wrapper
        class_info = protocol.class_info
        role_of_direction = _ROLE_OF_DIRECTION
        frame_type = Frame
        # A str's UTF-8 takes at most 4 bytes a character: only a long one is measured.
        max_chars = self.max_frame_bytes // 4
        # pydantic refuses an integer of more digits itself, and the slow path explains.
        check_digits = self.max_number_digits < PYDANTIC_MAX_INT_DIGITS
        frames = 0
        try:
            for item in items:
                if type(item) is not frame_type:
                    yield from self._check_other(item)
                    continue
                frames += 1
                connection, _, direction, data, binary, _, _ = item
                conversation = conversations.get(connection)
                if conversation is None:
                    conversation = self._open(connection)
                if binary:
                    yield from self._count([_binary(item)])
                    continue
                if len(data) > max_chars and (over := self._over_limit(item)) is not None:
                    yield from self._count([over])
                    continue
                if check_digits and find_long_number(data, self.max_number_digits) is not None:
                    yield from self._check_slowly(item, conversation)  # says F006
                    continue
                try:
                    message = validate_json(data)
                except ValidationError:
                    yield from self._check_slowly(item, conversation)
                    continue
                # A valid message of a known type: the fast path.
                type_, role, any_value, paths = class_info[message.__class__]
                fields = message.__dict__
                extra = message.__pydantic_extra__
                if _may_repeat_a_key(data, len(message.__pydantic_fields_set__)):
                    duplicate = _duplicate_key(item)
                    if duplicate is not None:  # reported; the checks go on with the last value
                        yield from self._count([duplicate])
                if any_value or extra or paths:
                    if (any_value or extra) and strict_json.may_hold_a_constant(data):
                        yield from self._check_slowly(item, conversation)
                        continue
                    found = _unsafe_paths(item, type_, fields) if paths else []
                    if extra:
                        found += _unknown_fields(item, type_, extra, protocol.version)
                    step = conversation.observe(
                        role_of_direction.get(direction, role), type_, fields
                    )
                    found += [_at(item, f.rule.id, f.message, type_) for f in step.findings]
                    if found:
                        yield from self._count(found)
                    continue
                step = conversation.observe(role_of_direction.get(direction, role), type_, fields)
                if step.findings:
                    yield from self._count(
                        [_at(item, f.rule.id, f.message, type_) for f in step.findings]
                    )
        finally:
            self.summary.frames += frames

    def end(self, connection: Connection) -> list[Diagnostic]:
        """Record that a connection ended; return what its end broke (P007, T002...)."""
        conversation = self._conversations.pop(connection, None)
        if conversation is None:
            return []
        findings = conversation.end().findings
        return self._count(
            [Diagnostic(f.rule, f.message, connection, None, None) for f in findings]
        )

    def finish(self) -> list[Diagnostic]:
        """End every connection still open (the capture ended); return what that broke."""
        return [d for connection in list(self._conversations) for d in self.end(connection)]

    def _check_other(self, item: CaptureItem) -> list[Diagnostic]:
        if type(item) is ConnectionEnd:
            return self.end(item.connection)
        if type(item) is not BadRecord:
            raise TypeError(f"not an item of a capture: {type(item).__name__}")
        self.summary.records_skipped += 1
        rule = RULES["C002" if item.error_event else "C001"]
        return self._count([Diagnostic(rule, item.reason, item.connection, None, item.position)])

    # The slow path: parse again and explain exactly

    def _over_limit(self, frame: Frame) -> Diagnostic | None:
        """Return the F006 finding for a frame larger than the limit, or None."""
        data = frame.data
        size = len(data) if isinstance(data, bytes) else _utf8_size(data)
        if size <= self.max_frame_bytes:
            return None
        limit = self.max_frame_bytes
        return _at(
            frame,
            "F006",
            f"a frame of {size} bytes: more than the limit of {limit} (max_frame_bytes); "
            "not checked",
        )

    def _check_slowly(self, frame: Frame, conversation: Conversation) -> list[Diagnostic]:
        over = self._over_limit(frame)
        if over is not None:
            return self._count([over])
        found: list[Diagnostic] = []
        value = _parse_frame(frame, self.max_number_digits)
        if isinstance(value, Diagnostic):
            if value.rule.id != "F006":
                return self._count([value])
            # An integer too long to convert: said, and the rest is checked with a
            # stand-in for it, so that the conversation sees the message.
            found.append(value)
            value = _parse_frame(frame, self.max_number_digits, stand_in=True)
        keys = len(value) if isinstance(value, dict) else 0
        if _may_repeat_a_key(frame.data, keys):
            duplicate = _duplicate_key(frame)
            if duplicate is not None:  # reported; the checks go on with the last value
                found.append(duplicate)
        if not isinstance(value, dict):
            kind = _json_kind(value)
            problem = _at(frame, "F003", f"the frame holds {kind}, not an object")
            return self._count([*found, problem])
        type_ = value.get("type")
        if not isinstance(type_, str):
            if "type" not in value:
                problem = _at(frame, "S001", 'the message has no "type"', None, "", "required")
            else:
                kind = _json_kind(type_)
                sentence = f"type must be a string, not {kind} ({_show(type_)})"
                problem = _at(frame, "S001", sentence, None, "/type", "type")
            return self._count([*found, problem])

        protocol = self._protocol
        role = _ROLE_OF_DIRECTION.get(frame.direction) or role_of(type_)
        if type_ in protocol.classes:
            version = None if protocol.version == CURRENT else protocol.version
            found += [
                _at(frame, "S001", sentence, type_, pointer, keyword)
                for keyword, pointer, sentence in explain(type_, value, version)
            ]
            declared = _properties(protocol.classes[type_])
            unknown = {k: v for k, v in value.items() if k not in declared}
            found += _unknown_fields(frame, type_, unknown, protocol.version)
            if type_ in WORKSPACE_PATHS:
                found += _unsafe_paths(frame, type_, value)
        elif type_ in _CLASSES:
            # A later version's message: unknown to this one, and so to its conversation.
            sentence = f"unknown message type {_show(type_)} (not in protocol {protocol.version})"
            found.append(_at(frame, "W001", sentence, type_))
            return self._count(found)
        if role is None:  # an unknown type, and the capture does not say who sent it
            found.append(_at(frame, "W001", f"unknown message type {_show(type_)}", type_))
        else:
            # Containers are of no use to the conversation, and dropping them keeps
            # a deeply nested (invalid) field away from its string conversions.
            scalars = {k: v for k, v in value.items() if not isinstance(v, (dict, list))}
            step = conversation.observe(role, type_, scalars)
            found += [_at(frame, f.rule.id, f.message, type_) for f in step.findings]
        return self._count(found)

    # Bookkeeping

    def _open(self, connection: Connection) -> Conversation:
        self.summary.connections += 1
        conversation = self._conversations[connection] = Conversation()
        return conversation

    def _count(self, found: list[Diagnostic]) -> list[Diagnostic]:
        counts = self.summary.counts
        for diagnostic in found:
            counts[diagnostic.rule.id] += 1
        return found


def validate(items: Iterable[CaptureItem], protocol: str | None = None) -> ValidationResult:
    """Check a whole capture against ``protocol`` (default: the current version).

    Return every diagnostic and the summary. For large captures, drive a
    :class:`Checker` instead: this keeps every diagnostic.

    Raises:
        ValueError: ``protocol`` is not a released version.
    """
    checker = Checker(protocol)
    diagnostics = [d for item in items for d in checker.check(item)]
    diagnostics += checker.finish()
    return ValidationResult(diagnostics, checker.summary)


# Parsing a frame the fast path refused


def _parse_frame(
    frame: Frame, max_number_digits: int = MAX_NUMBER_DIGITS, stand_in: bool = False
) -> Any:
    """Return the frame's JSON value, or the Diagnostic (F001, F002) that says why there is none."""
    data = frame.data
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = data[error.start]
            return _at(
                frame, "F001", f"the frame is not UTF-8: byte 0x{byte:02x} at offset {error.start}"
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
            return _at(frame, "F001", f"the frame is not UTF-8: {reason}")
    try:
        return strict_json.loads(text, max_number_digits=max_number_digits, stand_in=stand_in)
    except NumberTooLong as error:
        return _at(frame, "F006", f"the frame holds {error}")
    except ValueError as error:
        return _at(frame, "F002", f"the frame is not JSON: {error}")


def _utf8_size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


_KEY_END: Final = re.compile(r'"[ \t\n\r]*:')
_KEY_END_BYTES: Final = re.compile(rb'"[ \t\n\r]*:')


def _may_repeat_a_key(data: str | bytes, keys: int) -> bool:
    """Whether a frame parsed into ``keys`` fields may hold a key twice (cheap; may be wrong).

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


def _duplicate_key(frame: Frame) -> Diagnostic | None:
    """Return the F005 finding for a frame that has an object with a key twice, or None."""
    try:
        # Syntax only: no number is converted, so this takes linear time.
        json.loads(frame.data, object_pairs_hook=_refuse_duplicates, parse_int=len)
    except _DuplicateKey as duplicate:
        key = _show(duplicate.key)
        return _at(
            frame,
            "F005",
            f"the key {key} appears more than once in an object; parsers disagree on which "
            "value counts",
        )
    except (ValueError, RecursionError):
        pass  # what makes it unreadable is reported elsewhere
    return None


def _binary(frame: Frame) -> Diagnostic:
    size = len(frame.data)
    return _at(frame, "F004", f"a binary frame of {size} bytes; the protocol sends only text")


# Warnings


@cache
def _properties(cls: type[BaseModel]) -> frozenset[str]:
    # The models are generated from the schema: their fields are its properties.
    return frozenset(field.alias or name for name, field in cls.model_fields.items())


def _unknown_fields(
    frame: Frame, type_: str, extra: Mapping[str, Any], version: str = CURRENT
) -> list[Diagnostic]:
    return [
        _at(
            frame,
            "W002",
            f"{type_} has a field {_show(name)} that protocol v{version} does not define",
            type_,
            json_pointer([name]),
        )
        for name in extra
    ]


def _unsafe_paths(frame: Frame, type_: str, fields: Mapping[str, Any]) -> list[Diagnostic]:
    name, is_list = WORKSPACE_PATHS[type_]
    value = fields.get(name)
    paths = list(enumerate(value)) if is_list and isinstance(value, list) else [(None, value)]
    found = []
    for index, path in paths:
        if not isinstance(path, str):
            continue
        reason = _path_problem(path)
        if reason:
            pointer = json_pointer([name] if index is None else [name, index])
            found.append(_at(frame, "W003", f"{name} {_show(path)} {reason}", type_, pointer))
    return found


def workspace_path_problem(path: str) -> str | None:
    """Say what is unsafe about a path meant to be relative to ``/workspace`` (W003), or None."""
    return _path_problem(path)


def _path_problem(path: str) -> str | None:
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":" and path[0].isalpha()):
        return "is absolute; paths are relative to /workspace"
    if ".." in path.replace("\\", "/").split("/"):
        return "has a '..' segment and may leave /workspace"
    return None


# Helpers


def _at(
    frame: Frame,
    rule_id: str,
    message: str,
    type_: str | None = None,
    pointer: str | None = None,
    keyword: str | None = None,
) -> Diagnostic:
    return Diagnostic(
        RULES[rule_id],
        message,
        frame.connection,
        frame.seq,
        frame.position,
        type_,
        pointer,
        keyword,
    )
