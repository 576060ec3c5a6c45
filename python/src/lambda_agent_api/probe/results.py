"""What a probe found: evidence per check, and the report that scores it.

Scenarios record evidence in a :class:`Ledger`: a check passed here, failed
there (with a sentence), or was inconclusive. :meth:`Ledger.report` turns it
into a :class:`ProbeReport`: one :class:`CheckResult` per check, a score per
level, and the exit code. A check with no evidence at all was not observed
(the server never sent a tool call, say) and counts as skipped.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from lambda_agent_api.probe.checks import CHECKS, Check, Level

__all__ = [
    "EXIT_COULD_NOT_RUN",
    "EXIT_FAILED",
    "EXIT_OK",
    "CheckResult",
    "Evidence",
    "Ledger",
    "ProbeReport",
    "Status",
]

EXIT_OK: Final = 0
"""Every MUST passed (or failed as the baseline expects)."""
EXIT_FAILED: Final = 1
"""A MUST failed unexpectedly, or a baseline entry is stale."""
EXIT_COULD_NOT_RUN: Final = 2
"""The probe could not run: a bad URL, an unreachable server, an unreadable baseline."""


class Status(str, enum.Enum):
    """How a check came out."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    """Not selected (``--only``/``--skip``), or nothing the server did could show it."""
    EXPECTED_FAILURE = "expected-failure"
    """Failed, and the expected-failures baseline lists it: it does not fail the run."""
    STALE = "stale"
    """Passed, but the baseline lists it as failing: the baseline must shrink; fails the run."""


@dataclass(frozen=True)
class Evidence:
    """One observation about a check, made in one scenario."""

    scenario: str
    passed: bool | None
    """True: the check held; False: it failed; None: a note that decides nothing."""
    message: str


@dataclass(frozen=True)
class CheckResult:
    """A check's outcome over the whole run."""

    check: Check
    status: Status
    failures: tuple[Evidence, ...] = ()
    """What went wrong, each where it was seen."""
    notes: tuple[Evidence, ...] = ()
    """What was seen when it held (or a note of why it was skipped)."""

    @property
    def failed(self) -> bool:
        """Whether it fails the run when it is a MUST: failed, or a stale baseline entry."""
        return self.status in (Status.FAILED, Status.STALE)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready data (the shape of ``probe --format json``)."""
        return {
            "kind": "check",
            "id": self.check.id,
            "level": self.check.level.value,
            "status": self.status.value,
            "sentence": self.check.sentence,
            "rules": list(self.check.rules),
            "docs": self.check.url,
            "failures": [{"scenario": e.scenario, "message": e.message} for e in self.failures],
            "notes": [{"scenario": e.scenario, "message": e.message} for e in self.notes],
        }


@dataclass(frozen=True)
class ProbeReport:
    """Everything a probe run found."""

    url: str
    """The base URL probed."""
    chat_prefix: str
    """The prefix of every chat id the probe used."""
    results: tuple[CheckResult, ...]
    """One result per check, in catalogue order."""
    duration: float
    """Seconds the run took."""
    error: str | None = None
    """Why the probe could not run, if it could not (then ``exit_code`` is 2)."""

    def result(self, check_id: str) -> CheckResult:
        """Return the result of one check.

        Raises:
            KeyError: no check has this id.
        """
        for result in self.results:
            if result.check.id == check_id:
                return result
        raise KeyError(check_id)

    @property
    def failed(self) -> list[CheckResult]:
        """Every check that failed (or is a stale baseline entry), at any level."""
        return [r for r in self.results if r.failed]

    @property
    def exit_code(self) -> int:
        """0: every MUST passed; 1: a MUST failed or the baseline is stale; 2: could not run."""
        if self.error is not None:
            return EXIT_COULD_NOT_RUN
        if any(
            r.status is Status.STALE or (r.failed and r.check.level is Level.MUST)
            for r in self.results
        ):
            return EXIT_FAILED
        return EXIT_OK

    def score(self) -> dict[str, dict[str, int]]:
        """Count the results of each level by status: ``{"MUST": {"passed": 12, ...}}``."""
        counts: dict[str, dict[str, int]] = {
            level.value: {status.value: 0 for status in Status} for level in Level
        }
        for result in self.results:
            counts[result.check.level.value][result.status.value] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        """Return the summary as JSON-ready data (the last line of ``probe --format json``)."""
        return {
            "kind": "summary",
            "url": self.url,
            "chat_prefix": self.chat_prefix,
            "duration": round(self.duration, 3),
            "score": self.score(),
            "failed": [r.check.id for r in self.failed],
            "error": self.error,
            "exit_code": self.exit_code,
        }


@dataclass
class Ledger:
    """Collects evidence per check while scenarios run."""

    selected: frozenset[str] = frozenset(CHECKS)
    """The checks that run; evidence for others is dropped."""
    _evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def passed(self, check_id: str, scenario: str, message: str = "") -> None:
        """Record that a check held."""
        self._add(check_id, Evidence(scenario, True, message))

    def failed(self, check_id: str, scenario: str, message: str) -> None:
        """Record that a check failed, with a sentence saying how."""
        self._add(check_id, Evidence(scenario, False, message))

    def note(self, check_id: str, scenario: str, message: str) -> None:
        """Record an observation that neither passes nor fails a check."""
        self._add(check_id, Evidence(scenario, None, message))

    def evidence(self, check_id: str) -> list[Evidence]:
        """Return what was recorded about a check, in order."""
        return list(self._evidence.get(check_id, ()))

    def _add(self, check_id: str, evidence: Evidence) -> None:
        if check_id not in CHECKS:
            raise KeyError(f"no check {check_id!r}")
        if check_id in self.selected:
            self._evidence.setdefault(check_id, []).append(evidence)

    def results(self, expected_failures: Iterable[str] = ()) -> tuple[CheckResult, ...]:
        """Decide every check, in catalogue order, against the expected-failures baseline."""
        expected = frozenset(expected_failures)
        results = []
        for check_id, check_ in CHECKS.items():
            evidence = self._evidence.get(check_id, [])
            failures = tuple(e for e in evidence if e.passed is False)
            notes = tuple(e for e in evidence if e.passed is not False and e.message)
            if check_id not in self.selected:
                status = Status.SKIPPED
                notes = (Evidence("", None, "not selected"),)
            elif failures:
                status = Status.EXPECTED_FAILURE if check_id in expected else Status.FAILED
            elif any(e.passed for e in evidence):
                status = Status.STALE if check_id in expected else Status.PASSED
            else:
                status = Status.SKIPPED
                if not notes:
                    notes = (Evidence("", None, "nothing the server did could show it"),)
            results.append(CheckResult(check_, status, failures, notes))
        return tuple(results)
