"""Reporters for ``validate``: they render diagnostics and the summary, and check nothing.

- :class:`TextReporter`: for people; findings grouped by connection, colour
  on a terminal, and a summary with the count of every rule;
- :class:`JsonReporter`: for programs; one JSON object per line, every finding
  (``"kind": "finding"``) and then one summary (``"kind": "summary"``). The
  shape is documented in ``docs/cli/validate.md`` and only grows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TextIO

from lambda_agent_api.capture import Connection
from lambda_agent_api.check import Diagnostic, Summary
from lambda_agent_api.cli.console import BOLD, DIM, GREEN, RED, YELLOW, Style, plural, printable
from lambda_agent_api.protocol.rules import RULES, Severity

__all__ = [
    "SEVERITY_COLOR",
    "JsonReporter",
    "Reporter",
    "RunInfo",
    "TextReporter",
    "findings_summary",
]

_MAX_HELD: Final = 10_000
"""Findings the text reporter holds back to group them; past this it prints what it holds."""


@dataclass
class RunInfo:
    """What the command did besides checking frames, for the summary."""

    files: int = 0
    """Inputs opened."""
    strict: bool = False
    """Whether warnings fail the check."""
    stopped_after: int | None = None
    """The ``--max-errors`` limit, when it stopped the check early."""
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    """Inputs that could not be read (whole or in part): (source, reason)."""


class Reporter(Protocol):
    """Renders a check: diagnostics as they come, then the summary."""

    def add(self, diagnostic: Diagnostic) -> None:
        """Take one diagnostic."""

    def end_source(self) -> None:
        """Say that an input has been read to its end (or given up)."""

    def finish(self, summary: Summary, info: RunInfo) -> None:
        """Print what is left and the summary."""


class JsonReporter:
    """One JSON object per line: every finding, then the summary."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def add(self, diagnostic: Diagnostic) -> None:
        """Print one finding."""
        self._write(diagnostic.to_dict())

    def end_source(self) -> None:
        """Nothing to do: findings are printed as they come."""

    def finish(self, summary: Summary, info: RunInfo) -> None:
        """Print the summary line."""
        failed = summary.failed(info.strict)
        self._write(
            {
                "kind": "summary",
                "files": info.files,
                "connections": summary.connections,
                "frames": summary.frames,
                "records_skipped": summary.records_skipped,
                "errors": summary.errors,
                "warnings": summary.warnings,
                "rules": dict(sorted(summary.counts.items())),
                "strict": info.strict,
                "stopped_after": info.stopped_after,
                "unreadable": [{"source": s, "reason": r} for s, r in info.unreadable],
                "ok": not failed and not info.unreadable,
                "exit_code": 2 if info.unreadable else 1 if failed else 0,
            }
        )

    def _write(self, data: dict[str, Any]) -> None:
        # ASCII: valid UTF-8 in any locale, and a lone surrogate is an escape, not a crash.
        self._out.write(json.dumps(data, ensure_ascii=True) + "\n")


SEVERITY_COLOR: Final = {Severity.ERROR: RED, Severity.WARNING: YELLOW}
"""The colour of each severity's rule ids."""


class TextReporter:
    """Findings grouped under a header per connection, then a summary."""

    def __init__(self, out: TextIO, color: bool = False) -> None:
        self._out = out
        self._style = Style(color)
        self._held: dict[Connection, list[Diagnostic]] = {}
        self._count = 0
        self._last: Connection | None = None

    def add(self, diagnostic: Diagnostic) -> None:
        """Hold a finding until its input ends, to print it with its connection's others."""
        self._held.setdefault(diagnostic.connection, []).append(diagnostic)
        self._count += 1
        if self._count >= _MAX_HELD:
            self.end_source()

    def end_source(self) -> None:
        """Print the held findings, one block per connection."""
        for connection, diagnostics in self._held.items():
            if connection is not self._last:
                self._header(connection)
                self._last = connection
            for diagnostic in diagnostics:
                self._line(diagnostic)
        self._held.clear()
        self._count = 0

    def finish(self, summary: Summary, info: RunInfo) -> None:
        """Print what is held, then the summary and the count of every rule."""
        self.end_source()
        style = self._style
        write = self._out.write
        if self._last is not None:
            write("\n")
        files = plural(info.files, "file")
        connections = plural(summary.connections, "connection")
        frames = plural(summary.frames, "frame")
        write(f"Checked {files}: {connections}, {frames}.\n")
        if info.unreadable:
            # Each reason was printed on stderr as it happened: name the inputs, once.
            sources = ", ".join(printable(source) for source, _ in info.unreadable)
            write(style(f"Could not read {sources} (the reason is above).", RED, BOLD) + "\n")
        if info.stopped_after is not None:
            write(f"Stopped after {plural(info.stopped_after, 'error')} (--max-errors).\n")
        if not summary.counts:
            if not info.unreadable:
                write(style("No problems found.", GREEN, BOLD) + "\n")
            return
        for line in findings_summary(summary, style, info.strict):
            write(line + "\n")

    def _header(self, connection: Connection) -> None:
        if self._last is not None:
            self._out.write("\n")
        self._out.write(self._style(printable(connection.label), BOLD) + "\n")

    def _line(self, diagnostic: Diagnostic) -> None:
        style = self._style
        rule = diagnostic.rule
        where = "end" if diagnostic.position is None else _short_where(diagnostic)
        code = style(rule.id, SEVERITY_COLOR[rule.severity], BOLD)
        severity = style(rule.severity.value, SEVERITY_COLOR[rule.severity])
        pointer = printable(diagnostic.pointer or "")
        extra = f" {style(f'[{pointer}]', DIM)}" if pointer else ""
        message = printable(diagnostic.message)
        self._out.write(f"  {style(where + ':', DIM)} {code} {severity}: {message}{extra}\n")


def _short_where(diagnostic: Diagnostic) -> str:
    connection = diagnostic.connection
    if connection.entry is not None:
        return f"message {diagnostic.position}"
    return f"line {diagnostic.position}"


def findings_summary(summary: Summary, style: Style, strict: bool) -> list[str]:
    """Return the verdict and one line per rule found, with its count and docs (none if clean).

    ``validate`` and ``record --validate`` end with these lines.
    """
    if not summary.counts:
        return []
    errors = plural(summary.errors, "error")
    warnings = plural(summary.warnings, "warning")
    verdict = f"Found {errors} and {warnings}"
    if strict and summary.warnings:
        verdict += " (--strict: warnings fail the check)"
    lines = [style(verdict + ":", RED if summary.failed(strict) else YELLOW, BOLD)]
    width = max(len(RULES[r].name) for r in summary.counts)
    for rule_id, count in sorted(summary.counts.items()):
        rule = RULES[rule_id]
        code = style(rule_id, SEVERITY_COLOR[rule.severity], BOLD)
        lines.append(f"  {code}  {rule.name.ljust(width)}  {count:>7}  {style(rule.url, DIM)}")
    return lines
