"""The server probe: score a live agent server against the protocol, from the outside.

::

    from lambda_agent_api.probe import ProbeOptions, run_probe

    report = await run_probe("ws://localhost:8000/", ProbeOptions(messages=("What is 2+2?",)))
    assert report.exit_code == 0, format_text(report)

It runs scripted scenarios (``probe.scenarios.SCENARIOS``),
each on its own chat and connection and bounded in time, runs the
validator's rules on all their traffic, and decides every check of
:data:`~lambda_agent_api.probe.checks.CHECKS`. ``lambda-agent-api probe`` is
this on the command line; ``docs/python/probe.md`` explains it.
"""

from lambda_agent_api.probe.baseline import load_expected_failures, parse_expected_failures
from lambda_agent_api.probe.checks import CHECKS, INVALID_MESSAGE_CODE, Check, Level
from lambda_agent_api.probe.options import DEFAULT_MESSAGE, ProbeOptions, random_chat_prefix
from lambda_agent_api.probe.reports import Paint, TextProgress, format_text, junit_xml, write_json
from lambda_agent_api.probe.results import (
    EXIT_COULD_NOT_RUN,
    EXIT_FAILED,
    EXIT_OK,
    CheckResult,
    Evidence,
    ProbeReport,
    Status,
)
from lambda_agent_api.probe.runner import Progress, probe, run_probe

__all__ = [
    "CHECKS",
    "DEFAULT_MESSAGE",
    "EXIT_COULD_NOT_RUN",
    "EXIT_FAILED",
    "EXIT_OK",
    "INVALID_MESSAGE_CODE",
    "Check",
    "CheckResult",
    "Evidence",
    "Level",
    "Paint",
    "ProbeOptions",
    "ProbeReport",
    "Progress",
    "Status",
    "TextProgress",
    "format_text",
    "junit_xml",
    "load_expected_failures",
    "parse_expected_failures",
    "probe",
    "random_chat_prefix",
    "run_probe",
    "write_json",
]
