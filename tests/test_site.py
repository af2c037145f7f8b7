"""`make html`: a static copy of the lesson that reads the same offline, with or without JavaScript."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

from static_support import OUTPUT_SELECTORS, check_cards_drawn, frozen_cards, open_offline, static_browser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_site  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts" / "site"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

__all__ = ["static_browser"]  # the fixture is used by name


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    build_site.build(folder)
    return folder


def test_every_notebook_has_a_page_and_the_index_links_them(site):
    pages = sorted(path.name for path in site.glob("*.html") if path.name != "index.html")
    assert pages == [path.stem + ".html" for path in NOTEBOOKS]
    index = (site / "index.html").read_text()
    for page in pages:
        assert f'href="{page}"' in index


def test_pages_load_nothing_from_elsewhere(site):
    for page in site.glob("*.html"):
        text = page.read_text()
        assert "unpkg.com" not in text and 'src="https://' not in text, page.name
        assert "application/vnd.jupyter.widget" not in text, f"{page.name} draws a saved widget"
        assert not re.search(r'href="\d\d-[\w-]+\.ipynb', text), f"{page.name} links a notebook, not a page"


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_widget_pages_show_every_card_offline(site, static_browser, javascript):
    with_cards = [path for path in NOTEBOOKS if frozen_cards(nbformat.read(path, as_version=4))]
    assert with_cards, "the lesson has widget outputs to check"
    for path in with_cards:
        nb = nbformat.read(path, as_version=4)
        context, page, tried = open_offline(static_browser, (site / f"{path.stem}.html").as_uri(),
                                            javascript)
        try:
            drawn = check_cards_drawn(page, nb, OUTPUT_SELECTORS["lab"], f"site {path.stem}")
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            drawn[0].screenshot(path=str(ARTIFACTS / f"{path.stem}-{'js' if javascript else 'nojs'}.png"))
            assert tried == [], f"{path.stem}: the page tried the network: {tried}"
        finally:
            context.close()


def test_index_opens_offline_and_links_work(site, static_browser):
    context, page, tried = open_offline(static_browser, (site / "index.html").as_uri())
    try:
        page.click("text=00 · Start here")
        page.wait_for_load_state()
        assert page.url.endswith("00-start-here.html")
        assert page.locator("h1").first.inner_text().startswith("00")
        assert tried == []
    finally:
        context.close()
