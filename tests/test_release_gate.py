"""tools/release/release_gate.py: a released version changes only compatibly; draft/ is reported.

Each test builds a small git repository from the schema-diff fixtures: the first commit
releases a version, the working tree then changes it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
GATE = ROOT / "tools" / "release" / "release_gate.py"
FIXTURES = ROOT / "tests" / "fixtures" / "schema-diff"


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.test", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def released_repo(tmp_path: Path, case: str) -> Path:
    """A repository whose schema/v1.0/ and schema/draft/ are the case's old version."""
    repo = tmp_path / "repo"
    for folder in ("v1.0", "draft"):
        shutil.copytree(FIXTURES / case / "old", repo / "schema" / folder)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "release v1.0")
    return repo


def change_to(repo: Path, folder: str, case: str) -> None:
    shutil.rmtree(repo / "schema" / folder)
    shutil.copytree(FIXTURES / case / "new", repo / "schema" / folder)


def load_gate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("release_gate", GATE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GATE_MODULE = load_gate()


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_gate(repo: Path) -> Run:
    """Run the gate in this process (the last test runs it as nox does)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = GATE_MODULE.main(["--root", str(repo)])
    return Run(code, out.getvalue(), err.getvalue())


def test_unchanged_release_passes(tmp_path: Path) -> None:
    result = run_gate(released_repo(tmp_path, "field_renamed"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "schema/v1.0/: 0 compatible change(s)" in result.stdout


@pytest.mark.parametrize("case", ["reshaped_same_meaning", "enum_value_removed_server"])
def test_a_compatible_change_to_a_release_passes(tmp_path: Path, case: str) -> None:
    repo = released_repo(tmp_path, case)
    change_to(repo, "v1.0", case)
    result = run_gate(repo)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("case", ["field_renamed", "message_added_server"])
def test_a_breaking_or_tolerant_change_to_a_release_fails(tmp_path: Path, case: str) -> None:
    repo = released_repo(tmp_path, case)
    change_to(repo, "v1.0", case)
    git(repo, "commit", "-qam", "edit the release")  # committed or not, it is compared
    result = run_gate(repo)
    assert result.returncode == 1
    assert "schema/v1.0/ was released" in result.stdout
    assert "make it in schema/draft/" in result.stdout


def test_the_same_change_in_draft_is_reported_not_failed(tmp_path: Path) -> None:
    repo = released_repo(tmp_path, "field_renamed")
    change_to(repo, "draft", "field_renamed")
    result = run_gate(repo)
    assert result.returncode == 0, result.stdout
    assert "schema/draft/ against v1.0 (reported, not checked)" in result.stdout
    assert "BREAKING  server -> client  END" in result.stdout


def test_a_bumped_version_passes_and_the_old_one_must_stay(tmp_path: Path) -> None:
    repo = released_repo(tmp_path, "field_renamed")
    shutil.copytree(FIXTURES / "field_renamed" / "new", repo / "schema" / "v2.0")
    assert run_gate(repo).returncode == 0
    shutil.rmtree(repo / "schema" / "v1.0")
    result = run_gate(repo)
    assert result.returncode == 1
    assert "schema/v1.0/ was released and is gone" in result.stdout


def test_an_unreadable_release_exits_2(tmp_path: Path) -> None:
    repo = released_repo(tmp_path, "field_renamed")
    (repo / "schema" / "v1.0" / "server_message.json").write_text("{not json", "utf-8")
    result = run_gate(repo)
    assert result.returncode == 2
    assert "server_message.json: not JSON" in result.stderr


def test_the_gate_runs_as_a_script_on_this_repository() -> None:
    result = subprocess.run([sys.executable, str(GATE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "schema/draft/ against v1.1 (reported, not checked)" in result.stdout
