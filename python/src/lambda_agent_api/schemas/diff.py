"""What changed between two versions of the protocol, and who it breaks.

:func:`diff` compares two schema sets
(:class:`~lambda_agent_api.schemas.versions.SchemaSet`) message by message, on
each side of the wire:

- messages the **server** sends: can an *old client* read what a *new server* sends?
- messages the **client** sends: can an *old server* read what a *new client*
  sends, and a *new server* what an *old client* sends?

Every change gets a :class:`Verdict` per direction: ``breaking``, ``compatible``
or ``tolerant`` (compatible for tolerant readers: a reader that ignores
message types and fields it does not know, as this package's client does,
reads on; a strict one refuses). A verdict names the JSON pointer, says why
in a sentence, and shows a counterexample message where one exists; every
counterexample is checked with ``jsonschema``: the writer's schema accepts it
and the reader's refuses it (or, for a changed default, both accept it and
read it differently).

The comparison works on what the schemas accept, not how they are written
(:mod:`lambda_agent_api.schemas._canonical`), so rewriting a schema without
changing its meaning is a compatible change. A writer is taken to send only
the fields its schema declares: adding an optional field to a reader is then
compatible, as it is in practice.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final, Literal
from urllib.parse import urljoin

from jsonschema import Draft202012Validator, validators

from lambda_agent_api.schemas._canonical import (
    Branch,
    Canon,
    Canonicalizer,
    Finding,
    SchemaError,
    describe,
    intersect,
    render,
    sample,
    subset,
)
from lambda_agent_api.schemas.versions import SchemaSet, SchemaSetError

__all__ = [
    "DIRECTIONS",
    "Change",
    "Diff",
    "Level",
    "Side",
    "Verdict",
    "diff",
]

Side = Literal["server", "client"]
"""Who sends the message."""


class Level(enum.IntEnum):
    """How bad a change is, from a reader's point of view; ordered, worst last."""

    COMPATIBLE = 0
    """Every reader reads on."""
    TOLERANT = 1
    """A reader that ignores unknown message types and fields reads on; a strict one fails."""
    BREAKING = 2
    """Some message one side may send is refused, or read with another meaning, by the other."""

    @property
    def label(self) -> str:
        """The word used in reports: ``compatible``, ``tolerant`` or ``breaking``."""
        return self.name.lower()


@dataclass(frozen=True)
class Direction:
    """One reader and one writer: whose messages, read by whom."""

    side: Side
    """Who writes the messages."""
    writer_is_new: bool
    """Whether the writer speaks the new version (then the reader speaks the old one)."""

    @property
    def label(self) -> str:
        """``old client reads new server``, and so on."""
        writer, reader = ("new", "old") if self.writer_is_new else ("old", "new")
        other = "client" if self.side == "server" else "server"
        return f"{reader} {other} reads {writer} {self.side}"


DIRECTIONS: Final[Mapping[Side, tuple[Direction, ...]]] = {
    "server": (Direction("server", True),),
    "client": (Direction("client", True), Direction("client", False)),
}
"""The directions checked on each side of the wire."""

UNIONS: Final[Mapping[Side, tuple[str, str]]] = {
    "server": ("server_message.json", "ServerMessage"),
    "client": ("client_message.json", "ClientMessage"),
}
"""Each side's union: its file name, or else its title."""

# Every frame is a JSON object with a string `type` (a transport fact): values
# outside that never reach a schema, so no change is judged on them.
_FRAME: Final[Canon] = (
    Branch("object", properties=(("type", (Branch("string"),)),), required=frozenset({"type"})),
)


@dataclass(frozen=True)
class Verdict:
    """What one change means for one reader and writer."""

    direction: Direction
    """Who reads whose messages."""
    level: Level
    """Breaking, tolerant or compatible."""
    reasons: tuple[str, ...] = ()
    """Why, one sentence each (empty when compatible for the obvious reason)."""
    counterexample: Any = None
    """A message the writer may send that the reader refuses or reads differently."""
    has_counterexample: bool = False
    """Whether :attr:`counterexample` is one (``None`` is a JSON value too)."""

    def as_json(self) -> dict[str, Any]:
        """Return the verdict as a JSON object (for ``--format json``)."""
        out: dict[str, Any] = {
            "direction": self.direction.label,
            "level": self.level.label,
            "reasons": list(self.reasons),
        }
        if self.has_counterexample:
            out["counterexample"] = self.counterexample
        return out


@dataclass
class Change:
    """One change between the versions, with its verdict for every direction."""

    side: Side
    """Who sends the message."""
    message: str
    """The message's ``type``."""
    file: str
    """The message's schema file (in the new version, or the old one if removed)."""
    pointer: str
    """JSON pointer, inside :attr:`file`, of what changed (``""``: the whole message)."""
    summary: str
    """What changed, in one sentence."""
    verdicts: list[Verdict] = field(default_factory=list)
    """One per direction of :attr:`side`."""

    @property
    def level(self) -> Level:
        """The worst of the verdicts."""
        return max((v.level for v in self.verdicts), default=Level.COMPATIBLE)

    @property
    def location(self) -> str:
        """``file#pointer``."""
        return f"{self.file}#{self.pointer}"

    def as_json(self) -> dict[str, Any]:
        """Return the change as a JSON object (for ``--format json``)."""
        return {
            "side": self.side,
            "message": self.message,
            "pointer": self.location,
            "summary": self.summary,
            "level": self.level.label,
            "verdicts": [v.as_json() for v in self.verdicts],
        }


@dataclass
class Diff:
    """Every change from one version to another."""

    old: str
    """The old version's name."""
    new: str
    """The new version's name."""
    changes: list[Change]
    """In order: server side first, then client; by message, as the new version lists them."""

    @property
    def level(self) -> Level:
        """The worst change's level (compatible when nothing changed)."""
        return max((c.level for c in self.changes), default=Level.COMPATIBLE)

    @property
    def breaking(self) -> bool:
        """Whether any change breaks a reader (tolerant changes do not count)."""
        return self.level is Level.BREAKING

    def counts(self) -> dict[str, int]:
        """How many changes of each level."""
        return {lv.label: sum(c.level is lv for c in self.changes) for lv in Level}

    def as_json(self) -> dict[str, Any]:
        """Return the whole diff as a JSON object (for ``--format json``)."""
        return {
            "old": self.old,
            "new": self.new,
            "level": self.level.label,
            "counts": self.counts(),
            "changes": [c.as_json() for c in self.changes],
        }


@dataclass
class _Message:
    """One message of one version, read from its union."""

    type: str
    file: str
    shape: Branch
    raw: Any
    schemas: _Version

    @cached_property
    def example(self) -> dict[str, Any]:
        """An ordinary message of this type: the schema's first valid example, or one made up."""
        examples = self.raw.get("examples", []) if isinstance(self.raw, dict) else []
        for candidate in examples if isinstance(examples, list) else []:
            if isinstance(candidate, dict) and self.schemas.valid(self.side, candidate):
                return dict(candidate)
        made = sample((self.shape,))
        made = made if isinstance(made, dict) else {}
        made["type"] = self.type
        return made

    @property
    def side(self) -> Side:
        return self.schemas.side_of[self.type]


class _Version:
    """A schema set read as the protocol: each side's messages, by type."""

    def __init__(self, schemas: SchemaSet) -> None:
        self.schemas = schemas
        self.canonicalizer = Canonicalizer(schemas.registry)
        self.messages: dict[Side, dict[str, _Message]] = {}
        self.side_of: dict[str, Side] = {}
        self._validators: dict[Side, Draft202012Validator] = {}
        for side in DIRECTIONS:
            self.messages[side] = self._read_side(side)
            for type_ in self.messages[side]:
                self.side_of[type_] = side

    def _union(self, side: Side) -> tuple[str, dict[str, Any]]:
        filename, title = UNIONS[side]
        docs = self.schemas.documents
        if filename in docs:
            return filename, docs[filename]
        for path, doc in docs.items():
            if doc.get("title") == title:
                return path, doc
        raise SchemaSetError(f"{self.schemas.name}: no {filename} (nor a schema titled {title})")

    def _read_side(self, side: Side) -> dict[str, _Message]:
        path, union = self._union(side)
        members = union.get("oneOf", union.get("anyOf"))
        if members is None and isinstance(union.get("allOf"), list):
            # v1.1 on: the union sends each message to its member with if/then on `type`.
            members = [
                branch["then"]
                for branch in union["allOf"]
                if isinstance(branch, dict) and isinstance(branch.get("then"), dict)
            ]
        if not isinstance(members, list) or not members:
            raise SchemaSetError(f"{self.schemas.name}: {path} has no list of messages")
        base = self.schemas.uri(path)
        by_id = {self.schemas.uri(p): p for p in self.schemas.documents}
        found: dict[str, _Message] = {}
        for index, member in enumerate(members):
            where = f"{path}#/oneOf/{index}"
            ref = member.get("$ref") if isinstance(member, dict) else None
            if isinstance(ref, str):
                uri = urljoin(base, ref)
                file = by_id.get(uri.split("#")[0], where)
                raw = self.schemas.documents.get(file, member)
            else:
                uri, file, raw = f"{base}#/oneOf/{index}", where, member
            try:
                canon = intersect(self.canonicalizer.canon_uri(uri), _FRAME)
            except SchemaError as error:
                raise SchemaSetError(f"{self.schemas.name}: {where}: {error}") from None
            type_ = _constant_type(canon)
            if type_ is None:
                raise SchemaSetError(
                    f"{self.schemas.name}: {where} is not a message with one constant `type`"
                )
            if type_ in found:
                raise SchemaSetError(f"{self.schemas.name}: {path} lists {type_} twice")
            found[type_] = _Message(type_, file, canon[0], raw, self)
        return found

    def valid(self, side: Side, message: Any) -> bool:
        """Whether ``message`` is valid under this version's union for ``side``."""
        if side not in self._validators:
            path, _ = self._union(side)
            self._validators[side] = NO_PATTERNS(
                {"$ref": self.schemas.uri(path)}, registry=self.schemas.registry_for_validators
            )
        return bool(self._validators[side].is_valid(message))


# Counterexamples are checked without running `pattern`s: a schema file is
# untrusted input, and a hostile regular expression could backtrack for ever.
def _skip(*_: Any) -> None:
    return None


NO_PATTERNS: Final[type[Draft202012Validator]] = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _skip, "patternProperties": _skip}
)
"""Draft 2020-12 validation that never runs ``pattern`` or ``patternProperties``."""


def _constant_type(canon: Canon) -> str | None:
    if len(canon) != 1 or canon[0].kind != "object":
        return None
    type_ = canon[0].prop("type")
    if type_ is None or len(type_) != 1 or type_[0].kind != "values":
        return None
    values = type_[0].values
    return values[0] if len(values) == 1 and isinstance(values[0], str) else None


def diff(old: SchemaSet, new: SchemaSet) -> Diff:
    """Compare two versions of the protocol; return every change with its verdicts.

    Raises:
        SchemaSetError: a version cannot be read as the protocol (no unions, a
            member without a constant ``type``, a broken ``$ref``...).
    """
    before, after = _Version(old), _Version(new)
    changes: list[Change] = []
    for side in DIRECTIONS:
        olds, news = before.messages[side], after.messages[side]
        order = [*news, *(t for t in olds if t not in news)]
        for type_ in order:
            if type_ not in olds:
                changes.append(_added(side, news[type_]))
            elif type_ not in news:
                changes.append(_removed(side, olds[type_]))
            else:
                changes.extend(_changed(side, olds[type_], news[type_]))
    return Diff(old.name, new.name, changes)


def _added(side: Side, message: _Message) -> Change:
    change = Change(side, message.type, message.file, "", f"new message type {message.type}")
    for direction in DIRECTIONS[side]:
        if not direction.writer_is_new:
            change.verdicts.append(
                Verdict(direction, Level.COMPATIBLE, ("the old writer never sends it",))
            )
        elif side == "server":
            change.verdicts.append(
                Verdict(
                    direction,
                    Level.TOLERANT,
                    (
                        f"an old client does not know {message.type}: one that ignores "
                        "unknown types reads on, a strict one refuses the frame",
                    ),
                    message.example,
                    True,
                )
            )
        else:
            change.verdicts.append(
                Verdict(
                    direction,
                    Level.BREAKING,
                    (
                        f"an old server does not know {message.type}: ignored or refused, "
                        "the request gets no answer; send it only to a server of the new version",
                    ),
                    message.example,
                    True,
                )
            )
    return change


def _removed(side: Side, message: _Message) -> Change:
    change = Change(side, message.type, message.file, "", f"message type {message.type} removed")
    for direction in DIRECTIONS[side]:
        if direction.writer_is_new:
            change.verdicts.append(
                Verdict(direction, Level.COMPATIBLE, ("the new writer never sends it",))
            )
        else:
            change.verdicts.append(
                Verdict(
                    direction,
                    Level.BREAKING,
                    (f"an old {side} still sends {message.type}, which the new reader refuses",),
                    message.example,
                    True,
                )
            )
    return change


def _changed(side: Side, old: _Message, new: _Message) -> list[Change]:
    changes = list(_detect(side, old, new))
    for direction in DIRECTIONS[side]:
        writer, reader = (new, old) if direction.writer_is_new else (old, new)
        by_change: dict[int, list[Finding]] = {}
        for finding in subset((writer.shape,), (reader.shape,)):
            index = _owner(changes, finding)
            if index is None:
                changes.append(Change(side, new.type, new.file, finding.pointer, "schema changed"))
                index = len(changes) - 1
            by_change.setdefault(index, []).append(finding)
        for index, change in enumerate(changes):
            change.verdicts.append(_verdict(direction, by_change.get(index, []), writer, reader))
    return changes


def _owner(changes: list[Change], finding: Finding) -> int | None:
    """Return the change a finding comes from: the one whose pointer is its longest prefix."""
    best: int | None = None
    for index, change in enumerate(changes):
        pointer = change.pointer
        inside = finding.pointer == pointer or finding.pointer.startswith(pointer + "/")
        if inside and (best is None or len(pointer) > len(changes[best].pointer)):
            best = index
    if best is None and finding.tolerant:
        for index, change in enumerate(changes):
            if change.pointer == "/additionalProperties":
                return index
    if best is None:
        for index, change in enumerate(changes):
            if change.pointer == "":
                return index
    return best


def _verdict(
    direction: Direction, findings: list[Finding], writer: _Message, reader: _Message
) -> Verdict:
    reasons = tuple(dict.fromkeys(f.sentence for f in findings))
    problems = [f for f in findings if not f.note]
    if not problems:
        return Verdict(direction, Level.COMPATIBLE, reasons)
    level = Level.TOLERANT if all(f.tolerant for f in problems) else Level.BREAKING
    for finding in problems:
        if level is Level.BREAKING and finding.tolerant:
            continue
        example = _counterexample(finding, writer, reader)
        if example is not None:
            return Verdict(direction, level, reasons, example, True)
    return Verdict(direction, level, reasons)


def _counterexample(finding: Finding, writer: _Message, reader: _Message) -> Any:
    """Return the writer's ordinary message changed as ``finding`` says, if that proves it."""
    if not (finding.has_value or finding.remove) or not finding.path:
        return None
    message = json.loads(json.dumps(writer.example))
    node: Any = message
    for key, next_key in zip(finding.path, finding.path[1:], strict=False):
        child = node[key] if _has(node, key) else None
        if not isinstance(child, (dict, list)):
            child = [] if isinstance(next_key, int) else {}
            _put(node, key, child)
        node = child
    last = finding.path[-1]
    if finding.remove:
        if isinstance(node, dict):
            node.pop(last, None)
    else:
        _put(node, last, finding.value)
    if not writer.schemas.valid(writer.side, message):
        return None
    if reader.schemas.valid(reader.side, message) != finding.semantic:
        return None
    return message


def _has(node: Any, key: str | int) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(key, int) and isinstance(node, list) and 0 <= key < len(node)


def _put(node: Any, key: str | int, value: Any) -> None:
    if isinstance(node, dict):
        node[key] = value
    elif isinstance(node, list) and isinstance(key, int):
        node[key:] = [value]


def _detect(side: Side, old: _Message, new: _Message) -> Iterator[Change]:
    """Every difference between two versions of one message, without judging it."""
    o, n = old.shape, new.shape
    found = False
    for name in sorted({*dict(o.properties), *dict(n.properties)}):
        pointer = f"/properties/{name.replace('~', '~0').replace('/', '~1')}"
        before, after = o.prop(name), n.prop(name)
        words = _field_change(name, o, n, before, after)
        if words:
            found = True
            yield Change(
                side, new.type, new.file if after is not None else old.file, pointer, words
            )
    if _extra(o) != _extra(n):
        found = True
        yield Change(
            side,
            new.type,
            new.file,
            "/additionalProperties",
            f"fields it does not declare: {_extra(o)} before, {_extra(n)} now",
        )
    undeclared = (o.required ^ n.required) - {*dict(o.properties), *dict(n.properties)}
    if o.bounds != n.bounds or undeclared:
        found = True
        yield Change(side, new.type, new.file, "", "the message's own constraints changed")
    if not found and _stripped(old.raw) != _stripped(new.raw):
        yield Change(
            side,
            new.type,
            new.file,
            "",
            "rewritten (descriptions, examples or how the schema is written); "
            "it accepts the same messages",
        )


def _field_change(
    name: str, o: Branch, n: Branch, before: Canon | None, after: Canon | None
) -> str:
    if before is None and after is None:
        return ""
    if before is None:
        assert after is not None
        need = "required" if name in n.required else "optional"
        default = n.default(name)
        shown = f", default `{default}`" if default is not None else ""
        return f"field `{name}` added ({need}, {describe(after)}{shown})"
    if after is None:
        need = "required" if name in o.required else "optional"
        return f"field `{name}` removed (it was {need}, {describe(before)})"
    parts = []
    if render(before) != render(after):
        parts.append(f"`{name}`: {describe(before)} before, {describe(after)} now")
    if (name in o.required) != (name in n.required):
        parts.append(f"`{name}` is {'now' if name in n.required else 'no longer'} required")
    if o.default(name) != n.default(name):
        parts.append(
            f"`{name}`: default {_shown(o.default(name))} before, {_shown(n.default(name))} now"
        )
    return "; ".join(parts)


def _shown(default: str | None) -> str:
    return "none" if default is None else f"`{default}`"


def _extra(branch: Branch) -> str:
    if branch.additional is None:
        return "allowed"
    if not branch.additional:
        return "refused"
    return f"allowed if {describe(branch.additional)}"


def _stripped(raw: Any) -> Any:
    if isinstance(raw, dict):
        return {k: _stripped(v) for k, v in raw.items() if k != "$id"}
    if isinstance(raw, list):
        return [_stripped(v) for v in raw]
    return raw
