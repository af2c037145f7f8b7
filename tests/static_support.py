"""Shared by the static-page tests: stored outputs, their widget cards, and an offline Chromium.

A widget output is stored by ``make notebooks`` as the card the widget showed when its cell ran
(marked in the output's metadata). These helpers find those cards in a notebook and check that a
page drawn from it shows each one, whole and visible, with or without JavaScript.
"""

from __future__ import annotations

import importlib.util
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from browser_support import CHROMIUM_ARGS
from conftest import IN_CI, require_tool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from execute_notebooks import MARK, WIDGET_VIEW, html_text  # noqa: E402

#: Per nbconvert template, the element that holds one output (without its "Out[n]:" prompt).
OUTPUT_SELECTORS = {"lab": ".jp-OutputArea-child > .jp-OutputArea-output",
                    "classic": ".output_area > .output_subarea"}

__all__ = ["MARK", "WIDGET_VIEW", "OUTPUT_SELECTORS", "html_text", "stored_outputs", "frozen_cards",
           "static_browser", "open_offline", "check_cards_drawn", "text_content"]


def stored_outputs(nb) -> list[dict]:
    """Every output of every code cell, in page order."""
    return [output for cell in nb.cells if cell.cell_type == "code" for output in cell.outputs]


def frozen_cards(nb) -> list[tuple[int, str, str]]:
    """(position among the page's outputs, widget class, stored card) for each widget output."""
    return [(position, output["metadata"][MARK]["widget"], output["data"]["text/html"])
            for position, output in enumerate(stored_outputs(nb))
            if MARK in output.get("metadata", {})]


@pytest.fixture(scope="module")
def static_browser():
    """Debian's Chromium through Playwright, headless, for pages opened from files."""
    if importlib.util.find_spec("playwright") is None:
        message = "the playwright package is not installed (pip install -e '.[test]')"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    chromium = require_tool("chromium", "the static-page tests draw pages in a real browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_offline(browser, url: str, javascript: bool = True):
    """A page whose every request off the file system is refused and recorded: (context, page, tried)."""
    context = browser.new_context(java_script_enabled=javascript,
                                  viewport={"width": 1100, "height": 900})
    tried: list[str] = []

    def refuse(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            tried.append(route.request.url)
            route.abort()

    context.route("**/*", refuse)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, tried


class _Data(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.data: list[str] = []

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def text_content(html: str) -> str:
    """What the DOM's textContent of this HTML is: every text node, hidden ones included."""
    parser = _Data()
    parser.feed(html)
    parser.close()
    return "".join(parser.data)


def check_cards_drawn(page, nb, selector: str, label: str) -> list:
    """Each widget output of ``nb`` is drawn on ``page`` as its stored card; return the elements."""
    drawn = page.locator(selector)
    assert drawn.count() == len(stored_outputs(nb)), f"{label}: one drawn output per stored output"
    elements = []
    for position, name, card in frozen_cards(nb):
        output = drawn.nth(position)
        assert (output.text_content() or "").split() == text_content(card).split(), \
            f"{label} output {position}: the {name} is not drawn as the card of its moment"
        assert output.is_visible(), f"{label} output {position}: the {name} card is hidden"
        box = output.bounding_box()
        assert box is not None and box["height"] > 20, f"{label}: the {name} card is an empty box"
        elements.append(output)
    return elements
