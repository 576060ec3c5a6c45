"""A canonical form of JSON Schema (draft 2020-12), to tell what two versions accept.

A schema becomes a tuple of branches (:class:`Branch`, their union): each branch is
every value of one JSON type that meets its constraints, a finite set of
values, anything, or an *opaque* piece this module cannot reason about.
Annotations (``title``, ``description``, ``examples``, ``default``, ``$id``,
``discriminator``...) are dropped, ``$ref`` is followed and ``allOf`` is
intersected, so two schemas that accept the same values, however written
(``allOf: [{$ref: enum}, {const}]`` or a plain ``const``; a ``type`` list of
every JSON type or ``{}``), get the same form.

:func:`subset` answers "does every value the writer's schema accepts pass the
reader's?" with findings (:class:`Finding`), each with a JSON pointer, a sentence and,
where one is found, a counterexample value. It is sound for the keywords it
knows and says "cannot tell" (a breaking finding) for the others.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from lambda_agent_api.protocol.strict_json import json_type

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = [
    "ANY",
    "Branch",
    "Canon",
    "Canonicalizer",
    "Finding",
    "SchemaError",
    "accepts",
    "describe",
    "json_equal",
    "render",
    "sample",
    "subset",
]

MAX_DEPTH: Final = 64
"""Deeper schemas are refused: real message schemas nest a few levels."""

ANNOTATIONS: Final = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$dynamicAnchor",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "discriminator",  # OpenAPI's hint: oneOf already says which member matches
        "contentMediaType",
        "contentEncoding",
    }
)
_TYPED_KEYWORDS: Final[Mapping[str, frozenset[str]]] = {
    "number": frozenset(
        {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
    ),
    "string": frozenset({"minLength", "maxLength", "pattern", "format"}),
    "array": frozenset({"items", "minItems", "maxItems", "uniqueItems"}),
    "object": frozenset(
        {"properties", "required", "additionalProperties", "minProperties", "maxProperties"}
    ),
}
_STRUCTURAL: Final = frozenset({"type", "enum", "const", "$ref", "allOf", "anyOf", "oneOf"})
KNOWN: Final = _STRUCTURAL.union(*_TYPED_KEYWORDS.values())
"""Every keyword this module reasons about; a schema with another one is opaque."""

TYPES: Final = ("null", "boolean", "integer", "number", "string", "array", "object")
_EVERY_KIND: Final = frozenset(TYPES) - {"integer"}


class SchemaError(ValueError):
    """A schema this module cannot read: a broken ``$ref``, too deep, not a schema."""


@dataclass(frozen=True)
class Branch:
    """One alternative of a canonical schema."""

    kind: str
    """``any``, ``values``, ``opaque``, or a JSON type (``integer`` is apart from ``number``)."""
    values: tuple[Any, ...] = ()
    """For ``values``: the accepted values."""
    bounds: tuple[tuple[str, Any], ...] = ()
    """Numeric, string, array and object bounds (``minimum``, ``pattern``, ``minItems``...)."""
    items: Canon | None = None
    """For ``array``: the items' schema (``None``: anything)."""
    properties: tuple[tuple[str, Canon], ...] = ()
    """For ``object``: the declared properties."""
    required: frozenset[str] = frozenset()
    """For ``object``: the required properties."""
    additional: Canon | None = None
    """For ``object``: the schema of undeclared properties (``None``: anything)."""
    defaults: tuple[tuple[str, str], ...] = ()
    """For ``object``: each property's ``default``, as canonical JSON text (an annotation)."""
    raw: str = ""
    """For ``opaque``: the schema, as canonical JSON text."""

    def bound(self, name: str) -> Any:
        """Return the bound ``name`` (``minimum``...), or ``None``."""
        return dict(self.bounds).get(name)

    def prop(self, name: str) -> Canon | None:
        """Return the declared property ``name``'s schema, or ``None``."""
        return dict(self.properties).get(name)

    def default(self, name: str) -> str | None:
        """Return property ``name``'s default as JSON text, or ``None`` when it has none."""
        return dict(self.defaults).get(name)


Canon = tuple[Branch, ...]
"""A canonical schema: the union of its branches (empty: nothing is accepted)."""

ANY: Final[Canon] = (Branch("any"),)


def json_equal(a: Any, b: Any) -> bool:
    """Equality of JSON values: ``1 == 1.0`` but ``True != 1``."""
    return _key(a) == _key(b)


def _key(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer():
            return repr(int(value))
        return repr(value)
    return json.dumps(value, sort_keys=True, default=str)


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


class Canonicalizer:
    """Turns the schemas of one version (a ``referencing`` registry) into canonical form."""

    def __init__(self, registry: Registry[Any]) -> None:
        """Read ``$ref``s through ``registry``."""
        self._registry = registry
        # By the identity of the resolved document: the registry keeps it alive.
        self._cache: dict[int, Canon] = {}

    def canon_uri(self, uri: str) -> Canon:
        """Return the canonical form of the schema at ``uri`` (a ``$id``, maybe with a pointer)."""
        resolver = self._registry.resolver()
        return self._follow(resolver, uri, (), 0)

    def _follow(
        self, resolver: Resolver[Any], ref: str, seen: tuple[int, ...], depth: int
    ) -> Canon:
        try:
            resolved = resolver.lookup(ref)
        except Unresolvable as error:
            raise SchemaError(f"$ref {ref!r} does not resolve ({error})") from None
        key = id(resolved.contents)
        if key in seen:
            # A recursive schema: compared by where it points, never unrolled.
            return (Branch("opaque", raw=_text({"$ref": ref})),)
        if key in self._cache:
            return self._cache[key]
        result = self.canon(resolved.contents, resolved.resolver, (*seen, key), depth + 1)
        self._cache[key] = result
        return result

    def canon(
        self, schema: Any, resolver: Resolver[Any], seen: tuple[int, ...] = (), depth: int = 0
    ) -> Canon:
        """Return the canonical form of ``schema``, whose ``$ref``s ``resolver`` resolves."""
        if depth > MAX_DEPTH:
            raise SchemaError(f"a schema nests deeper than {MAX_DEPTH} levels")
        if schema is True:
            return ANY
        if schema is False:
            return ()
        if not isinstance(schema, dict):
            raise SchemaError(f"a schema must be an object or a boolean, not {_text(schema)[:60]}")
        if "$id" in schema and isinstance(schema["$id"], str):
            resolver = resolver.in_subresource(_resource(schema))
        keys = {k for k in schema if k not in ANNOTATIONS and not k.startswith("x-")}
        unknown = keys - KNOWN
        if unknown:
            body = {k: schema[k] for k in sorted(keys)}
            return (Branch("opaque", raw=_text(body)),)
        parts: list[Canon] = []
        if "$ref" in schema:
            parts.append(self._follow(resolver, schema["$ref"], seen, depth))
        for sub in _list(schema, "allOf"):
            parts.append(self.canon(sub, resolver, seen, depth + 1))
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                # oneOf read as anyOf: exact when the members are disjoint, as a
                # discriminated union's are.
                union: list[Branch] = []
                for sub in _list(schema, keyword):
                    union.extend(self.canon(sub, resolver, seen, depth + 1))
                parts.append(_merge_union(union))
        result = self._local(schema, resolver, seen, depth)
        for part in parts:
            result = intersect(result, part)
        return result

    def _local(
        self, schema: dict[str, Any], resolver: Resolver[Any], seen: tuple[int, ...], depth: int
    ) -> Canon:
        """Return the branches that ``type``, ``enum``, ``const`` and the typed keywords allow."""
        declared = schema.get("type")
        if declared is None:
            types = [t for t in TYPES if t != "integer"]
            if not any(k in schema for group in _TYPED_KEYWORDS.values() for k in group):
                types = []
        elif isinstance(declared, str):
            types = [declared]
        elif isinstance(declared, list):
            types = [t for t in declared if isinstance(t, str)]
        else:
            raise SchemaError(f"'type' must be a string or a list, not {_text(declared)[:60]}")
        for name in types:
            if name not in TYPES:
                raise SchemaError(f"unknown JSON type {name!r}")
        if "number" in types and "integer" in types:
            types.remove("integer")
        if declared is None and not types:
            branches: Canon = ANY
        else:
            branches = tuple(self._typed(t, schema, resolver, seen, depth) for t in types)
            # Every JSON type, unconstrained: the same as no schema at all.
            if {b.kind for b in branches} >= _EVERY_KIND and all(
                b == Branch(b.kind) for b in branches
            ):
                branches = ANY
        finite: list[Any] | None = None
        if "enum" in schema:
            finite = list(_list(schema, "enum"))
        if "const" in schema:
            finite = [v for v in (finite or [schema["const"]]) if json_equal(v, schema["const"])]
        if finite is not None:
            kept = tuple(v for v in _unique(finite) if accepts(branches, v))
            return (Branch("values", values=kept),) if kept else ()
        return branches

    def _typed(
        self,
        kind: str,
        schema: dict[str, Any],
        resolver: Resolver[Any],
        seen: tuple[int, ...],
        depth: int,
    ) -> Branch:
        group = "number" if kind == "integer" else kind
        names = _TYPED_KEYWORDS.get(group, frozenset())
        if kind == "array":
            items = schema.get("items")
            return Branch(
                kind,
                bounds=_bounds(schema, names - {"items"}),
                items=None if items is None else self.canon(items, resolver, seen, depth + 1),
            )
        if kind == "object":
            props = schema.get("properties", {})
            if not isinstance(props, dict):
                raise SchemaError("'properties' must be an object")
            required = schema.get("required", [])
            if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
                raise SchemaError("'required' must be a list of strings")
            extra = schema.get("additionalProperties")
            return Branch(
                kind,
                bounds=_bounds(schema, frozenset({"minProperties", "maxProperties"})),
                properties=tuple(
                    sorted(
                        (name, self.canon(sub, resolver, seen, depth + 1))
                        for name, sub in props.items()
                    )
                ),
                required=frozenset(required),
                additional=None
                if extra is None
                else _none_if_any(self.canon(extra, resolver, seen, depth + 1)),
                defaults=tuple(
                    sorted(
                        (name, _text(sub["default"]))
                        for name, sub in props.items()
                        if isinstance(sub, dict) and "default" in sub
                    )
                ),
            )
        return Branch(kind, bounds=_bounds(schema, names))


def _resource(schema: dict[str, Any]) -> Resource[Any]:
    return Resource.from_contents(schema, default_specification=DRAFT202012)


def _list(schema: dict[str, Any], key: str) -> list[Any]:
    value = schema.get(key, [])
    if not isinstance(value, list):
        raise SchemaError(f"{key!r} must be a list")
    return value


def _unique(values: Sequence[Any]) -> list[Any]:
    seen: set[str] = set()
    out = []
    for value in values:
        if _key(value) not in seen:
            seen.add(_key(value))
            out.append(value)
    return out


def _bounds(schema: dict[str, Any], names: frozenset[str]) -> tuple[tuple[str, Any], ...]:
    found = []
    for name in sorted(names):
        if name in schema:
            value = schema[name]
            if name == "uniqueItems" and value is False:
                continue
            if name in ("minLength", "minItems", "minProperties") and value == 0:
                continue
            found.append((name, value))
    return tuple(found)


def _none_if_any(canon: Canon) -> Canon | None:
    return None if any(b.kind == "any" for b in canon) else canon


def _merge_union(branches: list[Branch]) -> Canon:
    if any(b.kind == "any" for b in branches):
        return ANY
    # anyOf every JSON type, unconstrained (how v1.1 types a tool's `result`): no
    # constraint at all, as the same list under `type` is.
    if {b.kind for b in branches if b == Branch(b.kind)} >= _EVERY_KIND:
        return ANY
    values = [v for b in branches if b.kind == "values" for v in b.values]
    rest = [b for b in branches if b.kind != "values"]
    kept = [v for v in _unique(values) if not accepts(tuple(rest), v)]
    merged: list[Branch] = []
    for branch in rest:
        if branch not in merged:
            merged.append(branch)
    if kept:
        merged.append(Branch("values", values=tuple(kept)))
    return tuple(merged)


def intersect(left: Canon, right: Canon) -> Canon:
    """Return the canonical form of ``allOf: [left, right]``."""
    out: list[Branch] = []
    for a in left:
        for b in right:
            both = _intersect_branch(a, b)
            if both is not None:
                out.append(both)
    return _merge_union(out)


def _intersect_branch(a: Branch, b: Branch) -> Branch | None:
    if a.kind == "any":
        return b
    if b.kind == "any":
        return a
    if a.kind == "values" or b.kind == "values":
        finite, other = (a, b) if a.kind == "values" else (b, a)
        kept = tuple(v for v in finite.values if _accepts_branch(other, v))
        return Branch("values", values=kept) if kept else None
    if a.kind == "opaque" or b.kind == "opaque":
        raws = sorted({a.raw or render((a,)), b.raw or render((b,))})
        return Branch("opaque", raw=_text({"allOf": [json.loads(r) for r in raws]}))
    kinds = {a.kind, b.kind}
    if a.kind != b.kind and kinds != {"integer", "number"}:
        return None
    kind = "integer" if "integer" in kinds else a.kind
    bounds = dict(a.bounds)
    for name, value in b.bounds:
        if name not in bounds:
            bounds[name] = value
        elif name in ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"):
            bounds[name] = max(bounds[name], value)
        elif name in ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"):
            bounds[name] = min(bounds[name], value)
        elif name == "uniqueItems":
            bounds[name] = True
        elif not json_equal(bounds[name], value):
            return Branch("opaque", raw=_text({"allOf": [render((a,)), render((b,))]}))
    items = (
        a.items if b.items is None else b.items if a.items is None else intersect(a.items, b.items)
    )
    props = dict(a.properties)
    for name, sub in b.properties:
        props[name] = intersect(props[name], sub) if name in props else sub
    additional = (
        a.additional
        if b.additional is None
        else b.additional
        if a.additional is None
        else intersect(a.additional, b.additional)
    )
    return Branch(
        kind,
        bounds=tuple(sorted(bounds.items())),
        items=items,
        properties=tuple(sorted(props.items())),
        required=a.required | b.required,
        additional=additional,
        defaults=tuple(sorted({**dict(b.defaults), **dict(a.defaults)}.items())),
    )


# --- evaluating a canonical schema ------------------------------------------------


def accepts(canon: Canon, value: Any) -> bool:
    """Whether ``value`` is valid under ``canon`` (opaque branches accept everything)."""
    return any(_accepts_branch(b, value) for b in canon)


def _accepts_branch(branch: Branch, value: Any) -> bool:
    kind = branch.kind
    if kind in ("any", "opaque"):
        return True
    if kind == "values":
        return any(json_equal(value, v) for v in branch.values)
    actual = json_type(value) or "unknown"
    if not (actual == kind or (kind == "number" and actual == "integer")):
        return False
    b = dict(branch.bounds)
    if kind in ("integer", "number"):
        return _in_range(value, b)
    if kind == "string":
        # A pattern is compared as written and never run: a hostile one could
        # backtrack for ever. So every string passes it here.
        return bool(b.get("minLength", 0) <= len(value) <= b.get("maxLength", math.inf))
    if kind == "array":
        if not b.get("minItems", 0) <= len(value) <= b.get("maxItems", math.inf):
            return False
        if b.get("uniqueItems") and len({_key(v) for v in value}) != len(value):
            return False
        return branch.items is None or all(accepts(branch.items, v) for v in value)
    if kind == "object":
        if not b.get("minProperties", 0) <= len(value) <= b.get("maxProperties", math.inf):
            return False
        if not branch.required <= value.keys():
            return False
        declared = dict(branch.properties)
        for name, item in value.items():
            sub = declared.get(name, branch.additional)
            if sub is not None and not accepts(sub, item):
                return False
        return True
    return True


def _in_range(value: float, b: Mapping[str, Any]) -> bool:
    try:
        if "minimum" in b and value < b["minimum"]:
            return False
        if "maximum" in b and value > b["maximum"]:
            return False
        if "exclusiveMinimum" in b and value <= b["exclusiveMinimum"]:
            return False
        if "exclusiveMaximum" in b and value >= b["exclusiveMaximum"]:
            return False
        if "multipleOf" in b and b["multipleOf"] and (value / b["multipleOf"]) % 1:
            return False
    except (TypeError, OverflowError):
        return True
    return True


# --- describing ------------------------------------------------------------------


def render(canon: Canon) -> str:
    """Return canonical JSON text of ``canon``: equal text means equal meaning (and defaults)."""
    return _text([_branch_json(b) for b in canon])


def _branch_json(b: Branch) -> Any:
    if b.kind == "values":
        return {"enum": sorted(_key(v) for v in b.values)}
    if b.kind == "opaque":
        return {"opaque": b.raw}
    out: dict[str, Any] = {"type": b.kind, **dict(b.bounds)}
    if b.items is not None:
        out["items"] = json.loads(render(b.items))
    if b.kind == "object":
        out["properties"] = {n: json.loads(render(c)) for n, c in b.properties}
        out["required"] = sorted(b.required)
        if b.additional is not None:
            out["additionalProperties"] = json.loads(render(b.additional))
        out["defaults"] = dict(b.defaults)
    return out


def describe(canon: Canon | None) -> str:
    """Return a few words on what ``canon`` accepts (``string or null``, ``array of string``)."""
    if canon is None:
        return "any JSON value"
    if not canon:
        return "nothing"
    return " or ".join(_describe_branch(b) for b in canon)


def _describe_branch(b: Branch) -> str:
    if b.kind == "any":
        return "any JSON value"
    if b.kind == "values":
        shown = ", ".join(_text(v) for v in b.values[:6])
        more = "..." if len(b.values) > 6 else ""
        return shown + more if len(b.values) == 1 else f"one of {shown}{more}"
    if b.kind == "opaque":
        return "a schema this tool cannot compare"
    words = b.kind
    if b.kind == "array" and b.items is not None:
        words = f"array of {describe(b.items)}"
    extras = [f"{n} {_text(v)}" for n, v in b.bounds]
    if b.kind == "object" and b.additional is not None and not b.additional:
        extras.append("no other fields")
    return words + (f" ({', '.join(extras)})" if extras else "")


# --- sample values -------------------------------------------------------------------

_PROBES: Final[tuple[Any, ...]] = (None, True, 0, 0.5, "x", "", [], {}, -1, 10**6)


def sample(canon: Canon | None) -> Any:
    """Return a value ``canon`` probably accepts (``None`` when it accepts nothing known)."""
    if canon is None:
        return "x"
    for branch in canon:
        value = _sample_branch(branch)
        if _accepts_branch(branch, value):
            return value
    return None


def _sample_branch(b: Branch) -> Any:
    bounds = dict(b.bounds)
    if b.kind == "values":
        return b.values[0]
    if b.kind in ("any", "opaque", "null"):
        return None if b.kind != "any" else "x"
    if b.kind == "boolean":
        return True
    if b.kind in ("integer", "number"):
        low = bounds.get("minimum", bounds.get("exclusiveMinimum", -1) + 1)
        return int(low) if b.kind == "integer" or low == int(low) else low
    if b.kind == "string":
        return "x" * max(int(bounds.get("minLength", 1)), 1 if bounds.get("maxLength", 1) else 0)
    if b.kind == "array":
        return [sample(b.items)] * int(bounds.get("minItems", 0))
    if b.kind == "object":
        return {name: sample(sub) for name, sub in b.properties if name in b.required}
    return None


def _outside(reader: Canon, writer: Branch) -> Any:
    """Return a value of the writer's branch that the reader refuses, or ``_NOTHING``."""
    candidates = [_sample_branch(writer), *_PROBES, "a" * 1000, -(10**9), 10**9, 0.25]
    for value in candidates:
        if _accepts_branch(writer, value) and not accepts(reader, value):
            return value
    return _NOTHING


_NOTHING: Final = object()


# --- subset ----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A way a writer's value can fail a reader's schema, or be read differently."""

    pointer: str
    """JSON pointer, inside the message's schema, of the keyword that differs."""
    sentence: str
    """What happens, in one sentence."""
    path: tuple[str | int, ...] = ()
    """Where in the message the counterexample differs from an ordinary one."""
    value: Any = None
    """The counterexample's value at ``path`` (unless ``remove``)."""
    has_value: bool = False
    """Whether ``value`` is a counterexample (``None`` is a JSON value too)."""
    remove: bool = False
    """The counterexample leaves the field at ``path`` out."""
    tolerant: bool = False
    """Only a strict reader fails: one that ignores unknown types and fields reads it."""
    semantic: bool = False
    """Valid on both sides, but read with another meaning (a default changed)."""
    note: bool = False
    """Not a problem, only worth saying (the reader ignores a field it does not know)."""

    def under(self, pointer: str, key: str | int) -> Finding:
        """Return this finding one level down (inside property or item ``key``)."""
        return replace(self, pointer=pointer + self.pointer, path=(key, *self.path))


@dataclass
class _Context:
    findings: list[Finding] = field(default_factory=list)


def subset(writer: Canon, reader: Canon) -> list[Finding]:
    """Every way a value valid under ``writer`` can fail ``reader`` (empty: none found).

    A writer is taken to send only the fields its schema declares; see the docs.
    """
    found: list[Finding] = []
    for branch in writer:
        found.extend(_branch_subset(branch, reader))
    return found


def _branch_subset(w: Branch, reader: Canon) -> list[Finding]:
    if any(r.kind == "any" for r in reader):
        return []
    if w.kind == "values":
        bad = [v for v in w.values if not accepts(reader, v)]
        return [
            Finding("", f"the reader refuses {_text(v)[:80]}", value=v, has_value=True) for v in bad
        ]
    if w.kind == "any":
        value = _outside(reader, w)
        return [
            Finding(
                "",
                f"the writer may send any JSON value; the reader takes only {describe(reader)}",
                value=None if value is _NOTHING else value,
                has_value=value is not _NOTHING,
            )
        ]
    if w.kind == "opaque":
        if any(r.kind == "opaque" and r.raw == w.raw for r in reader):
            return []
        return [Finding("", "a construct this tool cannot compare changed (treated as breaking)")]
    same = [r for r in reader if r.kind == w.kind or (w.kind == "integer" and r.kind == "number")]
    if any(r.kind == "opaque" for r in reader) and not same:
        return [Finding("", "a construct this tool cannot compare changed (treated as breaking)")]
    if not same:
        value = _outside(reader, w)
        return [
            Finding(
                "",
                f"the writer may send {w.kind}; the reader takes only {describe(reader)}",
                value=None if value is _NOTHING else value,
                has_value=value is not _NOTHING,
            )
        ]
    best: list[Finding] | None = None
    for r in same:
        found = _typed_subset(w, r)
        if not found:
            return []
        if best is None or len(found) < len(best):
            best = found
    return best or []


def _typed_subset(w: Branch, r: Branch) -> list[Finding]:
    found: list[Finding] = []
    wb, rb = dict(w.bounds), dict(r.bounds)
    for name, value in rb.items():
        if name in ("items",):
            continue
        if name in wb and _no_wider(name, wb[name], value):
            continue
        probe = _outside((replace(r, items=None, properties=(), required=frozenset()),), w)
        found.append(
            Finding(
                f"/{name}",
                f"the reader's {name} is {_text(value)}, the writer's is "
                + (_text(wb[name]) if name in wb else "unset"),
                value=None if probe is _NOTHING else probe,
                has_value=probe is not _NOTHING,
            )
        )
    if w.kind == "array" and r.items is not None:
        for f in subset(w.items if w.items is not None else ANY, r.items):
            found.append(f.under("/items", 0))
    if w.kind == "object":
        found.extend(_object_subset(w, r))
    return found


def _no_wider(name: str, writer: Any, reader: Any) -> bool:
    """Whether the writer's bound ``name`` is at least as strict as the reader's."""
    try:
        if name.startswith("min") or name.startswith("exclusiveMin"):
            return bool(writer >= reader)
        if name.startswith("max") or name.startswith("exclusiveMax"):
            return bool(writer <= reader)
        if name == "uniqueItems":
            return bool(writer) or not reader
        return json_equal(writer, reader)
    except TypeError:
        return False


def _object_subset(w: Branch, r: Branch) -> Iterator[Finding]:
    wprops, rprops = dict(w.properties), dict(r.properties)
    for name in sorted(r.required - w.required):
        yield Finding(
            f"/properties/{_escape(name)}",
            f"`{name}` is required by the reader, and the writer may leave it out",
            path=(name,),
            remove=True,
        )
    for name, wsub in sorted(wprops.items()):
        pointer = f"/properties/{_escape(name)}"
        rsub = rprops.get(name)
        if rsub is None:
            extra = r.additional
            if extra is None:
                yield Finding(
                    pointer, f"the reader ignores `{name}`, which it does not know", note=True
                )
                continue
            if not extra:
                yield Finding(
                    pointer,
                    f"the writer may send `{name}`, and the reader refuses fields it does not know",
                    path=(name,),
                    value=sample(wsub),
                    has_value=True,
                    tolerant=True,
                )
                continue
            rsub = extra
        for f in subset(wsub, rsub):
            yield f.under(pointer, name)
        if name not in w.required:
            yield from _default_findings(name, pointer, w, r, wsub, rsub)
    # Open content is for extensions: a writer may send fields no version
    # declares, so a reader that constrains undeclared fields may refuse them.
    if r.additional is not None and w.additional is None:
        extension = _extension_name(wprops.keys() | rprops.keys())
        if not r.additional:
            yield Finding(
                "/additionalProperties",
                "the writer may send fields it does not declare, and the reader refuses them",
                path=(extension,),
                value="x",
                has_value=True,
                tolerant=True,
            )
        else:
            for f in subset(ANY, r.additional):
                yield f.under("/additionalProperties", extension)
    # A property only the reader declares: a writer that does not declare it
    # never sends it, and the reader takes its default.
    for name in sorted(rprops.keys() - wprops.keys() - r.required):
        default = r.default(name)
        yield Finding(
            f"/properties/{_escape(name)}",
            f"the writer never sends `{name}`; the reader takes "
            + (f"its default `{default}`" if default is not None else "it as absent"),
            note=True,
        )


def _default_findings(
    name: str, pointer: str, w: Branch, r: Branch, wsub: Canon, rsub: Canon
) -> Iterator[Finding]:
    wd, rd = w.default(name), r.default(name)
    if name not in dict(r.properties):
        return
    # Without a default a field left out reads as null where null is allowed
    # (the generated models do so), so "no default" and "default null" agree.
    null = _text(None)
    if wd is None and accepts(wsub, None):
        wd = null
    if rd is None and accepts(rsub, None):
        rd = null
    if wd == rd:
        return
    yield Finding(
        f"{pointer}/default",
        f"a message without `{name}` means {_shown_default(wd)} to the writer "
        f"and {_shown_default(rd)} to the reader",
        path=(name,),
        remove=True,
        semantic=True,
    )


def _shown_default(text: str | None) -> str:
    return "no value" if text is None else f"`{text}`"


def _extension_name(declared: set[str]) -> str:
    name = "x_extension"
    while name in declared:
        name += "_"
    return name


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
