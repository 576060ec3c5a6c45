"""Render a probe report: text for people, JSON Lines for programs, JUnit XML for CI.

Reporters check nothing. Everything the server said (close reasons, error
codes) reaches them already quoted by :func:`~lambda_agent_api.protocol.strict_json.show`,
so no control character from the network reaches a terminal.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Final, TextIO
from xml.etree import ElementTree

from lambda_agent_api.probe.checks import Level
from lambda_agent_api.probe.results import CheckResult, ProbeReport, Status
from lambda_agent_api.probe.scenarios import Scenario
from lambda_agent_api.protocol.text import plural, printable

__all__ = ["Paint", "TextProgress", "format_text", "junit_xml", "write_json"]

_MARKS: Final = {
    Status.PASSED: "PASS",
    Status.FAILED: "FAIL",
    Status.SKIPPED: "SKIP",
    Status.EXPECTED_FAILURE: "XFAIL",
    Status.STALE: "STALE",
}
_MAX_LISTED: Final = 5


class TextProgress:
    """Progress lines while the probe runs: one per scenario, on a stream (stderr)."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._open = False

    def started(self, scenario: Scenario, index: int, total: int) -> None:
        """Say which scenario runs."""
        self._out.write(f"[{index}/{total}] {scenario.name} ...")
        self._out.flush()
        self._open = True

    def close(self) -> None:
        """End a line left open by a scenario that never finished (the server went away)."""
        if self._open:
            self._out.write(" stopped\n")
            self._open = False

    def finished(self, scenario: Scenario, seconds: float, failures: int) -> None:
        """Say how it went."""
        said = plural(failures, "failure") if failures else "ok"
        self._out.write(f" {said} ({seconds:.2f} s)\n")
        self._out.flush()
        self._open = False


Paint = Callable[[str, Status], str]
"""Colours a status mark for a terminal: ``paint("FAIL", Status.FAILED)``."""


def _plain(text: str, status: Status) -> str:
    return text


def format_text(report: ProbeReport, *, verbose: bool = False, paint: Paint = _plain) -> str:
    """Return the readable report: every check with its status, then the score per level.

    ``paint`` colours each status mark (the command line's ``--color``).
    """
    lines = [f"lambda-agent-api probe {report.url} (chats {report.chat_prefix}-*)", ""]
    if report.error is not None:
        lines.append(f"could not run: {report.error}")
        return "\n".join(lines) + "\n"
    for result in report.results:
        lines.extend(_check_lines(result, verbose, paint))
    lines.append("")
    for level in Level:
        lines.append(_score_line(report, level))
    verdict = {0: "PASSED: every MUST holds", 1: "FAILED"}[report.exit_code]
    lines.append(f"{verdict} ({report.duration:.1f} s)")
    return "\n".join(lines) + "\n"


def _check_lines(result: CheckResult, verbose: bool, paint: Paint) -> list[str]:
    check = result.check
    mark = f"{_MARKS[result.status]:<5}"
    head = f"{paint(mark, result.status)} {check.level.value:<6} {check.id}"
    lines = [head]
    if result.status in (Status.FAILED, Status.EXPECTED_FAILURE):
        lines.append(f"      {check.sentence}")
        shown = result.failures if verbose else result.failures[:_MAX_LISTED]
        lines.extend(f"      - {_where(e.scenario)}{_untrusted(e.message)}" for e in shown)
        if len(result.failures) > len(shown):
            lines.append(f"      ... and {len(result.failures) - len(shown)} more (--verbose)")
        lines.append(f"      see {check.url}")
    elif result.status is Status.STALE:
        lines.append(
            "      listed in --expected-failures but passes now: remove it from the baseline"
        )
    elif verbose or result.status is Status.SKIPPED or check.level is Level.MAY:
        lines.extend(
            f"      {_where(e.scenario)}{_untrusted(e.message)}" for e in result.notes[:_MAX_LISTED]
        )
    return lines


def _where(scenario: str) -> str:
    return f"[{scenario}] " if scenario else ""


def _untrusted(text: str) -> str:
    # From the server: nothing in it may drive the terminal (lines are kept).
    return printable(text, multiline=True)


def _score_line(report: ProbeReport, level: Level) -> str:
    counts = report.score()[level.value]
    total = sum(counts.values())
    parts = [f"{counts['passed']}/{total - counts['skipped']} passed"]
    for status in (Status.FAILED, Status.EXPECTED_FAILURE, Status.STALE, Status.SKIPPED):
        if counts[status.value]:
            parts.append(f"{counts[status.value]} {status.value}")
    return f"{level.value:<6} " + ", ".join(parts)


def write_json(report: ProbeReport, out: TextIO) -> None:
    """Write one JSON object per check, then the summary, one per line."""
    for result in report.results:
        out.write(json.dumps(result.to_dict()) + "\n")
    out.write(json.dumps(report.summary()) + "\n")


def junit_xml(report: ProbeReport) -> bytes:
    """Return the report as JUnit XML: one test case per check, in one test suite.

    A failed MUST is a ``<failure>``; a failed SHOULD or MAY is reported too,
    as a ``<failure>`` of type ``SHOULD``/``MAY`` (CI tools show it; the exit
    code says whether it fails the run). Skipped and expected failures are
    ``<skipped>``; a stale baseline entry is a ``<failure>``.
    """
    failures = sum(1 for r in report.results if r.failed)
    skipped = sum(
        1 for r in report.results if r.status in (Status.SKIPPED, Status.EXPECTED_FAILURE)
    )
    errors = 1 if report.error else 0
    duration = f"{report.duration:.3f}"
    suites = ElementTree.Element(
        "testsuites",
        name="lambda-agent-api probe",
        tests=str(len(report.results)),
        failures=str(failures),
        errors=str(errors),
        time=duration,
    )
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name="lambda-agent-api probe",
        tests=str(len(report.results)),
        failures=str(failures),
        errors=str(errors),
        skipped=str(skipped),
        time=duration,
        timestamp=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()),
        hostname=socket.gethostname(),
    )
    properties = ElementTree.SubElement(suite, "properties")
    ElementTree.SubElement(properties, "property", name="url", value=report.url)
    ElementTree.SubElement(properties, "property", name="chat_prefix", value=report.chat_prefix)
    for result in report.results:
        check = result.check
        case = ElementTree.SubElement(
            suite, "testcase", name=check.id, classname=f"probe.{check.level.value}", time="0"
        )
        if report.error is not None:
            error = ElementTree.SubElement(
                case, "error", message=report.error, type="could-not-run"
            )
            error.text = report.error
        elif result.status in (Status.FAILED, Status.STALE):
            first = result.failures[0].message if result.failures else "stale baseline entry"
            failure = ElementTree.SubElement(case, "failure", message=first, type=check.level.value)
            failure.text = _details(result)
        elif result.status in (Status.SKIPPED, Status.EXPECTED_FAILURE):
            reason = (
                "expected failure (baseline)"
                if result.status is Status.EXPECTED_FAILURE
                else (result.notes[0].message if result.notes else "skipped")
            )
            skip = ElementTree.SubElement(case, "skipped", message=reason)
            skip.text = _details(result)
        else:
            out = ElementTree.SubElement(case, "system-out")
            out.text = _details(result)
    ElementTree.indent(suites)
    data: bytes = ElementTree.tostring(suites, encoding="utf-8", xml_declaration=True)
    return data


def _details(result: CheckResult) -> str:
    check = result.check
    lines = [f"{check.level.value}: {check.sentence}", f"docs: {check.url}"]
    if check.rules:
        lines.append("rules: " + ", ".join(check.rules))
    if result.status is Status.STALE:
        lines.append("listed in --expected-failures but passes now: remove it from the baseline")
    lines.extend(f"- {_where(e.scenario)}{e.message}" for e in result.failures)
    lines.extend(f"  {_where(e.scenario)}{e.message}" for e in result.notes)
    return _xml_safe("\n".join(lines))


def _xml_safe(text: str) -> str:
    # XML 1.0 cannot hold most control characters, even escaped.
    return "".join(
        c if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff") else "\ufffd" for c in text
    )
