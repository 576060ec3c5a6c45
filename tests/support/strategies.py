"""Hypothesis strategies for messages: drawn from their schema, and mutated."""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from lambda_agent_api.protocol.messages import CLIENT_MESSAGE_CLASSES, SERVER_MESSAGE_CLASSES
from lambda_agent_api.schemas import bundled_schema, message_schema_path, schema

TYPES = sorted({**SERVER_MESSAGE_CLASSES, **CLIENT_MESSAGE_CLASSES})
"""Every message type."""

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
"""Any JSON value."""

confusable = st.sampled_from(
    [True, False, 0, 1, 5.0, 1.5, 1e20, "5", "5.0", " 5 ", "", "true", "null", None, [], {}, ["x"]]
)
"""Values where JSON Schema and pydantic's lax mode are known to part ways."""


ANY_JSON_VALUE = [{"type": t} for t in ("string", "number", "boolean", "object", "array", "null")]


def _any_json_as_true(node: Any) -> Any:
    """The same schema, with ``anyOf`` every JSON type (a tool's ``result``) as ``{}``.

    Both accept any JSON value; hypothesis-jsonschema draws from ``{}`` with one
    small strategy, but builds six large ones for the ``anyOf`` (whose repr then
    trips hypothesis' "overly large repr" warning, an error here).
    """
    if isinstance(node, dict):
        if node.get("anyOf") == ANY_JSON_VALUE:
            return {k: v for k, v in node.items() if k != "anyOf"}
        return {k: _any_json_as_true(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_json_as_true(item) for item in node]
    return node


@cache
def instances(type_: str) -> st.SearchStrategy[Any]:
    """Valid instances of the message ``type_``, drawn from its (bundled) schema."""
    path = message_schema_path(type_)
    assert path is not None
    return from_schema(_any_json_as_true(bundled_schema(path)))


@st.composite
def mutated(draw: st.DrawFn, type_: str, *, keep_type: bool = False) -> Any:
    """A valid instance of ``type_`` with one field replaced by any JSON value, or removed.

    With ``keep_type``, the ``type`` field is left alone.
    """
    instance = draw(instances(type_))
    properties = list(schema(message_schema_path(type_) or "")["properties"])
    if keep_type:
        properties.remove("type")
    names = st.text(max_size=5).filter(lambda k: not keep_type or k != "type")
    key = draw(st.sampled_from(properties) | names if properties else names)
    if draw(st.integers(0, 3)) == 0:
        instance.pop(key, None)
    else:
        instance[key] = draw(confusable | json_values)
    return instance
