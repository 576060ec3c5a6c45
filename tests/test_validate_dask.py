"""The recipe of docs/cli/validate.md: check_file mapped over captures on a (local) Dask cluster.

Skipped only when the ``dask`` extra is not installed; ``nox -s tests`` installs it.
The cluster is two worker processes on 127.0.0.1, and the reports must add up to
exactly what one ``validate`` run over the same files says.
"""

from __future__ import annotations

import pytest
from support.conversations import conversation_fixtures

from lambda_agent_api.check.checker import Checker
from lambda_agent_api.check.diagnostics import Diagnostic
from lambda_agent_api.check.file_report import FileReport, check_file, merge_summaries
from lambda_agent_api.check.files import FileChecker

distributed = pytest.importorskip("distributed")

PATHS = [str(f.path) for f in conversation_fixtures()] + ["no/such/capture.jsonl"]


def one_run(paths: list[str]) -> tuple[list[dict[str, object]], dict[str, object]]:
    """What one validate run over every file finds, and its summary."""
    checker = Checker()
    found = []
    with FileChecker(checker) as files:
        found = [e.to_dict() for e in files.check(paths) if isinstance(e, Diagnostic)]
    found += [d.to_dict() for d in checker.finish()]
    summary = checker.summary
    return found, {
        "frames": summary.frames,
        "connections": summary.connections,
        "skipped": summary.records_skipped,
        "counts": dict(summary.counts),
    }


def test_check_file_on_a_local_cluster() -> None:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        reports: list[FileReport] = client.gather(client.map(check_file, PATHS))

    assert [r.source for r in reports] == PATHS
    findings, summary = one_run(PATHS)
    assert [f for r in reports for f in r.findings] == findings
    total = merge_summaries(r.summary for r in reports)
    assert {
        "frames": total.frames,
        "connections": total.connections,
        "skipped": total.records_skipped,
        "counts": dict(total.counts),
    } == summary
    assert total.frames > 0
    assert total.counts
    assert reports[-1].error == "No such file or directory"
    assert [r.error for r in reports[:-1] if r.source.endswith(".jsonl")] == [None] * sum(
        r.source.endswith(".jsonl") for r in reports[:-1]
    )
