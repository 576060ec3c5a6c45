"""The built docs site, checked in a real browser (``nox -s docs_browser``).

The site is served from a folder on 127.0.0.1 and opened in headless Chromium
(Debian's ``/usr/bin/chromium``, driven by Playwright). The checks: the home
page, a message page and the rules page render; the Mermaid diagrams became
SVG; the search finds a message type; the schema files are served where
they lie, with a bundle; and no page asks for anything beyond 127.0.0.1 or logs an error.
On every page at a laptop's width (and the pages with diagrams at a phone's), the
layout is read too: no code block hides text it cannot show (cut off, or scrolling
without a visible scrollbar), no text runs under a code block's copy button, no
navigation entry is cut short, and in every diagram no two labels overlap and no
text is drawn smaller than :data:`MIN_DIAGRAM_FONT_PX`.
Screenshots go to ``build/docs-browser/screenshots/``.

Environment: ``DOCS_SITE_DIR`` (the built site, default
``build/docs-browser/site``), ``CHROMIUM`` (default ``/usr/bin/chromium``).
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

from lambda_agent_api.protocol.rules import RULES

ROOT = Path(__file__).resolve().parent.parent.parent
SITE_DIR = Path(os.environ.get("DOCS_SITE_DIR", ROOT / "build" / "docs-browser" / "site"))
SCREENSHOTS = ROOT / "build" / "docs-browser" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SITE_URL = "https://agent-api.lambda.coredump.ru/"

# This machine and CI have no network: without these, Chromium keeps trying to
# reach Google's services in the background.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# mkdocs-material draws each diagram into a *closed* shadow root, which no
# selector can see into; opening it changes nothing on screen and lets the
# checks find the SVG.
OPEN_SHADOW_ROOTS = """
const attachShadow = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  return attachShadow.call(this, { ...init, mode: "open" });
};
"""

TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


MIN_DIAGRAM_FONT_PX = 11.0
"""The smallest text a diagram may draw, in CSS pixels on screen (the body text is 16)."""

VIEWPORTS = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

# Reads a rendered page and returns what is wrong with its layout, one sentence each.
# Diagrams live in shadow roots (opened by OPEN_SHADOW_ROOTS): searched one by one.
LAYOUT_PROBLEMS = """
(minFontPx) => {
  const problems = [];
  const show = (el) => (el.textContent || "").trim().replace(/\\s+/g, " ").slice(0, 60);
  const visible = (el) => el.getClientRects().length > 0
      && getComputedStyle(el).visibility !== "hidden";
  const overlap = (a, b, slack) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack
      && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  // Two lines of text overlap when they share more than a third of the lower one's height:
  // line boxes include the font's ascent and descent, which adjacent lines may share.
  const collide = (a, b) => overlap(a, b, 1) && Math.min(a.bottom, b.bottom)
      - Math.max(a.top, b.top) > Math.min(a.height, b.height) / 3;
  const textRects = (el, clip) => {
    const rects = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width < 1 || r.height < 1) continue;
        if (clip && !overlap(r, clip, 0)) continue;
        rects.push(clip ? new DOMRect(Math.max(r.left, clip.left), Math.max(r.top, clip.top),
            Math.min(r.right, clip.right) - Math.max(r.left, clip.left),
            Math.min(r.bottom, clip.bottom) - Math.max(r.top, clip.top)) : r);
      }
    }
    return rects;
  };

  // The words (not the spaces between them) of `el` drawn inside `box`, where it shows.
  const wordsUnder = (el, box) => {
    const clip = el.getBoundingClientRect();
    const found = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const whole = document.createRange();
      whole.selectNodeContents(node);
      if (![...whole.getClientRects()].some((r) => overlap(r, box, 0))) continue;
      for (const word of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        for (const r of range.getClientRects()) {
          if (overlap(r, box, 1) && overlap(r, clip, 0)) found.push(word[0]);
        }
      }
    }
    return found;
  };

  // Code blocks: what does not fit must wrap, or scroll with a scrollbar one can see.
  for (const code of document.querySelectorAll("article pre > code")) {
    if (!visible(code)) continue;
    const style = getComputedStyle(code);
    if (code.scrollWidth > code.clientWidth + 1) {
      const scrolls = ["auto", "scroll"].includes(style.overflowX);
      const thumb = style.scrollbarColor.split(" ")[0];
      const hidden = style.scrollbarWidth === "none" || thumb === "transparent"
          || thumb === "rgba(0, 0, 0, 0)";
      if (!scrolls || hidden) {
        problems.push(`code block "${show(code)}" hides ${code.scrollWidth - code.clientWidth}px`
            + ` of its text (overflow-x: ${style.overflowX}, scrollbar: ${style.scrollbarColor})`);
      }
    }
    const button = code.parentElement.querySelector(".md-code__nav, .md-clipboard");
    if (button && visible(button)) {
      const box = button.getBoundingClientRect();
      if (wordsUnder(code, box).length) {
        problems.push(`code block "${show(code)}": text under the copy button`);
      }
    }
  }

  // The navigation: an entry cut short with an ellipsis hides a message's name.
  for (const label of document.querySelectorAll(".md-nav .md-ellipsis")) {
    if (visible(label) && label.scrollWidth > label.clientWidth + 1) {
      problems.push(`navigation entry "${show(label)}" is cut short`);
    }
  }

  // Diagrams: labels apart, and large enough to read.
  document.querySelectorAll("div.mermaid").forEach((host, index) => {
    const svg = (host.shadowRoot || host).querySelector("svg");
    if (!svg) return;
    const labels = [];
    for (const el of svg.querySelectorAll("text, foreignObject")) {
      if (el.parentElement.closest("text, foreignObject") || !show(el)) continue;
      const rects = textRects(el, null);
      if (!rects.length) continue;
      const owner = el.closest("text, foreignObject");
      const scale = owner.getScreenCTM().a;
      const parent = el.tagName === "text" ? el : (el.querySelector("span, p, div") || el);
      const px = parseFloat(getComputedStyle(parent).fontSize) * scale;
      if (px < minFontPx) {
        problems.push(`diagram ${index + 1}: "${show(el)}" is drawn at ${px.toFixed(1)}px`);
      }
      // An HTML label is drawn on its own background: its whole box must stay clear.
      const solid = el.tagName === "foreignObject";
      labels.push({ name: show(el), rects: solid ? [el.getBoundingClientRect()] : rects, solid });
    }
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const hit = labels[i].solid && labels[j].solid ? (a, b) => overlap(a, b, 1) : collide;
        if (labels[i].rects.some((a) => labels[j].rects.some((b) => hit(a, b)))) {
          problems.push(`diagram ${index + 1}: "${labels[i].name}" overlaps "${labels[j].name}"`);
        }
      }
    }
  });
  return problems;
}
"""


DOCS_DIR = ROOT / "docs"


def site_pages() -> list[str]:
    """Every page of the site, as its path under the site's root ("" for the home page).

    Read from docs/ (the site's sources), so that the tests can be listed before a build.
    """
    paths = []
    for source in sorted(DOCS_DIR.rglob("*.md")):
        rel = source.relative_to(DOCS_DIR).with_suffix("").as_posix()
        rel = rel.removesuffix("index").removesuffix("/")
        paths.append(f"{rel}/" if rel else "")
    return paths


def heading(text: str) -> re.Pattern[str]:
    """Match a heading's text, followed by its permalink sign."""
    return re.compile(rf"^{re.escape(text)}\W*$")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the site without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Tab:
    """A browser page, and what it asked for and complained about."""

    page: Page
    base_url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str) -> Page:
        """Load a page of the site and wait until it has settled."""
        response = self.page.goto(self.base_url + path, wait_until="networkidle")
        assert response is not None
        assert response.status == 200, f"{path}: HTTP {response.status}"
        return self.page

    def screenshot(self, name: str) -> None:
        """Save a full-page screenshot under build/docs-browser/screenshots/."""
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    def assert_offline_and_clean(self) -> None:
        """Check that every request stayed on the local server and nothing logged an error."""
        local = urlsplit(self.base_url).netloc
        foreign = [url for url in self.requests if urlsplit(url).netloc not in (local, "")]
        assert foreign == [], "the site must not load anything from outside"
        assert self.errors == []


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """Serve the built site on 127.0.0.1, on a free port."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if not (SITE_DIR / "index.html").is_file():
        pytest.fail(f"no built site in {SITE_DIR}: run `nox -s docs_browser`")
    handler = functools.partial(_QuietHandler, directory=str(SITE_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium from the system, with a fresh profile."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `nox -s docs_browser`, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    """Open a new page in a new browser context, recording requests and errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(OPEN_SHADOW_ROOTS)
    tab = Tab(context.new_page(), base_url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            tab.errors.append(f"console: {message.text}")

    def on_request(request: Request) -> None:
        tab.requests.append(request.url)

    tab.page.on("console", on_console)
    tab.page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
    tab.page.on("request", on_request)
    try:
        yield tab
    finally:
        context.close()


def test_home_page_renders(tab: Tab) -> None:
    page = tab.open("")
    expect(page).to_have_title("Lambda Agent API")
    expect(page.locator("article h1")).to_have_text(heading("Lambda Agent API"))
    expect(page.locator("article")).to_contain_text("python3 -m nox")
    # The navigation leads to the reference and the rules.
    expect(page.locator("nav.md-nav--primary").get_by_text("Protocol rules")).to_have_count(1)
    tab.screenshot("home")
    tab.assert_offline_and_clean()


def test_a_message_page_renders_fields_examples_and_its_schema(tab: Tab) -> None:
    page = tab.open("reference/server/agent_event_end/")
    article = page.locator("article")
    expect(article.locator("h1")).to_have_text(heading("AGENT_EVENT_END"))
    row = article.locator("table tr", has=page.locator("code", has_text="tokens_used"))
    expect(row).to_contain_text("integer")
    expect(row).to_contain_text("yes")
    # The examples are tabs, one per valid fixture: the first is shown, and a click
    # shows another.
    expect(article.locator(".tabbed-block:visible")).to_contain_text('"tokens_used": 1234')
    article.get_by_text("integral_float", exact=True).click()
    expect(article.locator(".tabbed-block:visible")).to_contain_text('"tokens_used": 5.0')
    # The link to the raw schema leads to the file, served at its path in the repository.
    link = article.get_by_role("link", name="server/agent_event_end.json")
    href = link.get_attribute("href")
    assert href is not None
    raw = page.request.get(urljoin(page.url, href))
    assert raw.ok
    assert raw.url == urljoin(tab.base_url, "schema/v1.1/server/agent_event_end.json")
    assert json.loads(raw.text())["title"] == "MsgEventEnd"
    tab.screenshot("message-agent-event-end")
    tab.assert_offline_and_clean()


def test_the_rules_page_has_every_rule_and_draws_the_state_diagram(tab: Tab) -> None:
    page = tab.open("rules/")
    expect(page.locator("article h1")).to_have_text(heading("Protocol rules"))
    for rule in RULES.values():
        # Rule.url links to this anchor: the section must exist and name the rule.
        expect(page.locator(f"h2#{rule.id.lower()}")).to_contain_text(f"{rule.id}: {rule.name}")
    diagram = page.locator("div.mermaid svg")
    expect(diagram).to_have_count(1)
    for state in ("CONNECTING", "IDLE", "RESPONDING", "CLOSED"):
        expect(diagram).to_contain_text(state)
    expect(page.locator("pre.mermaid")).to_have_count(0)
    box = diagram.bounding_box()
    assert box is not None
    assert box["width"] > 100
    assert box["height"] > 100
    diagram.screenshot(path=SCREENSHOTS / "rules-state-diagram.png")
    tab.screenshot("rules")
    tab.assert_offline_and_clean()


def test_sequence_diagrams_become_svg(tab: Tab) -> None:
    page = tab.open("protocol/")
    diagram = page.locator("div.mermaid svg")
    expect(diagram).to_have_count(1)
    expect(diagram).to_contain_text("USER_MESSAGE")
    expect(diagram).to_contain_text("AGENT_EVENT_END")
    tab.screenshot("protocol")
    tab.assert_offline_and_clean()


def test_the_record_and_chat_page_draws_the_proxy(tab: Tab) -> None:
    page = tab.open("cli/record-and-chat/")
    diagram = page.locator("div.mermaid svg")
    expect(diagram).to_have_count(1)
    expect(diagram).to_contain_text("record (proxy)")
    expect(diagram).to_contain_text("USER_MESSAGE")
    tab.screenshot("record-and-chat")
    tab.assert_offline_and_clean()


def test_search_finds_a_message_type(tab: Tab) -> None:
    page = tab.open("")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # Typed key by key, as a person would: the search listens to key events.
    page.locator("input.md-search__input").press_sequentially("AGENT_EVENT_SEND_FILE")
    results = page.locator(".md-search-result__item a")
    expect(results.first).to_be_visible()
    # The best match is the message's own page (search.highlight adds ?h=...), and it opens.
    page_url = re.compile(r"/reference/server/agent_event_send_file/(\?h=[^/]*)?$")
    expect(results.first).to_have_attribute("href", page_url)
    tab.screenshot("search")
    results.first.click()
    expect(page).to_have_url(page_url)
    expect(page.locator("article h1")).to_have_text(heading("AGENT_EVENT_SEND_FILE"))
    tab.assert_offline_and_clean()


def test_schema_files_are_served_where_they_lie(tab: Tab) -> None:
    tab.open("")
    # Every version folder (v1.1/, draft/, ...) is published at its path, with its bundle.
    for version_dir in sorted(p for p in (ROOT / "schema").iterdir() if p.is_dir()):
        for path in sorted(version_dir.rglob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            response = tab.page.request.get(tab.base_url + path.relative_to(ROOT).as_posix())
            assert response.ok, path
            assert json.loads(response.text()) == doc
        folder = f"schema/{version_dir.name}/"
        bundle = tab.page.request.get(tab.base_url + folder + "bundle.json")
        assert bundle.ok, version_dir.name
        assert json.loads(bundle.text())["$id"] == SITE_URL + folder + "bundle.json"
        asyncapi = tab.page.request.get(tab.base_url + f"schema/{version_dir.name}/asyncapi.yaml")
        assert asyncapi.ok, version_dir.name
        assert asyncapi.text() == (version_dir / "asyncapi.yaml").read_text(encoding="utf-8")


def layout_cases() -> list[tuple[str, str]]:
    """(viewport, page): every page at a laptop's width; on a phone, the home page and
    every page with a diagram (code blocks and navigation wrap alike at any width)."""
    phone = [
        path
        for path, source in zip(site_pages(), sorted(DOCS_DIR.rglob("*.md")), strict=True)
        if path == "" or "```mermaid" in source.read_text(encoding="utf-8")
    ]
    return [("laptop", path) for path in site_pages()] + [("phone", path) for path in phone]


@pytest.fixture(scope="module")
def readers(browser: Browser) -> Iterator[dict[str, Page]]:
    """One tab per viewport, opened when first needed and kept: the layout checks only read."""
    tabs: dict[str, Page] = {}
    try:
        yield tabs
    finally:
        for page in tabs.values():
            page.context.close()


def reader(readers: dict[str, Page], browser: Browser, viewport: str) -> Page:
    """Return the tab of a viewport, opening it the first time."""
    if viewport not in readers:
        context = browser.new_context(viewport=VIEWPORTS[viewport])  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        context.add_init_script(OPEN_SHADOW_ROOTS)
        readers[viewport] = context.new_page()
    return readers[viewport]


# The API reference is a page of 900 kB: on a busy machine it takes long to lay out.
PAGE_TIMEOUT_MS = 60_000


@pytest.mark.timeout(150)
@pytest.mark.parametrize(("viewport", "path"), layout_cases())
def test_no_page_hides_text_overlaps_labels_or_shrinks_diagrams(
    readers: dict[str, Page], browser: Browser, base_url: str, viewport: str, path: str
) -> None:
    page = reader(readers, browser, viewport)
    response = page.goto(base_url + path, wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
    assert response is not None
    assert response.status == 200, f"{path}: HTTP {response.status}"
    # Every diagram drawn: mermaid replaces its <pre> with an SVG in a shadow root.
    page.wait_for_function(
        "() => document.readyState === 'complete'"
        " && [...document.querySelectorAll('div.mermaid')].every("
        "(d) => d.shadowRoot && d.shadowRoot.querySelector('svg'))"
        " && !document.querySelector('pre.mermaid')",
        timeout=PAGE_TIMEOUT_MS,
    )
    problems = page.evaluate(LAYOUT_PROBLEMS, MIN_DIAGRAM_FONT_PX)
    if problems:
        name = (path.strip("/") or "home").replace("/", "-")
        page.screenshot(path=SCREENSHOTS / f"layout-{name}-{viewport}.png", full_page=True)
    assert problems == [], f"/{path} ({viewport}):\n" + "\n".join(problems)
