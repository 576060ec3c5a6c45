"""The release gate: a released schema version changes only compatibly.

Each ``schema/vX.Y/`` folder is compared, with ``lambda-agent-api schema
diff``'s engine, against its content as released: as it was in the first
commit that added the folder. Any change that is not fully compatible
(breaking, or only survived by tolerant readers) fails the gate: such a
change belongs in ``schema/draft/``, released later as a new version.
Changes in ``schema/draft/`` since the latest release are reported, never
failed. ``nox -s drift`` runs it.

Usage::

    python tools/release/release_gate.py [--root DIR]

Exit codes: 0 every released version is unchanged or changed compatibly; 1 a
released version changed otherwise, or was removed; 2 the gate cannot run (a
version folder that is not a readable protocol, git failing).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from lambda_agent_api.schemas.diff import Level, diff
from lambda_agent_api.schemas.report import text_report
from lambda_agent_api.schemas.versions import SchemaSet, SchemaSetError, load_folder

ROOT = Path(__file__).resolve().parent.parent.parent
_VERSION = re.compile(r"v(\d+)\.(\d+)")


def _git(root: Path, *args: str) -> str | None:
    """Return git's output, or ``None`` when git is missing or ``root`` is not a repository."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def _version_key(name: str) -> tuple[int, int]:
    match = _VERSION.fullmatch(name)
    assert match is not None
    return int(match[1]), int(match[2])


def released_folders(schema_root: Path) -> list[str]:
    """Return the released versions' folder names, oldest first."""
    names = [p.name for p in schema_root.iterdir() if p.is_dir() and _VERSION.fullmatch(p.name)]
    return sorted(names, key=_version_key)


def released_content(root: Path, folder: str, into: Path) -> bool:
    """Write ``schema/<folder>/`` as first committed into ``into``; False if never committed."""
    rel = f"schema/{folder}"
    commits = _git(root, "log", "--diff-filter=A", "--format=%H", "--", rel)
    if not commits or not commits.split():
        return False
    first = commits.split()[-1]
    listing = _git(root, "ls-tree", "-r", "--name-only", first, "--", rel + "/")
    if listing is None:
        raise SchemaSetError(f"git cannot list {rel} at {first}")
    for name in listing.split("\n"):
        if not name.endswith(".json"):
            continue
        text = _git(root, "show", f"{first}:{name}")
        if text is None:
            raise SchemaSetError(f"git cannot show {name} at {first}")
        target = into / Path(name).relative_to(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return True


def ever_released(root: Path) -> set[str]:
    """Every version folder that any commit added under ``schema/``."""
    log = _git(root, "log", "--diff-filter=A", "--name-only", "--format=", "--", "schema/")
    found = set()
    for line in (log or "").split("\n"):
        parts = line.split("/")
        if len(parts) > 2 and _VERSION.fullmatch(parts[1]):
            found.add(parts[1])
    return found


def check(root: Path) -> int:
    """Run the gate on the repository at ``root``; print what it finds; return the exit code."""
    schema_root = root / "schema"
    folders = released_folders(schema_root)
    if _git(root, "rev-parse", "--git-dir") is None:
        print("release gate: not a git repository; released versions cannot be compared")
        return 0
    failed = False
    for gone in sorted(ever_released(root) - set(folders), key=_version_key):
        print(f"release gate: schema/{gone}/ was released and is gone; released versions stay")
        failed = True
    for folder in folders:
        current = load_folder(schema_root / folder, f"schema/{folder}")
        with tempfile.TemporaryDirectory() as tmp:
            if not released_content(root, folder, Path(tmp)):
                print(f"release gate: schema/{folder}/ is new: nothing released to compare with")
                continue
            released = load_folder(Path(tmp), f"{folder} as released")
            result = diff(released, current)
        if result.level is Level.COMPATIBLE:
            print(f"release gate: schema/{folder}/: {len(result.changes)} compatible change(s)")
            continue
        failed = True
        sys.stdout.write(text_report(result))
        print(
            f"release gate: schema/{folder}/ was released, and this change is "
            f"{result.level.label}: make it in schema/draft/ and release that as a new version"
        )
    draft = schema_root / "draft"
    if draft.is_dir() and folders:
        latest: SchemaSet = load_folder(schema_root / folders[-1], folders[-1])
        result = diff(latest, load_folder(draft, "draft"))
        print(f"release gate: schema/draft/ against {folders[-1]} (reported, not checked):")
        sys.stdout.write(text_report(result))
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run the gate."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository (default: this)")
    args = parser.parse_args(argv)
    try:
        return check(args.root)
    except SchemaSetError as error:
        print(f"release gate: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
