"""Every job of the project: `nox` runs what CI runs; `nox -s NAME` runs one.

Tool versions are pinned once: Python tools in python/pyproject.toml's extras, npm
tools exactly in typescript/package.json (installed from its lockfile by `npm ci`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nox

nox.options.sessions = ["drift", "lint", "tests", "typescript"]
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = True

PACKAGE = "./python"
TYPESCRIPT = "typescript"


def npm_ci(session: nox.Session) -> None:
    """Install the TypeScript package's npm dependencies, exactly as its lockfile says."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            session.error(f"{tool} is not on PATH: the TypeScript package needs node >= 20 and npm")
    session.run("npm", "ci", "--prefix", TYPESCRIPT, "--no-audit", "--no-fund", external=True)


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate everything built from schema/; with `-- --check`, only report drift."""
    session.install("-e", f"{PACKAGE}[codegen]")
    npm_ci(session)
    session.run("python", "codegen/generate.py", *session.posargs)


@nox.session
def drift(session: nox.Session) -> None:
    """Fail, printing a diff, when committed generated files differ from what schema/ gives."""
    session.install("-e", f"{PACKAGE}[codegen]")
    npm_ci(session)
    session.run("python", "codegen/generate.py", "--check")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pass pytest options after `--`)."""
    session.install("-e", f"{PACKAGE}[test,codegen]")
    # The TypeScript agreement and drift tests need the npm dependencies (in CI they must run).
    npm_ci(session)
    session.run("pytest", *session.posargs)


@nox.session(python=False)
def typescript(session: nox.Session) -> None:
    """Check the TypeScript package: `npm ci`, then `npm test` (prettier, tsc, node --test)."""
    npm_ci(session)
    session.run("npm", "test", "--prefix", TYPESCRIPT, external=True)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff (lint and format check) everywhere, mypy --strict on the hand-written code."""
    session.install("-e", f"{PACKAGE}[lint,test]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark in bench/ (bench_*.py); each prints ratios and writes bench/results/."""
    session.install("-e", PACKAGE)
    scripts = sorted(Path("bench").glob("bench_*.py"))
    if not scripts:
        session.error("no bench/bench_*.py found")
    for script in scripts:
        session.run("python", str(script), *session.posargs)
