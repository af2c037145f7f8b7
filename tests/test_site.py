"""`make html`: a static copy of the lesson that renders in Chromium with no network at all."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from conftest import IN_CI, require_tool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "site"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def require_playwright():
    if importlib.util.find_spec("playwright") is None:
        message = "the playwright package is not installed (pip install -e '.[test]')"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not (build_site.NPM_DIR / "node_modules").is_dir():
        require_tool("npm", "make html fetches the widget renderer once with npm")
    folder = tmp_path_factory.mktemp("site")
    build_site.build(folder)
    return folder


def test_every_notebook_has_a_page_and_the_index_links_them(site):
    pages = sorted(path.name for path in site.glob("*.html") if path.name != "index.html")
    assert pages == [path.stem + ".html" for path in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    index = (site / "index.html").read_text()
    for page in pages:
        assert f'href="{page}"' in index
    assert (site / "vendor" / "html-manager" / "embed-amd.js").is_file()
    assert (site / "vendor" / "require.js").is_file()


def test_pages_load_nothing_from_a_cdn(site):
    for page in site.glob("*.html"):
        text = page.read_text()
        assert "unpkg.com" not in text and 'src="https://' not in text, page.name
        assert 'src="vendor/require.js"' in text or page.name == "index.html"
        assert not re.search(r'href="\d\d-[\w-]+\.ipynb', text), f"{page.name} links a notebook, not a page"


@pytest.fixture(scope="module")
def browser():
    require_playwright()
    chromium = require_tool("chromium", "the static-site test renders pages in a real browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def offline_page(browser, url, javascript=True):
    """A page whose every non-file request is refused and recorded."""
    context = browser.new_context(java_script_enabled=javascript)
    context.set_offline(True)
    attempts = []

    def refuse(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            attempts.append(route.request.url)
            route.abort()

    context.route("**/*", refuse)
    page = context.new_page()
    page.goto(url)
    return context, page, attempts


def test_widgets_render_from_saved_state_offline(site, browser):
    context, page, attempts = offline_page(browser, (site / "04-250-vs-535.html").as_uri())
    try:
        page.wait_for_selector(".widget-dropdown select", timeout=30_000)
        cards = page.locator(".widget-html").filter(has_text="Key difference")
        assert cards.count() >= 1
        assert cards.first.is_visible()
        assert page.locator(".widget-dropdown select").first.input_value().startswith("✔ 235")  # the saved pair
        assert page.locator("noscript").count() >= 1  # the static cards are there, unused
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "04-with-javascript.png"), full_page=False)
        assert attempts == [], f"the page tried the network: {attempts}"
    finally:
        context.close()


def test_without_javascript_the_static_fallback_is_shown(site, browser):
    context, page, attempts = offline_page(browser, (site / "04-250-vs-535.html").as_uri(),
                                           javascript=False)
    try:
        fallback = page.locator(".smtplesson-static").filter(has_text="Key difference").first
        assert fallback.is_visible()
        assert "✘ 535" in fallback.inner_text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "04-without-javascript.png"), full_page=False)
        assert attempts == []
    finally:
        context.close()


def test_index_opens_offline_and_links_work(site, browser):
    context, page, attempts = offline_page(browser, (site / "index.html").as_uri())
    try:
        page.click("text=00 · Start here")
        page.wait_for_load_state()
        assert page.url.endswith("00-start-here.html")
        assert page.locator("text=One contrast, seen for real").count() == 1
        assert attempts == []
    finally:
        context.close()
