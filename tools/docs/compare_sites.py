"""Compare the site mkdocs builds with the one Zensical builds from the same mkdocs.yml.

``nox -s docs_zensical`` builds both and runs ``python tools/docs/compare_sites.py
MKDOCS_SITE ZENSICAL_SITE``. It prints what differs: pages only one of them has,
published files (the schema files, mermaid) only one of them has, and pages whose
headings or count of code blocks and diagrams differ. Theme assets (scripts, styles,
search index) are each tool's own and not compared.

Exit code: 1 if Zensical left out a page that mkdocs built (the site would lose
content on a switch), 0 otherwise; every other difference is reported, not failed,
since mkdocs-material stays the builder until the project switches.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

__all__ = ["PageOutline", "compare", "main", "outline"]

# Each builder's own machinery: never the same files, and not the site's content.
_OWN = ("assets/javascripts/", "assets/stylesheets/", "assets/images/", "search/")
_OWN_FILES = {"sitemap.xml", "sitemap.xml.gz", "search.json", "objects.inv", "404.html"}
_OWN_FILES |= {"assets/_mkdocstrings.css"}
_PUBLISHED_BY_HOOK = "assets/javascripts/mermaid.min.js"


@dataclass
class PageOutline:
    """What a page shows: its headings, code blocks and diagrams (theme markup aside)."""

    headings: list[str] = field(default_factory=list)
    code_blocks: int = 0
    diagrams: int = 0


class _Outliner(HTMLParser):
    """Collect a page's outline from inside its ``<article>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.outline = PageOutline()
        self._article = 0
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "article":
            self._article += 1
        if not self._article:
            return
        if tag in ("h1", "h2", "h3"):
            self._heading = []
        elif tag == "pre" and "mermaid" in classes:
            self.outline.diagrams += 1
        elif tag == "pre":
            self.outline.code_blocks += 1
        elif tag == "a" and "headerlink" in classes and self._heading is not None:
            self.outline.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None  # the permalink sign is not part of the heading

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article -= 1
        elif tag in ("h1", "h2", "h3") and self._heading is not None:
            self.outline.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)


def outline(page: Path) -> PageOutline:
    """Return the outline of one built HTML page."""
    parser = _Outliner()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.outline


def _content_files(site: Path) -> set[str]:
    files = set()
    for path in site.rglob("*"):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and rel not in _OWN_FILES and not rel.startswith(_OWN):
            files.add(rel)
    if (site / _PUBLISHED_BY_HOOK).is_file():
        files.add(_PUBLISHED_BY_HOOK)
    return files


def _files_only_in(builder: str, files: set[str]) -> list[str]:
    """Say which files one builder alone publishes, a folder at a time."""
    by_folder: dict[str, list[str]] = {}
    for rel in sorted(files):
        by_folder.setdefault(rel.rpartition("/")[0].split("/")[0], []).append(rel)
    lines = []
    for folder, names in by_folder.items():
        if len(names) > 3:
            lines.append(f"only {builder} publishes {len(names)} files under {folder}/")
        else:
            lines += [f"only {builder} publishes {name}" for name in names]
    return lines


def compare(mkdocs_site: Path, zensical_site: Path) -> tuple[list[str], list[str]]:
    """Return (failures, differences) between the two builds of the site."""
    ours, theirs = _content_files(mkdocs_site), _content_files(zensical_site)
    failures = [
        f"page missing from the Zensical build: {rel}"
        for rel in sorted(ours - theirs)
        if rel.endswith(".html")
    ]
    differences = _files_only_in("mkdocs", {r for r in ours - theirs if not r.endswith(".html")})
    differences += _files_only_in("Zensical", theirs - ours)
    for rel in sorted(ours & theirs):
        if not rel.endswith(".html"):
            continue
        a, b = outline(mkdocs_site / rel), outline(zensical_site / rel)
        if a.headings != b.headings:
            lost = [h for h in a.headings if h not in b.headings]
            gained = [h for h in b.headings if h not in a.headings]
            differences.append(
                f"{rel}: headings differ (only mkdocs: {lost}; only Zensical: {gained})"
            )
        if a.code_blocks != b.code_blocks:
            differences.append(f"{rel}: {a.code_blocks} code blocks, {b.code_blocks} with Zensical")
        if a.diagrams != b.diagrams:
            differences.append(f"{rel}: {a.diagrams} diagrams, {b.diagrams} with Zensical")
    return failures, differences


def main(argv: list[str]) -> int:
    """Print what differs between the two sites; return 1 if Zensical lost a page."""
    if len(argv) != 2:
        print("usage: compare_sites.py MKDOCS_SITE ZENSICAL_SITE", file=sys.stderr)
        return 2
    mkdocs_site, zensical_site = map(Path, argv)
    failures, differences = compare(mkdocs_site, zensical_site)
    pages = sum(1 for _ in mkdocs_site.rglob("*.html"))
    print(f"Zensical vs mkdocs-material, {pages} pages:")
    for line in differences:
        print(f"  differs: {line}")
    for line in failures:
        print(f"  FAILS: {line}")
    if not differences and not failures:
        print("  the same pages, headings, code blocks and diagrams")
    elif any(_PUBLISHED_BY_HOOK in line or "schema/" in line for line in differences):
        print(
            "  (the schema files and mermaid are published by tools/docs/hooks.py, an mkdocs"
            " hook, which Zensical does not run: a switch needs them published another way)"
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
