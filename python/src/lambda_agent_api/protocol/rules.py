"""Every rule the package checks traffic against, each with a stable id.

Ids never change meaning and are never reused: reports, configurations and
the docs (``docs/rules.md`` lists them) refer to them. The rules are data,
``rules.json`` beside this module, which ``codegen/`` reads too (it writes
``docs/rules.md``) without importing the package. The first letter of an id says
what the rule looks at (``letters`` in ``rules.json``): ``F`` the frame itself, ``S``
its JSON Schema, ``P`` the order of messages (failed lookups in
:data:`lambda_agent_api.protocol.transitions.TRANSITIONS`), ``T`` tool calls, ``W``
warnings, ``C`` the capture file.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Final

from lambda_agent_api.protocol.package_files import read_text

__all__ = ["DOCS_URL", "RULES", "Rule", "Severity", "rule"]

DOCS_URL: Final = "https://agent-api.lambda.coredump.ru/rules/"
"""The docs page that explains every rule; each rule has an anchor there."""


class Severity(str, enum.Enum):
    """How bad a finding is: errors make the validator fail, warnings only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    """One checked rule: a stable ``id``, a ``name``, a ``severity`` and a one-line ``summary``."""

    id: str
    name: str
    severity: Severity
    summary: str

    @property
    def url(self) -> str:
        """The rule's section in the docs."""
        return f"{DOCS_URL}#{self.id.lower()}"


def _load() -> dict[str, Rule]:
    data = json.loads(read_text("protocol", "rules.json"))
    return {
        entry["id"]: Rule(entry["id"], entry["name"], Severity(entry["severity"]), entry["summary"])
        for entry in data["rules"]
    }


RULES: Final[dict[str, Rule]] = _load()
"""Every rule, by id."""


def rule(id_: str) -> Rule:
    """Return the rule with this id.

    Raises:
        KeyError: no rule has this id.
    """
    return RULES[id_]
