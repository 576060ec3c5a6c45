"""WebSocket URLs: the one place that joins a base URL and a path, for the client and the proxy.

:func:`agent_url` is where :class:`~lambda_agent_api.transport.agent_api.AgentApi`
connects (``{base_url}/v1/agent_ws/{chat_id}/``); :func:`upstream_url` is where
:class:`~lambda_agent_api.transport.proxy.RecordingProxy` forwards a client's
request path. Both go through :func:`ws_url`, so they treat a base URL alike:
``http``/``https`` become ``ws``/``wss``, a path prefix (``wss://host/api``) is
kept with or without its trailing slash, and a query string is kept.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["agent_url", "upstream_url", "ws_url"]

_SCHEMES: Final = {"http": "ws", "https": "wss"}
_UNSAFE_SEGMENTS: Final = frozenset(("", ".", ".."))
# Everything RFC 3986 allows in a path (and "%", to keep escapes as they are):
# what is left (controls, spaces, quotes, non-ASCII...) is percent-encoded.
_PATH_SAFE: Final = "/%:@!$&'()*+,;=-._~"


def ws_url(base: str, path: str, query: str = "") -> str:
    """Return ``base`` with ``path`` after its path prefix and ``query`` after its query.

    ``http``/``https`` become ``ws``/``wss``; the scheme is lower-cased; the
    prefix loses its trailing slash (``path`` starts with one); characters
    that may not appear in a URL path are percent-encoded in ``path``, so a
    control character from a request never reaches a log or a server raw.
    """
    parts = urlsplit(base.strip())
    scheme = parts.scheme.lower()
    scheme = _SCHEMES.get(scheme, scheme)
    queries = "&".join(q for q in (parts.query, query) if q)
    full_path = parts.path.rstrip("/") + quote(path, safe=_PATH_SAFE)
    return urlunsplit((scheme, parts.netloc, full_path, queries, ""))


def agent_url(base_url: str, chat_id: int | str = 0) -> str:
    """Return the agent's WebSocket URL: ``{base_url}/v1/agent_ws/{chat_id}/``.

    Like v1.1's ``urljoin(base_url, f"v1/agent_ws/{chat_id}/")``, but a base
    without a trailing slash or with a path prefix (``wss://host/api``) keeps
    its path, ``chat_id`` is URL-quoted (``/``, ``?``, ``%``, spaces...) so it
    is always one segment, a query string is kept, and ``http``/``https``
    become ``ws``/``wss``.

    Raises:
        ValueError: ``chat_id`` is ``""``, ``"."`` or ``".."``: a path segment
            that is empty or a dot segment, which a server (or a proxy)
            normalising paths would route to another endpoint. Percent-encoding
            would not help: ``%2E`` is the same unreserved character.
    """
    segment = str(chat_id)
    if segment in _UNSAFE_SEGMENTS:
        raise ValueError(
            f"chat_id {segment!r} cannot be a path segment: an empty or dot segment "
            "would address another endpoint"
        )
    return ws_url(base_url, f"/v1/agent_ws/{quote(segment, safe='')}/")


def upstream_url(upstream: str, request_path: str) -> str:
    """Return the upstream URL for a client's request path: the upstream's path prefix, then it.

    ``http``/``https`` become ``ws``/``wss``; the upstream's query string and
    the request's are both kept.

    Raises:
        ValueError: ``upstream`` is not a ``ws``, ``wss``, ``http`` or ``https`` URL with a host.
    """
    parts = urlsplit(upstream.strip())
    if _SCHEMES.get(parts.scheme.lower(), parts.scheme.lower()) not in ("ws", "wss") or not (
        parts.hostname
    ):
        raise ValueError(f"not a ws:// or wss:// URL with a host: {upstream!r}")
    path, _, query = request_path.partition("?")
    return ws_url(upstream, path, query)
