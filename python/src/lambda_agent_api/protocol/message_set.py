"""One protocol version's messages: its unions, its classes by type, and its parsers.

Each released version has a package of generated models,
``lambda_agent_api.protocol.v1_0``, ``...v1_1`` (the current one re-exports
``lambda_agent_api.protocol.messages``' classes), whose ``MESSAGES`` is a
:class:`MessageSet`. :func:`message_set` finds one by version name::

    from lambda_agent_api.protocol.message_set import message_set

    v1_0 = message_set("1.0")
    v1_0.parse_server_message('{"type": "AGENT_EVENT_END", "tokens_used": 1}')
"""

from __future__ import annotations

import importlib
import re
from types import ModuleType
from typing import Annotated, Any, Final

from pydantic import BaseModel, Field, TypeAdapter

from lambda_agent_api.protocol.limits import MAX_NUMBER_DIGITS
from lambda_agent_api.protocol.messages import DISCRIMINATOR, _classes_by_type, _parse

__all__ = ["CURRENT", "MessageSet", "message_set", "normalize_version"]

CURRENT: Final = "1.1"
"""The version this package speaks by default: the latest released one.

Its models are ``lambda_agent_api.protocol``'s own; the tests check that it is
the newest ``schema/vX.Y/`` folder. Releasing a version means changing it.
"""

_VERSION: Final = re.compile(r"v?(\d{1,4})[._](\d{1,4})")


def normalize_version(version: str) -> str:
    """Return ``version`` as ``MAJOR.MINOR`` (``v1.1``, ``1_1`` and ``1.1`` are ``1.1``).

    Raises:
        ValueError: it is not a version name.
    """
    match = _VERSION.fullmatch(version.strip())
    if match is None:
        raise ValueError(f"{version!r} is not a protocol version such as 1.1")
    return f"{int(match[1])}.{int(match[2])}"


def _discriminated(union: Any) -> Any:
    # A union of one member (ClientMessage) takes no discriminator.
    return Annotated[union, Field(discriminator=DISCRIMINATOR)]


class MessageSet:
    """The messages of one protocol version, from its generated models module."""

    def __init__(self, version: str, models: ModuleType) -> None:
        """Build the unions and lookups of ``models`` (a generated ``_models`` module)."""
        self.version = version
        """The version, ``MAJOR.MINOR``."""
        self.models = models
        """The generated module holding the classes."""
        self.server: TypeAdapter[Any] = TypeAdapter(_discriminated(models.ServerMessage))
        """Validates any server message of this version, picking its class by ``type``."""
        self.client: TypeAdapter[Any] = TypeAdapter(_discriminated(models.ClientMessage))
        """Validates any client message of this version."""
        self.server_classes: dict[str, type[BaseModel]] = _classes_by_type(models.ServerMessage)
        """Each server message type and its class."""
        self.client_classes: dict[str, type[BaseModel]] = _classes_by_type(models.ClientMessage)
        """Each client message type and its class."""

    def __repr__(self) -> str:
        return f"<MessageSet {self.version}>"

    def message_class(self, type_: str) -> type[BaseModel] | None:
        """Return the class of the message whose ``type`` is ``type_``, or ``None``."""
        return self.server_classes.get(type_) or self.client_classes.get(type_)

    def parse_server_message(
        self, data: str | bytes | bytearray, *, max_number_digits: int = MAX_NUMBER_DIGITS
    ) -> Any:
        """Parse one frame of JSON text from the server into this version's class.

        ``max_number_digits`` as in
        :func:`~lambda_agent_api.protocol.messages.parse_server_message`.

        Raises:
            pydantic.ValidationError: not JSON, or not a valid server message of this version.
        """
        return _parse(self.server, data, max_number_digits)

    def parse_client_message(
        self, data: str | bytes | bytearray, *, max_number_digits: int = MAX_NUMBER_DIGITS
    ) -> Any:
        """Parse one frame of JSON text from the client into this version's class.

        Raises:
            pydantic.ValidationError: not JSON, or not a valid client message of this version.
        """
        return _parse(self.client, data, max_number_digits)


def message_set(version: str | None = None) -> MessageSet:
    """Return a released version's messages (default: :data:`CURRENT`).

    Raises:
        ValueError: not a released version.
    """
    wanted = normalize_version(CURRENT if version is None else version)
    try:
        module = importlib.import_module(f"lambda_agent_api.protocol.v{wanted.replace('.', '_')}")
    except ModuleNotFoundError:
        raise ValueError(f"no released protocol version {version!r}") from None
    messages: MessageSet = module.MESSAGES
    return messages
