"""Check what the release files hold, before anything installs them (``nox -s package``).

Usage: ``python tools/release/check_dists.py DIST_DIR`` where ``DIST_DIR`` holds one
wheel, one sdist and one npm tarball. Prints one line per file checked; exits 1 and
names every problem when a file that must be shipped is missing, or one that must not
be is there.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from collections.abc import Callable, Iterable
from email.parser import HeaderParser
from pathlib import Path

__all__ = ["check_npm_tarball", "check_sdist", "check_wheel", "main"]

ROOT = Path(__file__).resolve().parent.parent.parent
LICENSE = (ROOT / "LICENSE").read_text(encoding="utf-8")


def _missing(names: Iterable[str], wanted: Iterable[str]) -> list[str]:
    have = set(names)
    return [f"missing {name}" for name in wanted if name not in have]


def check_wheel(path: Path) -> list[str]:
    """Return the problems of a wheel: its files, its license and its metadata."""
    with zipfile.ZipFile(path) as wheel:
        names = wheel.namelist()
        dist_info = next((n.split("/")[0] for n in names if ".dist-info/" in n), "?.dist-info")
        problems = _missing(
            names,
            [
                "lambda_agent_api/__init__.py",
                "lambda_agent_api/py.typed",
                f"{dist_info}/licenses/LICENSE",
                f"{dist_info}/METADATA",
                f"{dist_info}/entry_points.txt",
            ],
        )
        if f"{dist_info}/licenses/LICENSE" in names:
            shipped = wheel.read(f"{dist_info}/licenses/LICENSE").decode("utf-8")
            if shipped != LICENSE:
                problems.append("its LICENSE differs from the repository's")
        if not any(n.startswith("lambda_agent_api/") and n.endswith(".json") for n in names):
            problems.append("no schema files (lambda_agent_api/**/*.json)")
        metadata = HeaderParser().parsestr(wheel.read(f"{dist_info}/METADATA").decode("utf-8"))
    if metadata.get("License-Expression") != "MIT":
        problems.append(f"License-Expression is {metadata.get('License-Expression')!r}")
    urls = metadata.get_all("Project-URL") or []
    if not any(url.startswith("Documentation, https://") for url in urls):
        problems.append(f"no Documentation URL among {urls}")
    if metadata.get("Description-Content-Type") != "text/markdown":
        problems.append("the long description is not Markdown")
    problems += [f"ships {n}" for n in names if "/tests/" in n or n.startswith("tests/")]
    return problems


def check_sdist(path: Path) -> list[str]:
    """Return the problems of a source distribution: it must build the same wheel."""
    with tarfile.open(path) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        names = [name.removeprefix(f"{top}/") for name in sdist.getnames()]
    problems = _missing(
        names,
        ["LICENSE", "README.md", "pyproject.toml", "PKG-INFO", "src/lambda_agent_api/py.typed"],
    )
    if not any(n.startswith("src/lambda_agent_api/") and n.endswith(".json") for n in names):
        problems.append("no schema files (src/lambda_agent_api/**/*.json)")
    return problems


def check_npm_tarball(path: Path) -> list[str]:
    """Return the problems of an npm tarball: the built module, its types, license, readme."""
    with tarfile.open(path) as tarball:
        names = [name.removeprefix("package/") for name in tarball.getnames()]
        member = tarball.extractfile("package/LICENSE") if "LICENSE" in names else None
        shipped = member.read().decode("utf-8") if member is not None else None
    problems = _missing(
        names,
        ["package.json", "LICENSE", "README.md", "dist/index.js", "dist/index.d.ts"],
    )
    if shipped is not None and shipped != LICENSE:
        problems.append("its LICENSE differs from the repository's")
    stray = [n for n in names if n.split("/")[0] in ("src", "test", "build", "node_modules")]
    problems += [f"ships {name}" for name in stray]
    return problems


CHECKS: dict[str, Callable[[Path], list[str]]] = {
    "*.whl": check_wheel,
    "*.tar.gz": check_sdist,
    "*.tgz": check_npm_tarball,
}


def main(argv: list[str]) -> int:
    """Check every release file in the folder given; return 0 or 1."""
    if len(argv) != 1:
        print("usage: check_dists.py DIST_DIR", file=sys.stderr)
        return 2
    folder = Path(argv[0])
    failed = False
    for pattern, check in CHECKS.items():
        found = sorted(folder.glob(pattern))
        if len(found) != 1:
            print(f"{folder}: expected one {pattern}, found {len(found)}", file=sys.stderr)
            failed = True
            continue
        problems = check(found[0])
        for problem in problems:
            print(f"{found[0].name}: {problem}", file=sys.stderr)
        failed = failed or bool(problems)
        if not problems:
            print(f"{found[0].name}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
