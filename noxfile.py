"""Every job of the project: `nox` runs what CI runs; `nox -s NAME` runs one.

Tool versions are pinned once: Python tools in python/pyproject.toml's extras, npm
tools exactly in typescript/package.json (installed from its lockfile by `npm ci`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

nox.options.sessions = [
    "drift",
    "lint",
    "tests",
    "typescript",
    "package",
    "docs",
    "docs_browser",
    "docs_zensical",
    "ecosystem",
]
nox.options.reuse_venv = "yes"
nox.options.error_on_external_run = True
# uv makes a session's environment in seconds (pip took about 100 s for the tests' on CI's
# machine); the README's test command installs it with nox (`nox[uv]`, uv pinned). Without
# uv, nox falls back to virtualenv and pip: slower, same packages.
nox.options.default_venv_backend = "uv|virtualenv"

PACKAGE = "./python"
TYPESCRIPT = "typescript"


_NPM_INSTALLED: set[str] = set()
"""The npm projects `npm ci` already installed in this run of nox."""


def _npm_ci_once(session: nox.Session, prefix: str, *options: str) -> None:
    """Run `npm ci` in ``prefix``, once per run of nox: later sessions find it installed.

    Nothing in a session changes a ``node_modules`` or a lockfile, so a second `npm ci` in
    the same run would only delete and unpack the same files again.
    """
    if prefix in _NPM_INSTALLED:
        session.log(f"npm ci --prefix {prefix}: done earlier in this run")
        return
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            session.error(f"{tool} is not on PATH: the npm tools need node >= 20 and npm")
    session.run("npm", "ci", "--prefix", prefix, "--no-audit", "--no-fund", *options, external=True)
    _NPM_INSTALLED.add(prefix)


def npm_ci(session: nox.Session) -> None:
    """Install the TypeScript package's npm dependencies, exactly as its lockfile says."""
    _npm_ci_once(session, TYPESCRIPT)


DOCS_TOOLS = "tools/docs"
MIGRATION_NOTES = f"{DOCS_TOOLS}/migration_notes.py"
# mkdocs 1.6 prints a banner about MkDocs 2.0 on every build; it says nothing about this site.
DOCS_ENV = {"NO_MKDOCS_2_WARNING": "1"}
BROWSER_SITE = "build/docs-browser/site"
CHROMIUM = "/usr/bin/chromium"


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate everything built from schema/; with `-- --check`, only report drift.

    codegen is one pass from files that never imports the package; the migration
    notes are the package's own `schema diff` output, so they are written after it.
    """
    session.install("-e", f"{PACKAGE}[codegen]")
    npm_ci(session)
    session.run("python", "codegen/generate.py", *session.posargs)
    session.run("python", MIGRATION_NOTES, *(a for a in session.posargs if a == "--check"))


@nox.session
def drift(session: nox.Session) -> None:
    """Fail when generated files or examples/ drifted, or a released schema changed.

    The release gate fails when a released ``schema/vX.Y/`` changed other than
    compatibly, and reports what ``schema/draft/`` changes.
    """
    session.install("-e", f"{PACKAGE}[codegen]")
    npm_ci(session)
    session.run("python", "codegen/generate.py", "--check")
    session.run("python", MIGRATION_NOTES, "--check")
    session.run("python", "tools/release/release_gate.py")
    # examples/ is built from the package too (a real recorded session, a broken one).
    session.run("python", "examples/make_examples.py", "--check")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite on every core (pass pytest options after `--`; `-n 0`: one process).

    pytest-xdist runs the tests in one worker per core (`-n auto`, two in CI); `worksteal`
    lets an idle worker take tests queued for a busy one, so a long test does not leave the
    other core idle at the end.
    """
    session.install("-e", f"{PACKAGE}[test,codegen,dask]")
    # The TypeScript agreement and drift tests need the npm dependencies (in CI they must run).
    npm_ci(session)
    session.run("pytest", "-n", "auto", "--dist", "worksteal", *session.posargs)


@nox.session(python=False)
def typescript(session: nox.Session) -> None:
    """Check the TypeScript package: `npm ci`, then `npm test` (prettier, tsc, node --test)."""
    npm_ci(session)
    session.run("npm", "test", "--prefix", TYPESCRIPT, external=True)


RELEASE_CHECKS = Path("tools/release")


@nox.session
def package(session: nox.Session) -> None:
    """Build both packages' release files, check them, install each into an empty place, use it.

    Python: sdist and wheel (`python -m build`, the wheel from the sdist; its build
    environments filled by uv), `twine check --strict`, the wheel installed (by uv, with
    nothing but its own dependencies) into a fresh virtual environment whose command
    validates the bundled example. TypeScript: `npm pack`, the tarball installed into an empty
    project that imports it as an ES module and compiles a TypeScript file against its
    types. Nothing is uploaded; the files stay in build/dist/.
    """
    session.install("-e", f"{PACKAGE}[release]")
    dist = Path("build", "dist").resolve()
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    session.run("python", "-m", "build", "--installer", "uv", "--outdir", str(dist), PACKAGE)
    session.run("twine", "check", "--strict", *sorted(map(str, dist.glob("lambda_agent_api-*"))))
    npm_ci(session)
    with session.chdir(TYPESCRIPT):
        session.run("npm", "pack", "--silent", "--pack-destination", str(dist), external=True)
    session.run("python", str(RELEASE_CHECKS / "check_dists.py"), str(dist))

    # The wheel alone, in an environment that has never seen this repository.
    tmp = Path(session.create_tmp()).resolve()
    venv = tmp / "wheel-venv"
    shutil.rmtree(venv, ignore_errors=True)
    # uv, not pip: the same install in seconds (pip fetched the dependencies for a minute).
    session.run("uv", "venv", "--quiet", "--python", str(Path(session.bin, "python")), str(venv))
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = str(bin_dir / "python")
    (wheel,) = dist.glob("*.whl")
    clean_env = {"PYTHONPATH": "", "VIRTUAL_ENV": str(venv)}
    session.run("uv", "pip", "install", "--quiet", "--python", python, str(wheel), env=clean_env)
    session.run("uv", "pip", "check", "--python", python, env=clean_env)
    example = str(Path("examples", "session.jsonl").resolve())
    command = str(bin_dir / "lambda-agent-api")
    with session.chdir(tmp):  # away from python/src, so only the installed copy can answer
        session.run(command, "--version", external=True, env=clean_env)
        session.run(command, "validate", "--no-progress", example, external=True, env=clean_env)
        session.run(command, "rules", "P006", external=True, env=clean_env)

    # The tarball alone, in an empty npm project.
    project = tmp / "npm-consumer"
    shutil.rmtree(project, ignore_errors=True)
    shutil.copytree(RELEASE_CHECKS / "npm-consumer", project)
    (tarball,) = dist.glob("*.tgz")
    tsc = str(Path(TYPESCRIPT, "node_modules", ".bin", "tsc").resolve())
    with session.chdir(project):
        session.run(
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            str(tarball),
            external=True,
        )
        session.run("node", "check.mjs", external=True)
        session.run(tsc, "-p", "tsconfig.json", external=True)
        session.run("node", "build/check.js", external=True)


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
    _npm_ci_once(session, DOCS_TOOLS, "--ignore-scripts", "--loglevel=error")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site into site/ with `mkdocs build --strict` (a warning fails it)."""
    _install_docs_tools(session)
    session.run("mkdocs", "build", "--strict", *session.posargs, env=DOCS_ENV)


def _chromium(session: nox.Session) -> str:
    """Return the Chromium to drive; install Debian's only where that was asked for.

    `CHROMIUM` names another binary. Without one at hand the session stops and says what to
    run, unless it runs in CI (`CI=true`, as root on a fresh machine) or was asked with
    `DOCS_BROWSER_INSTALL_CHROMIUM=1`: then it says it installs Debian's `chromium` with
    apt-get (about 130 packages), and does.
    """
    chromium = os.environ.get("CHROMIUM", CHROMIUM)
    if Path(chromium).is_file():
        return chromium
    if chromium != CHROMIUM:
        session.error(f"CHROMIUM={chromium}: no such file")
    asked = os.environ.get("DOCS_BROWSER_INSTALL_CHROMIUM") == "1"
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not (asked or in_ci):
        rest = [name for name in nox.options.sessions or [] if name != "docs_browser"]
        session.error(
            f"the browser check needs Chromium at {CHROMIUM}, and there is none.\n"
            "  Install it:  sudo apt-get install chromium   (Debian, Ubuntu)\n"
            "  or name another Chromium or Chrome:  CHROMIUM=/path/to/chrome python3 -m nox\n"
            "  or let this session install it with apt-get (as root):\n"
            "      DOCS_BROWSER_INSTALL_CHROMIUM=1 python3 -m nox -s docs_browser\n"
            "  or run the rest of the suite without it:\n"
            f"      python3 -m nox -s {' '.join(rest)}"
        )
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        session.error("cannot install Chromium: apt-get install chromium needs root on Debian")
    reason = "CI=true" if in_ci else "DOCS_BROWSER_INSTALL_CHROMIUM=1"
    session.warn(
        f"{reason}: installing Debian's chromium with apt-get (about 130 packages) "
        "for the browser check"
    )
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=apt_env)
    session.run("apt-get", "install", "-y", "-qq", "chromium", external=True, env=apt_env)
    return CHROMIUM


@nox.session
def docs_browser(session: nox.Session) -> None:
    """Build the site, serve it on 127.0.0.1 and check it in headless Chromium.

    Needs Chromium (`CHROMIUM`, default Debian's /usr/bin/chromium); installs it only in CI
    or when asked (see `_chromium`). Screenshots go to build/docs-browser/.
    """
    chromium = _chromium(session)
    _install_docs_tools(session, "test")
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", BROWSER_SITE, env=DOCS_ENV)
    session.run(
        "pytest",
        f"{DOCS_TOOLS}/test_browser.py",
        *session.posargs,
        env={"DOCS_SITE_DIR": BROWSER_SITE, "CHROMIUM": chromium},
    )


ZENSICAL = "zensical==0.0.73"
ZENSICAL_DIR = Path("build", "docs-zensical")


@nox.session
def docs_zensical(session: nox.Session) -> None:
    """Build the site with Zensical too, from the same mkdocs.yml, and report what differs.

    mkdocs-material is in maintenance mode; Zensical, its successor, reads mkdocs.yml. This
    keeps the configuration portable: the build must pass and lose no page; its warnings
    and every other difference are printed (tools/docs/compare_sites.py). Zensical is
    pinned at 0.0.73, the newest release whose dependencies are all on PyPI (0.1.x needs
    `zensical-ui`, which pip does not find there). Both sites go to build/docs-zensical/.
    """
    _install_docs_tools(session)
    session.install(ZENSICAL)
    shutil.rmtree(ZENSICAL_DIR, ignore_errors=True)
    mkdocs_site = ZENSICAL_DIR / "mkdocs-site"
    zensical_site = ZENSICAL_DIR / "site"
    session.run(
        "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(mkdocs_site), env=DOCS_ENV
    )
    # Zensical has no --site-dir, and wants its configuration in the project's root: the
    # same mkdocs.yml with site_dir set, for the time of the build.
    config = Path(".zensical-mkdocs.yml")
    text = Path("mkdocs.yml").read_text(encoding="utf-8")
    config.write_text(f"{text}\nsite_dir: {zensical_site.as_posix()}\n", encoding="utf-8")
    try:
        # Not --strict: mkdocs' strict build is the gate; Zensical's warnings (autorefs its
        # mkdocstrings shim resolves differently) are printed, as differences to know about.
        session.run("zensical", "build", "--config-file", str(config))
    finally:
        config.unlink()
    session.run("python", f"{DOCS_TOOLS}/compare_sites.py", str(mkdocs_site), str(zensical_site))


ECOSYSTEM_TOOLS = "tools/ecosystem"
# Third-party Python tools of the matrix, pinned (npm ones: tools/ecosystem/package.json).
ECOSYSTEM_PYPI = [
    "check-jsonschema==0.39.0",
    "datamodel-code-generator==0.89.0",
    "msgspec==0.23.0",
    "mypy==2.4.1",
]
# Debian's toolchains for the generated Go and Rust (crates from Debian: no crates.io).
ECOSYSTEM_DEBIAN = {
    "/usr/bin/go": ["golang-go"],
    "/usr/bin/cargo": ["cargo", "rustc"],
    "/usr/share/cargo/registry": [
        "librust-serde-dev",
        "librust-serde-derive-dev",
        "librust-serde-json-dev",
    ],
}


def _ecosystem_toolchains(session: nox.Session) -> None:
    """Install Debian's Go and Rust toolchains where missing, in CI or when asked.

    Elsewhere the matrix marks the Go and Rust rows as limits and says what is missing.
    """
    missing = [
        pkg for path, pkgs in ECOSYSTEM_DEBIAN.items() if not Path(path).exists() for pkg in pkgs
    ]
    if not missing:
        return
    asked = os.environ.get("ECOSYSTEM_INSTALL_TOOLCHAINS") == "1"
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not (asked or in_ci) or shutil.which("apt-get") is None or os.geteuid() != 0:
        session.warn(
            f"no {', '.join(missing)}: the Go and Rust rows will say so; install them with "
            "apt-get, or run as root with ECOSYSTEM_INSTALL_TOOLCHAINS=1"
        )
        return
    session.warn(f"installing Debian's {' '.join(missing)} with apt-get for the Go and Rust checks")
    apt_env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-qq", external=True, env=apt_env)
    session.run("apt-get", "install", "-y", "-qq", *missing, external=True, env=apt_env)


@nox.session
def ecosystem(session: nox.Session) -> None:
    """Run third-party tools on schema/ and the fixtures, offline; print a table tool x result.

    check-jsonschema, ajv-cli, the AsyncAPI CLI, Spectral, Modelina, quicktype and
    datamodel-code-generator, each pinned; generated Go and Rust are built with Debian's
    toolchains (`tools/ecosystem/matrix.py`, `docs/ecosystem.md`).
    """
    _ecosystem_toolchains(session)
    session.install("-e", PACKAGE, *ECOSYSTEM_PYPI)
    _npm_ci_once(session, ECOSYSTEM_TOOLS, "--ignore-scripts", "--loglevel=error")
    session.run("python", f"{ECOSYSTEM_TOOLS}/matrix.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Run every benchmark in bench/ (bench_*.py); each prints ratios and writes bench/results/."""
    # Installed as a user installs it: a wheel with its bytecode compiled (pip does it;
    # uv when asked). An editable install would recompile every module in every timed
    # process where PYTHONDONTWRITEBYTECODE is set, a cost no user pays.
    session.install(PACKAGE, env={"UV_COMPILE_BYTECODE": "1"})
    scripts = sorted(Path("bench").glob("bench_*.py"))
    if not scripts:
        session.error("no bench/bench_*.py found")
    for script in scripts:
        session.run("python", str(script), *session.posargs)
