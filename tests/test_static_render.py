"""Every stored output reads true on a static page, with and without JavaScript.

Each notebook is exported the way nbviewer and ``jupyter nbconvert --to html`` export it (the
``lab`` and ``classic`` templates, their script slots pointed at a local stub so nothing reaches
a CDN), then opened in Chromium twice: with JavaScript, and with JavaScript off (as GitHub shows
a page). For every widget output, the page must draw the card the widget gave when its cell ran
(the text stored in the notebook, which strict nbval checks against a live run), visible and not
empty. A saved widget view would instead be drawn in its final state, or as an empty box with
scripts off; none may be stored. Screenshots go to test-artifacts/static/.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from static_support import (MARK, OUTPUT_SELECTORS, WIDGET_VIEW, check_cards_drawn, frozen_cards,
                            html_text, open_offline, static_browser, stored_outputs)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "static"

__all__ = ["static_browser"]  # the fixture is used by name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_no_widget_view_is_stored_only_cards(path):
    nb = nbformat.read(path, as_version=4)
    assert "widgets" not in nb.metadata, "saved widget state would be drawn in its final state"
    for output in stored_outputs(nb):
        assert WIDGET_VIEW not in output.get("data", {}), f"{path.name}: a stored widget view"
        if MARK in output.get("metadata", {}):
            assert html_text(output["data"].get("text/html", "")).strip(), \
                f"{path.name}: a widget output without its card"


def test_the_lesson_has_widget_cards_to_check():
    """Without widget cards in the lesson, the browser checks below could pass by finding nothing."""
    counts = [len(frozen_cards(nbformat.read(path, as_version=4))) for path in NOTEBOOKS]
    assert sum(counts) >= 5 and sum(1 for count in counts if count) >= 3


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """Each notebook exported with each template: {(stem, template): (page path, notebook)}."""
    from nbconvert import HTMLExporter

    folder = tmp_path_factory.mktemp("static")
    (folder / "stub.js").write_text("/* a local stand-in: the test allows no network */\n")
    exported = {}
    for template in OUTPUT_SELECTORS:
        exporter = HTMLExporter(template_name=template, require_js_url="stub.js",
                                mathjax_url="stub.js", jquery_url="stub.js")
        for path in NOTEBOOKS:
            nb = nbformat.read(path, as_version=4)
            body, _ = exporter.from_notebook_node(nb)
            assert WIDGET_VIEW not in body, f"{path.name}: the {template} page would draw a saved widget"
            page = folder / f"{path.stem}-{template}.html"
            page.write_text(body, encoding="utf-8")
            exported[path.stem, template] = (page, nb)
    return exported


@pytest.mark.slow
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("template", OUTPUT_SELECTORS)
@pytest.mark.parametrize("stem", [path.stem for path in NOTEBOOKS])
def test_each_widget_output_shows_the_card_of_its_moment(static_browser, pages, stem, template,
                                                         javascript):
    page_path, nb = pages[stem, template]
    context, page, _ = open_offline(static_browser, page_path.as_uri(), javascript)
    try:
        drawn = check_cards_drawn(page, nb, OUTPUT_SELECTORS[template], f"{stem} ({template})")
        if drawn and template == "lab":
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            mode = "js" if javascript else "nojs"
            drawn[0].screenshot(path=str(ARTIFACTS / f"{stem}-{template}-{mode}.png"))
    finally:
        context.close()
