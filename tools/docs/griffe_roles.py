"""A Griffe extension: Sphinx roles in docstrings become links in the API reference.

The package's docstrings name other objects the Sphinx way (``:class:`Finding```,
``:data:`lambda_agent_api.protocol.transitions.TRANSITIONS```), which mkdocstrings would
show as raw text. This extension rewrites each role into an mkdocstrings cross
reference to the object's full path, resolved in the docstring's own scope; a
name that does not resolve stays plain inline code, so no link can break.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

__all__ = ["SphinxRoles"]

ROLE = re.compile(r":(?:class|mod|data|func|meth|attr|exc|obj):`~?([\w.]+)`")


class SphinxRoles(griffe.Extension):
    """Rewrite ``:role:`name``` in every docstring into a link to ``name``."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the roles of one object's docstring, once the tree is complete."""
        if obj.docstring is None or ":" not in obj.docstring.value:
            return
        scope = obj if obj.is_module or obj.is_class else obj.parent
        assert scope is not None

        def link(match: re.Match[str]) -> str:
            name = match.group(1)
            # The first part of a dotted name is resolved in scope (`AgentApi.close`),
            # unless it is a full path already (`lambda_agent_api.protocol.rules.RULES`).
            head, _, rest = name.partition(".")
            if head == "lambda_agent_api":
                target = name
            else:
                try:
                    base = scope.resolve(head)
                except griffe.NameResolutionError:
                    return f"`{name}`"
                target = f"{base}.{rest}" if rest else base
            if any(part.startswith("_") for part in rest.split(".") if part):
                return f"`{name}`"  # private members are not in the reference
            return f"[`{name}`][{target}]"

        obj.docstring.value = ROLE.sub(link, obj.docstring.value)
