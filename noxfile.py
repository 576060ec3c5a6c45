"""Every job of the project: `nox` runs what CI runs; `nox -s NAME` runs one.

Tool versions are pinned once: Python tools in python/pyproject.toml's extras, npm
tools exactly in typescript/package.json (installed from its lockfile by `npm ci`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = ["drift", "lint", "tests", "typescript", "docs", "docs_browser"]
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


DOCS_TOOLS = "tools/docs"
# mkdocs 1.6 prints a banner about MkDocs 2.0 on every build; it says nothing about this site.
DOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
BROWSER_SITE = "build/docs-browser/site"
CHROMIUM = "/usr/bin/chromium"


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate everything built from schema/; with `-- --check`, only report drift."""
    session.install("-e", f"{PACKAGE}[codegen]")
    npm_ci(session)
    session.run("python", "codegen/generate.py", *session.posargs)


@nox.session
def drift(session: nox.Session) -> None:
    """Fail when generated files differ from the schema, or a released schema changed.

    The release gate fails when a released ``schema/vX.Y/`` changed other than
    compatibly, and reports what ``schema/draft/`` changes.
    """
    session.install("-e", f"{PACKAGE}[codegen]")
    npm_ci(session)
    session.run("python", "codegen/generate.py", "--check")
    session.run("python", "codegen/release_gate.py")


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
    # docs: mypy checks the site's build helpers (tools/docs/) against mkdocs and playwright.
    session.install("-e", f"{PACKAGE}[lint,test,docs]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")


def _install_docs_tools(session: nox.Session, *extras: str) -> None:
    session.install("-e", f"{PACKAGE}[{','.join(('docs', *extras))}]")
    # mermaid.min.js, pinned in tools/docs/package-lock.json: the site serves it itself.
    session.run(
        "npm",
        "ci",
        "--prefix",
        DOCS_TOOLS,
        "--ignore-scripts",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        external=True,
    )


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site into site/ with `mkdocs build --strict` (a warning fails it)."""
    _install_docs_tools(session)
    session.run("mkdocs", "build", "--strict", *session.posargs, env=DOCS_ENV)


@nox.session
def docs_browser(session: nox.Session) -> None:
    """Build the site, serve it on 127.0.0.1 and check it in headless Chromium.

    Installs Debian's chromium when it is missing; screenshots go to build/docs-browser/.
    """
    if not Path(CHROMIUM).is_file():
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            session.error(f"needs Debian's Chromium at {CHROMIUM}: apt-get install chromium")
        apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
        session.run("apt-get", "update", "-qq", external=True, env=apt_env)
        session.run("apt-get", "install", "-y", "-qq", "chromium", external=True, env=apt_env)
    _install_docs_tools(session, "test")
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", BROWSER_SITE, env=DOCS_ENV)
    session.run(
        "pytest",
        f"{DOCS_TOOLS}/test_browser.py",
        *session.posargs,
        env={"DOCS_SITE_DIR": BROWSER_SITE, "CHROMIUM": CHROMIUM},
    )


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark in bench/ (bench_*.py); each prints ratios and writes bench/results/."""
    session.install("-e", PACKAGE)
    scripts = sorted(Path("bench").glob("bench_*.py"))
    if not scripts:
        session.error("no bench/bench_*.py found")
    for script in scripts:
        session.run("python", str(script), *session.posargs)
