"""Run the scenarios against a server, one after the other, and score what they found."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from ssl import SSLContext
from typing import Protocol
from urllib.parse import urlsplit

from lambda_agent_api.probe.checks import CHECKS
from lambda_agent_api.probe.connection import Unreachable
from lambda_agent_api.probe.context import Context
from lambda_agent_api.probe.options import ProbeOptions
from lambda_agent_api.probe.results import Ledger, ProbeReport
from lambda_agent_api.probe.scenarios import SCENARIOS, Scenario

__all__ = ["Progress", "probe", "run_probe", "selected_checks", "url_problem"]


class Progress(Protocol):
    """Told about each scenario as the probe runs it (the text report draws progress from it)."""

    def started(self, scenario: Scenario, index: int, total: int) -> None:
        """Take note that a scenario starts (``index`` from 1)."""

    def finished(self, scenario: Scenario, seconds: float, failures: int) -> None:
        """Take note that a scenario ended, with ``failures`` new failures."""


def url_problem(url: str) -> str | None:
    """Say why ``url`` cannot be a server's base URL, or return None."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        return f"not a URL: {error}"
    if parts.scheme.lower() not in ("ws", "wss", "http", "https"):
        return "the URL must start with ws://, wss://, http:// or https://"
    if not parts.hostname:
        return "the URL has no host"
    return None


def selected_checks(options: ProbeOptions) -> frozenset[str]:
    """Return the ids of the checks that run, from ``only`` and ``skip``.

    Raises:
        ValueError: ``only`` or ``skip`` names a check that does not exist.
    """
    for name in (options.only or frozenset()) | options.skip:
        if name not in CHECKS:
            raise ValueError(f"no such check: {name!r}")
    chosen = options.only if options.only is not None else frozenset(CHECKS)
    return frozenset(chosen - options.skip)


async def run_probe(
    url: str, options: ProbeOptions | None = None, progress: Progress | None = None
) -> ProbeReport:
    """Probe the server at ``url`` (its base URL) and return the report.

    Only ``url`` is ever contacted. The report's ``error`` is set (and its
    exit code is 2) when the probe could not run: a bad URL, or a server that
    cannot be reached at all.

    Raises:
        ValueError: ``options.only`` or ``options.skip`` names an unknown check.
    """
    options = options or ProbeOptions()
    selected = selected_checks(options)
    started = time.monotonic()
    ledger = Ledger(selected)

    def report(error: str | None = None) -> ProbeReport:
        return ProbeReport(
            url,
            options.chat_prefix,
            ledger.results(options.expected_failures),
            time.monotonic() - started,
            error,
        )

    problem = url_problem(url)
    if problem is not None:
        return report(problem)
    ctx = Context(url, options, ledger)
    # The checks that hold on all traffic come along with any scenario.
    scenarios = [s for s in SCENARIOS if selected & set(s.checks)] or list(SCENARIOS[:1])
    for index, scenario in enumerate(scenarios, 1):
        if progress is not None:
            progress.started(scenario, index, len(scenarios))
        before = sum(len([e for e in ledger.evidence(c) if e.passed is False]) for c in CHECKS)
        scenario_started = time.monotonic()
        ctx.scenario = scenario.name
        try:
            await _bounded(ctx, scenario)
        except Unreachable as error:
            return report(f"cannot reach {url}: {error}")
        after = sum(len([e for e in ledger.evidence(c) if e.passed is False]) for c in CHECKS)
        if progress is not None:
            progress.finished(scenario, time.monotonic() - scenario_started, after - before)
        if not ctx.connected_once:
            # Every scenario needs a connection: the rest would only fail the same way.
            for rest in scenarios[index:]:
                for check_id in rest.checks:
                    ledger.note(check_id, rest.name, "not run: no WebSocket could be opened")
            break
    _conclude(ctx)
    return report()


async def _bounded(ctx: Context, scenario: Scenario) -> None:
    budget = scenario.budget(ctx.options)
    try:
        await asyncio.wait_for(scenario.run(ctx), budget)
    except (TimeoutError, asyncio.TimeoutError):
        ctx.failed(scenario.checks[0], f"the scenario did not finish within {budget:g} s")
    finally:
        for connection in list(ctx.open_connections):
            await connection.abort()
        ctx.open_connections.clear()


def _conclude(ctx: Context) -> None:
    """Add the evidence that only the whole run gives."""
    ctx.scenario = ""
    frames = sum(c.server_frames for c in ctx.traffic.connections)
    if frames:
        ctx.passed("frames-valid", f"{frames} frames checked")
        ctx.passed("frames-clean", f"{frames} frames checked")
    if ctx.tool_calls:
        ctx.passed("tool-call-json", f"{ctx.tool_calls} tool calls")
    else:
        ctx.note(
            "tool-call-json", "no tool call was seen: give a --message your agent uses a tool for"
        )
    for check_id in ("graceful-disconnect-close",):
        if not ctx.ledger.evidence(check_id):
            ctx.note(check_id, "the server never sent GRACEFUL_DISCONNECT")


async def probe(
    url: str,
    *,
    messages: Sequence[str] | None = None,
    chat_prefix: str | None = None,
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    expected_failures: Iterable[str] = (),
    headers: Mapping[str, str] | None = None,
    ssl: SSLContext | None = None,
    timeout: float = 10.0,
    reply_timeout: float = 30.0,
    status_timeout: float = 5.0,
    idle: float = 3.0,
    settle: float = 0.5,
    progress: Progress | None = None,
) -> ProbeReport:
    """Probe the server at ``url``; the keyword arguments are :class:`ProbeOptions`' fields.

    For a server's own test suite::

        report = await probe(url, messages=["What is 2 + 2?"])
        assert report.exit_code == 0, format_text(report)

    Raises:
        ValueError: an option is out of range, or ``only``/``skip`` names an unknown check.
    """
    defaults = ProbeOptions()
    options = ProbeOptions(
        messages=tuple(messages) if messages else defaults.messages,
        chat_prefix=chat_prefix or defaults.chat_prefix,
        only=None if only is None else frozenset(only),
        skip=frozenset(skip),
        expected_failures=frozenset(expected_failures),
        headers=dict(headers or {}),
        ssl=ssl,
        timeout=timeout,
        reply_timeout=reply_timeout,
        status_timeout=status_timeout,
        idle=idle,
        settle=settle,
    )
    return await run_probe(url, options, progress)
