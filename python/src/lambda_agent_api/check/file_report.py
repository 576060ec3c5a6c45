"""One capture file checked on its own: a pure function, to map over many files with any engine.

Connections never span files, so checking a set of captures is checking
each file, then adding up the summaries. :func:`check_file` does one file
and returns a picklable :class:`FileReport`; :func:`merge_summaries` adds
them up. Both are plain functions of their arguments: give :func:`check_file`
to a process pool, Dask, Ray or Spark, and the result is what ``validate``
says of the same files (``docs/cli/validate.md`` has a Dask recipe)::

    from dask.distributed import Client

    client = Client()  # or Client("scheduler-address:8786")
    reports = client.gather(client.map(check_file, paths))
    summary = merge_summaries(r.summary for r in reports)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from lambda_agent_api.capture.format import CaptureFormat
from lambda_agent_api.check.checker import Checker
from lambda_agent_api.check.diagnostics import Diagnostic, Summary
from lambda_agent_api.check.files import FileChecker, FileDone

__all__ = ["FileReport", "check_file", "merge_summaries"]


@dataclass(frozen=True)
class FileReport:
    """What checking one capture file found."""

    source: str
    """The file, as it was named."""
    findings: list[dict[str, Any]] = field(default_factory=list)
    """Every finding, in order, as ``validate --format json`` prints it."""
    summary: Summary = field(default_factory=Summary)
    """Frames, connections and findings counted per rule."""
    error: str | None = None
    """Why the file could not be read (whole or in part); None when it was."""


def check_file(path: str, format: CaptureFormat | str | None = None) -> FileReport:
    """Check one capture file (any format ``validate`` reads); return its report.

    ``format`` is the file's format (``jsonl``, ``messages``, ``har``), or None
    to detect it as ``validate`` does. It never raises for a bad or unreadable
    file: the report says what is wrong.
    """
    checker = Checker()
    findings: list[dict[str, Any]] = []
    error = None
    fmt = None if format is None else CaptureFormat(format)
    with FileChecker(checker, format=fmt) as files:
        for event in files.check([path]):
            if isinstance(event, Diagnostic):
                findings.append(event.to_dict())
            elif isinstance(event, FileDone):
                error = event.error
    findings += [d.to_dict() for d in checker.finish()]
    return FileReport(path, findings, checker.summary, error)


def merge_summaries(summaries: Iterable[Summary]) -> Summary:
    """Add up the summaries of several files (as one ``validate`` run over them counts)."""
    total = Summary()
    for summary in summaries:
        total.frames += summary.frames
        total.connections += summary.connections
        total.records_skipped += summary.records_skipped
        total.counts.update(summary.counts)
    return total
