"""What a probe run is told: the prompts, the chat prefix, the time limits, the checks to run."""

from __future__ import annotations

import secrets
import ssl as ssl_module
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

__all__ = ["DEFAULT_MESSAGE", "ProbeOptions", "random_chat_prefix"]

DEFAULT_MESSAGE: Final = (
    "Hello! This is a protocol check by lambda-agent-api probe; any short answer is fine."
)
"""The prompt the probe sends when it is given none (no reply text is expected of it)."""


def random_chat_prefix() -> str:
    """Return a fresh chat prefix, ``probe-`` and 8 hex digits, that no real chat uses."""
    return f"probe-{secrets.token_hex(4)}"


@dataclass(frozen=True)
class ProbeOptions:
    """How a probe runs. Every wait is bounded by one of these limits."""

    messages: tuple[str, ...] = (DEFAULT_MESSAGE,)
    """The prompts: the first is used by every scenario that needs an answer; all are sent,
    in order, in the conversation scenario. The probe assumes nothing about the reply text."""
    chat_prefix: str = field(default_factory=random_chat_prefix)
    """Every scenario uses its own chat, ``{chat_prefix}-{scenario}``."""
    status_timeout: float = 5.0
    """The protocol's limit for STATUS after the handshake."""
    timeout: float = 10.0
    """The longest wait for one step: the handshake, a pong, an ERROR, an answer to a close."""
    reply_timeout: float = 30.0
    """The longest wait for a whole response to end."""
    idle: float = 3.0
    """How long the idle scenario leaves its connection idle."""
    settle: float = 0.5
    """How long to keep reading after a scenario's last step, so that stray frames are seen."""
    only: frozenset[str] | None = None
    """Run only these checks (None: all)."""
    skip: frozenset[str] = frozenset()
    """Do not run these checks."""
    expected_failures: frozenset[str] = frozenset()
    """Checks that may fail without failing the run; listed checks that pass fail it."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Extra handshake headers, such as an auth token."""
    ssl: ssl_module.SSLContext | None = None
    """The SSL context for a ``wss://`` server (None: the system's defaults)."""

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("the probe needs at least one message")
        for name in ("status_timeout", "timeout", "reply_timeout", "idle", "settle"):
            value = getattr(self, name)
            if not value >= 0 or value == float("inf"):
                raise ValueError(f"{name} must be a finite number of seconds >= 0, not {value!r}")
