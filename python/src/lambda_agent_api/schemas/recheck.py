"""Recorded traffic as evidence: which captured frames a new version would refuse.

:func:`recheck` reads every capture under a folder (the package's JSON Lines,
bare messages, or HAR: :func:`~lambda_agent_api.capture.read_capture`) and
validates each text frame against the old and the new version's union for its
direction. A frame the old version accepted and the new one refuses is
reported with where it is and why; a frame of a type the new version does not
know is reported as such (a tolerant reader ignores it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urljoin

from jsonschema.exceptions import best_match

from lambda_agent_api.capture import Frame, read_capture
from lambda_agent_api.exceptions import CaptureError
from lambda_agent_api.protocol import strict_json
from lambda_agent_api.schemas.diff import NO_PATTERNS, UNIONS, Side
from lambda_agent_api.schemas.versions import SchemaSet, SchemaSetError

__all__ = ["BecameInvalid", "Recheck", "recheck"]

CAPTURE_SUFFIXES: Final = (".jsonl", ".ndjson", ".har", ".json")
"""The files of a folder read as captures."""
MAX_CAPTURES: Final = 10_000
"""A folder with more capture files than this is refused."""
_SIDE_OF_DIRECTION: Final[dict[str, Side]] = {"send": "client", "recv": "server"}


@dataclass(frozen=True)
class BecameInvalid:
    """A captured frame that the old version accepts and the new one refuses."""

    where: str
    """The file, connection and line (or HAR path) of the frame."""
    side: Side
    """Who sent it."""
    type: str
    """Its ``type`` (``?`` when it has none)."""
    reason: str
    """The new version's first error, with its JSON pointer, or ``unknown type``."""
    unknown_type: bool = False
    """The new version does not know the frame's type (a tolerant reader ignores it)."""

    def as_json(self) -> dict[str, Any]:
        """Return the finding as a JSON object."""
        return {
            "where": self.where,
            "side": self.side,
            "type": self.type,
            "reason": self.reason,
            "unknown_type": self.unknown_type,
        }


@dataclass
class Recheck:
    """What re-validating the captures found."""

    files: int = 0
    """Capture files read."""
    frames: int = 0
    """Text frames holding a JSON object, checked."""
    invalid_before: int = 0
    """Frames the old version already refused (not the new version's doing)."""
    became_invalid: list[BecameInvalid] = field(default_factory=list)
    """Frames the old version accepts and the new one refuses."""
    problems: list[str] = field(default_factory=list)
    """Files or records that could not be read."""

    @property
    def breaking(self) -> bool:
        """Whether a frame became invalid other than by having a type unknown to the new version."""
        return any(not b.unknown_type for b in self.became_invalid)

    def as_json(self) -> dict[str, Any]:
        """Return the result as a JSON object."""
        return {
            "files": self.files,
            "frames": self.frames,
            "invalid_before": self.invalid_before,
            "became_invalid": [b.as_json() for b in self.became_invalid],
            "problems": self.problems,
        }


class _Union:
    """One side's messages of one version: a validator per message type."""

    def __init__(self, schemas: SchemaSet, side: Side) -> None:
        filename, title = UNIONS[side]
        path = filename if filename in schemas.documents else None
        if path is None:
            path = next((p for p, d in schemas.documents.items() if d.get("title") == title), None)
        if path is None:
            raise SchemaSetError(f"{schemas.name}: no {filename}")
        self.members = {
            type_: NO_PATTERNS({"$ref": uri}, registry=schemas.registry_for_validators)
            for type_, uri in _members(schemas, path)
        }
        self.union = NO_PATTERNS(
            {"$ref": schemas.uri(path)}, registry=schemas.registry_for_validators
        )

    @property
    def types(self) -> set[str]:
        """The message types of this side."""
        return set(self.members)

    def first_error(self, message: dict[str, Any]) -> str | None:
        """Return the reason the union refuses ``message`` (pointer: message), or None."""
        if self.union.is_valid(message):
            return None
        member = self.members.get(message.get("type"))  # type: ignore[arg-type]
        if member is None:
            return "unknown type"
        error = best_match(member.iter_errors(message))
        if error is None:  # the member accepts it: another member does too (oneOf)
            return "/: matches more than one message schema"
        pointer = "/" + "/".join(str(p) for p in error.absolute_path)
        return f"{pointer}: {error.message[:200]}"


def _members(schemas: SchemaSet, path: str) -> Iterator[tuple[str, str]]:
    """Yield (type, schema URI) for every member of the union at ``path`` with a constant type."""
    union = schemas.documents[path]
    by_id = {schemas.uri(p): d for p, d in schemas.documents.items()}
    # A oneOf of members (v1.0), or if/then pairs on `type` (v1.1 on).
    branches = union.get("oneOf") or [
        b.get("then") for b in union.get("allOf", []) if isinstance(b, dict)
    ]
    for member in branches:
        ref = member.get("$ref") if isinstance(member, dict) else None
        if not isinstance(ref, str):
            continue
        uri = urljoin(schemas.uri(path), ref)
        prop = (by_id.get(uri) or {}).get("properties", {}).get("type", {})
        value = prop.get("const", prop.get("default")) if isinstance(prop, dict) else None
        if isinstance(value, str):
            yield value, uri


def _capture_files(folder: Path) -> list[Path]:
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise SchemaSetError(f"{folder}: no such capture file or folder")
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix.lower() in CAPTURE_SUFFIXES:
            found.append(path)
            if len(found) > MAX_CAPTURES:
                raise SchemaSetError(f"{folder}: more than {MAX_CAPTURES} capture files")
    if not found:
        raise SchemaSetError(f"{folder}: no capture files ({', '.join(CAPTURE_SUFFIXES)})")
    return found


def recheck(captures: Path, old: SchemaSet, new: SchemaSet) -> Recheck:
    """Re-validate every frame of the captures under ``captures`` against both versions.

    Raises:
        SchemaSetError: no capture files there, or a version has no unions.
    """
    unions = {
        (name, side): _Union(schemas, side)
        for name, schemas in (("old", old), ("new", new))
        for side in UNIONS
    }
    result = Recheck()
    for path in _capture_files(captures):
        result.files += 1
        try:
            with path.open("rb") as stream:
                for item in read_capture(stream, str(path)):
                    if isinstance(item, Frame):
                        _check_frame(item, unions, result)
        except (CaptureError, OSError) as error:
            result.problems.append(f"{path}: {error}")
    return result


def _check_frame(frame: Frame, unions: dict[tuple[str, Side], _Union], result: Recheck) -> None:
    if frame.binary:
        return
    try:
        message = strict_json.loads(frame.data)
    except (ValueError, RecursionError):
        return
    if not isinstance(message, dict):
        return
    type_ = message.get("type")
    shown_type = type_[:80] if isinstance(type_, str) else "?"
    side = _SIDE_OF_DIRECTION.get(frame.direction or "")
    if side is None:
        side = "client" if shown_type in unions["old", "client"].types else "server"
    result.frames += 1
    if unions["old", side].first_error(message) is not None:
        result.invalid_before += 1
        return
    new = unions["new", side]
    error = new.first_error(message)
    if error is None:
        return
    where = f"{frame.connection.label}: {frame.where}"
    if error == "unknown type":
        result.became_invalid.append(
            BecameInvalid(where, side, shown_type, error, unknown_type=True)
        )
    else:
        result.became_invalid.append(BecameInvalid(where, side, shown_type, error))
