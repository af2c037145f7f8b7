"""The lesson in a real browser: JupyterLab in headless Chromium, used as a learner would.

One JupyterLab server (127.0.0.1, random token, a temporary copy of notebooks/) and one Chromium
serve the whole module. For every notebook: open it with ``?reset``, Edit ▸ Clear Outputs of All
Cells, Kernel ▸ Restart Kernel and Run All Cells…, confirm, wait; then check that every code cell
ran, in order, with no error or stderr on the page, and that every widget is a live widget (not
its static text/html fallback). Then drive the widgets in a scratch notebook: the contrast
dropdown, the Hindi toggle, a wrong and a right password in the lab panel, a quiz answer.

Screenshots of each step go to test-artifacts/browser/ (git-ignored), with the server's log.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import re
import time
from pathlib import Path

import nbformat
import pytest

from browser_support import (CHROMIUM_ARGS, JupyterLabServer, copy_notebooks,
                             scratch_notebook)
from conftest import IN_CI, require_tool

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"

SCRATCH = "browser-widgets.ipynb"
SCRATCH_CELLS = [  # one widget per cell, so each test drives its own instance
    "from smtplesson.widgets import ContrastCard, LabPanel, Quiz",
    "pair = ContrastCard()\npair",
    "hindi = ContrastCard()\nhindi",
    "panel = LabPanel()\npanel",
    "quiz = Quiz()\nquiz",
    "panel_hi = LabPanel()\npanel_hi",
]
PAIR_CELL, HINDI_CELL, PANEL_CELL, QUIZ_CELL, PANEL_HI_CELL = 1, 2, 3, 4, 5
CONTRAST_NOTEBOOK = "04-250-vs-535.ipynb"

STEP = 30_000          # ms: one click, one widget round trip through the kernel
OPEN_TIMEOUT = 90_000  # ms: JupyterLab loads and the kernel is ready
RUN_TIMEOUT = 240_000  # ms: restart and run every cell of one notebook
RENDER_TIMEOUT = 30_000  # ms: widget views appear after the last cell ran

#: The notebook panel in front, read through JupyterLab's own model (the server runs with
#: --LabApp.expose_app_in_browser): kernel status, every code cell's execution count and
#: error outputs. Hidden-input cells (worked solutions) show no input prompt, so the DOM alone
#: cannot say whether they ran.
NOTEBOOK_STATE = """() => {
  const app = window.jupyterapp;
  const panel = app && app.shell.currentWidget;
  if (!panel || !panel.content || !panel.content.model || !panel.sessionContext) return null;
  const model = panel.content.model;
  const counts = [];
  let errors = 0;
  for (let i = 0; i < model.cells.length; i++) {
    const cell = model.cells.get(i);
    if (cell.type !== 'code') continue;
    counts.push(cell.executionCount);
    for (let j = 0; j < cell.outputs.length; j++) {
      if (cell.outputs.get(j).type === 'error') errors++;
    }
  }
  const session = panel.sessionContext;
  return {path: panel.context.path, ready: session.isReady, status: session.kernelDisplayStatus,
          cells: model.cells.length, rendered: panel.content.widgets.length, counts, errors};
}"""

#: What the page shows, cell by cell: the outputs' mime types, live widget views and texts.
PAGE_CELLS = """() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(cell => ({
  code: cell.classList.contains('jp-CodeCell'),
  outputs: [...cell.querySelectorAll('.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output')]
    .map(out => ({
      mime: out.getAttribute('data-mime-type'),
      live: out.querySelector(':scope > .jupyter-widgets') !== null,
      lesson: out.querySelectorAll(':scope > .smtplesson-widget').length,
      html: out.querySelectorAll('.widget-html').length,
      text: (out.textContent || '').slice(0, 300),
    })),
}))"""


def require_playwright() -> None:
    if importlib.util.find_spec("playwright") is None:
        message = "the playwright package is not installed (pip install -e '.[test]')"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def expect(target):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


def committed_outputs(path: Path) -> list[dict]:
    """Per cell of the committed notebook: is it code, how many widget and other outputs."""
    cells = []
    for cell in nbformat.read(path, as_version=4).cells:
        outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
        # make notebooks stores each widget as its card and marks it; live, it is a widget again
        widgets = sum("smtplesson" in output.get("metadata", {}) for output in outputs)
        cells.append({"code": cell.cell_type == "code", "widgets": widgets,
                      "outputs": len(outputs), "source": cell.source[:60]})
    return cells


def bring_into_view(page, locator) -> None:
    """Scroll until ``locator`` is on screen and painted. Cells use content-visibility:auto, so
    cells above it grow from their placeholder size while the notebook scrolls: try a few times."""
    on_top_half = """node => { const box = node.getBoundingClientRect();
                                return box.top >= 0 && box.top < window.innerHeight / 2; }"""
    for _ in range(6):
        locator.evaluate("node => node.scrollIntoView({block: 'start'})")
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        if locator.evaluate(on_top_half):
            return


def shoot(page, artifacts, name: str, widget=None) -> None:
    """A screenshot of the page, with ``widget`` scrolled into view and painted first."""
    if widget is not None:
        bring_into_view(page, widget)
    page.screenshot(path=artifacts / f"{name}.png")


@contextlib.contextmanager
def screenshot_on_failure(page, artifacts, name: str):
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=artifacts / f"FAILED-{name}.png", timeout=10_000)
        raise


# --- fixtures: one server, one browser for the module --------------------------------------------

@pytest.fixture(scope="module")
def chromium_path():
    path = require_tool("chromium", "the browser tests drive JupyterLab in Debian's chromium")
    require_playwright()
    return path


@pytest.fixture(scope="module")
def artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="module")
def jupyterlab(chromium_path, artifacts, tmp_path_factory):
    base = tmp_path_factory.mktemp("browser")
    root = base / "notebooks"
    copy_notebooks(ROOT / "notebooks", root)
    (root / SCRATCH).write_text(json.dumps(scratch_notebook(SCRATCH_CELLS), indent=1))
    server = JupyterLabServer(root, base / "jupyter")
    try:
        server.start()
        yield server
    finally:
        server.stop()
        log = server.log(tail=200_000).replace(server.token, "TOKEN")
        (artifacts / "jupyterlab.log").write_text(log)


@pytest.fixture(scope="module")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True,
                                             args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@contextlib.contextmanager
def learner_page(browser, jupyterlab, artifacts, name: str):
    """A fresh browser context on one notebook; on failure a screenshot; then its kernel is shut."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-US")
    context.set_default_timeout(STEP)
    context.set_default_navigation_timeout(OPEN_TIMEOUT)
    page = context.new_page()
    page.lesson_problems = []  # uncaught errors in the page, checked by check_page
    page.on("pageerror", lambda error: page.lesson_problems.append(str(error)))
    try:
        with screenshot_on_failure(page, artifacts, Path(name).stem):
            open_notebook(page, jupyterlab, name)
            yield page
    finally:
        with contextlib.suppress(Exception):
            context.close()
        jupyterlab.shutdown_kernels()


# --- what a learner does ------------------------------------------------------------------------

def open_notebook(page, jupyterlab, name: str) -> None:
    page.goto(jupyterlab.url(f"/lab/tree/{name}", reset=""))
    page.wait_for_function(
        f"""name => {{ const s = ({NOTEBOOK_STATE})();
            return s && s.path === name && s.ready && s.status === 'idle' && s.rendered === s.cells; }}""",
        arg=name, timeout=OPEN_TIMEOUT, polling=200)
    side = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if side.count():
        side.first.click()  # fold the file browser away: more notebook in each screenshot


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(top)}$")).click()
    page.get_by_role("menuitem", name=re.compile(rf"^{re.escape(item)}")).click()


def restart_and_run_all(page) -> dict:
    """Edit ▸ Clear Outputs of All Cells, then Kernel ▸ Restart Kernel and Run All Cells…"""
    menu(page, "Edit", "Clear Outputs of All Cells")
    expect(page.locator(".jp-NotebookPanel .jp-OutputArea-output")).to_have_count(0, timeout=STEP)
    menu(page, "Kernel", "Restart Kernel and Run All Cells")
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Restart Kernel?", timeout=STEP)
    dialog.locator(".jp-mod-accept").click()
    expect(dialog).to_have_count(0, timeout=STEP)
    started = time.monotonic()
    try:
        page.wait_for_function(
            f"""() => {{ const s = ({NOTEBOOK_STATE})();
                return s && (s.status === 'dead' || (s.status === 'idle' &&
                             (s.errors > 0 || s.counts.every(c => c !== null)))); }}""",
            timeout=RUN_TIMEOUT, polling=250)
    except Exception as error:  # a timeout: say how far it got
        state = page.evaluate(NOTEBOOK_STATE)
        pytest.fail(f"run all did not finish in {RUN_TIMEOUT / 1000:.0f} s: {state}\n{error}")
    state = page.evaluate(NOTEBOOK_STATE)
    state["seconds"] = round(time.monotonic() - started, 1)
    return state


def page_cells(page) -> list[dict]:
    return page.evaluate(PAGE_CELLS)


def wait_for_widgets(page, expected: int) -> None:
    """Give widget views time to render; the assertions afterwards say what is missing."""
    if not expected:
        return
    with contextlib.suppress(Exception):
        page.wait_for_function(
            """n => document.querySelectorAll(
                 '.jp-Notebook .jp-OutputArea-output > .smtplesson-widget .widget-html').length > 0
               && document.querySelectorAll(
                 '.jp-Notebook .jp-OutputArea-output > .smtplesson-widget').length >= n""",
            arg=expected, timeout=RENDER_TIMEOUT, polling=250)


def check_ran(state: dict, codes: int) -> None:
    """Every code cell ran once, in order, after the restart, and the kernel is idle."""
    assert state["status"] == "idle", f"kernel ended {state['status']}: {state}"
    assert state["errors"] == 0, f"{state['errors']} cell(s) raised an error: {state}"
    assert state["counts"] == list(range(1, codes + 1)), (
        f"every code cell should run once, in order, after the restart: {state['counts']}")


def check_page(page, expected: list[dict]) -> None:
    """Nothing on the page is an error; each widget output is a live lesson widget, no fallback."""
    wait_for_widgets(page, sum(cell["widgets"] for cell in expected))
    shown = page_cells(page)
    assert len(shown) == len(expected), f"the page shows {len(shown)} cells, the notebook has {len(expected)}"
    stderr = [output["text"] for cell in shown for output in cell["outputs"]
              if output["mime"] == "application/vnd.jupyter.stderr"]
    assert not stderr, f"error or stderr output on the page: {stderr}"
    assert page.locator(".jp-Notebook .smtplesson-problem").count() == 0, "a widget shows a problem"
    for index, (want, got) in enumerate(zip(expected, shown)):
        where = f"cell {index} ({want.get('source', '')!r})"
        assert want["code"] == got["code"], f"{where}: cell types differ"
        assert bool(got["outputs"]) == bool(want["outputs"]), (
            f"{where}: {len(got['outputs'])} outputs on the page, {want['outputs']} committed")
        for output in got["outputs"]:
            assert "Error displaying widget" not in output["text"], f"{where}: {output['text']}"
        live = [output for output in got["outputs"] if output["live"]]
        if not want["widgets"]:
            assert not live, f"{where}: an unexpected widget"
            continue
        assert len(live) == want["widgets"], (
            f"{where}: {want['widgets']} live widget(s) expected, the page shows "
            f"{[(o['mime'], o['text'][:80]) for o in got['outputs']]}")
        for output in live:
            assert output["lesson"] == 1 and output["html"] > 0, (
                f"{where}: the live widget is empty or not a lesson widget: {output}")
        static = [output for output in got["outputs"] if not output["live"]]
        assert len(static) == want["outputs"] - want["widgets"], (
            f"{where}: a static output (the text/html fallback?) next to the live widget: "
            f"{[(o['mime'], o['text'][:80]) for o in static]}")
    assert not page.lesson_problems, f"uncaught errors in the page: {page.lesson_problems}"


# --- every notebook, run from a clean kernel in the browser ---------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_clean_in_jupyterlab(path, browser, jupyterlab, artifacts):
    expected = committed_outputs(path)
    with learner_page(browser, jupyterlab, artifacts, path.name) as page:
        state = restart_and_run_all(page)
        try:
            check_ran(state, sum(cell["code"] for cell in expected))
            check_page(page, expected)
        finally:
            page.screenshot(path=artifacts / f"{path.stem}.png")
            first_widget = page.locator(".jp-OutputArea-output > .jupyter-widgets").first
            if any(cell["widgets"] for cell in expected) and first_widget.count():
                shoot(page, artifacts, f"{path.stem}-widget", first_widget)


# --- the widgets, driven by hand -------------------------------------------------------------------

@pytest.fixture(scope="module")
def widgets_page(browser, jupyterlab, artifacts):
    with learner_page(browser, jupyterlab, artifacts, SCRATCH) as page:
        check_ran(restart_and_run_all(page), len(SCRATCH_CELLS))
        yield page  # each test checks that its own widget rendered


def widget_in_cell(page, index: int):
    """The live lesson widget that a scratch cell shows, once it has rendered its parts."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    output = cell.locator(".jp-OutputArea-output")
    expect(output).to_have_count(1, timeout=STEP)
    widget = output.locator(":scope > .smtplesson-widget")
    try:
        expect(widget.locator(".widget-html").first).to_be_attached(timeout=RENDER_TIMEOUT)
        rendered = True
    except AssertionError:
        rendered = False
    if not rendered:
        bring_into_view(page, cell)  # for the FAILED- screenshot
        pytest.fail(f"cell {index} ({SCRATCH_CELLS[index]!r}) shows no live lesson widget: "
                    f"{output.evaluate('node => node.innerHTML.slice(0, 400)')!r}")
    widget.scroll_into_view_if_needed()
    return widget


@pytest.mark.slow
def test_contrast_card_dropdown_changes_the_pair(widgets_page, artifacts):
    page = widgets_page
    with screenshot_on_failure(page, artifacts, "widget-contrast"):
        card = widget_in_cell(page, PAIR_CELL)
        badges = card.locator(".smtplesson-comparison .smtplesson-badge")
        expect(badges.first).to_contain_text("250")
        first = card.locator(".widget-dropdown select").first
        labels = first.locator("option").all_inner_texts()
        label = next(text for text in labels if re.search(r"(^|\s)530\s", text))
        first.select_option(label=label)
        expect(badges.first).to_contain_text("530", timeout=STEP)
        expect(badges.nth(1)).to_contain_text("535")
        expect(card.locator(".smtplesson-comparison")).not_to_contain_text("250 ·")
        shoot(page, artifacts, "widget-1-contrast-530-vs-535", card)


@pytest.mark.slow
def test_contrast_card_switches_to_hindi(widgets_page, artifacts):
    page = widgets_page
    with screenshot_on_failure(page, artifacts, "widget-hindi"):
        card = widget_in_cell(page, HINDI_CELL)
        card.locator(".widget-toggle-buttons button", has_text="हिन्दी").click()
        comparison = card.locator(".smtplesson-comparison")
        expect(comparison).to_have_attribute("lang", "hi", timeout=STEP)
        heading = comparison.locator("th", has_text="विवरण")
        expect(heading).to_have_count(1)
        heading.scroll_into_view_if_needed()
        expect(heading).to_be_visible()
        expect(card.locator(".widget-toggle-buttons button.mod-active")).to_have_text("हिन्दी")
        shoot(page, artifacts, "widget-2-contrast-hindi", card)
        card.screenshot(path=artifacts / "widget-2-contrast-hindi-card.png")


@pytest.mark.slow
def test_lab_panel_wrong_password_535_then_right_password_250(widgets_page, artifacts):
    page = widgets_page
    with screenshot_on_failure(page, artifacts, "widget-lab"):
        panel = widget_in_cell(page, PANEL_CELL)
        password = panel.locator(".widget-text input[type=password]")  # ipywidgets 8: no .widget-password
        send = panel.locator("button.jupyter-button", has_text="Send")
        verdict = panel.locator(".smtplesson-verdict")
        password.fill("not-the-password")
        send.click()
        expect(verdict).to_contain_text("535", timeout=STEP)
        shoot(page, artifacts, "widget-3-lab-535", panel)
        password.fill("wonderland")
        send.click()
        expect(verdict).to_contain_text("250", timeout=STEP)
        expect(verdict).not_to_contain_text("535")
        shoot(page, artifacts, "widget-4-lab-250", panel)


@pytest.mark.slow
def test_quiz_right_answer_says_right_and_scores(widgets_page, artifacts):
    from smtplesson.quiz import questions

    page = widgets_page
    with screenshot_on_failure(page, artifacts, "widget-quiz"):
        quiz = widget_in_cell(page, QUIZ_CELL)
        right = questions()[0].answer
        quiz.locator(".widget-radio-box input[type=radio]").nth(right).check()
        quiz.locator("button.jupyter-button", has_text="Check").click()
        feedback = quiz.locator(".smtplesson-quiz-feedback")
        expect(feedback).to_contain_text("Right", timeout=STEP)
        expect(feedback).not_to_contain_text("Not quite")
        expect(quiz).to_contain_text(re.compile(r"Score: 1 right of 1 answered"))
        shoot(page, artifacts, "widget-5-quiz-feedback", quiz)


@pytest.mark.slow
def test_lab_panel_verdict_turns_hindi_after_a_535(widgets_page, artifacts):
    page = widgets_page
    with screenshot_on_failure(page, artifacts, "widget-lab-hindi"):
        panel = widget_in_cell(page, PANEL_HI_CELL)
        panel.locator(".widget-text input[type=password]").fill("not-the-password")
        panel.locator("button.jupyter-button", has_text="Send").click()
        verdict = panel.locator(".smtplesson-verdict")
        expect(verdict).to_contain_text("535", timeout=STEP)
        panel.locator(".widget-toggle-buttons button", has_text="हिन्दी").click()
        expect(verdict).to_contain_text("फ़ैसला", timeout=STEP)
        expect(verdict).to_contain_text("535")
        text = verdict.inner_text()
        letters = [c for c in text if c.isalpha()]
        devanagari = [c for c in letters if "\u0900" <= c <= "\u097f"]
        assert len(devanagari) > len(letters) / 2, f"the verdict is not in Hindi: {text!r}"
        shoot(page, artifacts, "widget-6-lab-hindi", panel)


# --- the learner's own steps in notebook 04 ----------------------------------------------------------

def first_lab_panel(page):
    """The first live LabPanel on the page: the one with a password box and a Send button."""
    panel = page.locator(".jp-Notebook .jp-OutputArea-output > .smtplesson-widget").filter(
        has=page.locator("input[type=password]")).first
    expect(panel.locator(".widget-html").first).to_be_attached(timeout=RENDER_TIMEOUT)
    bring_into_view(page, panel)
    return panel


def send_and_expect(panel, password: str, code: str) -> None:
    panel.locator(".widget-text input[type=password]").fill(password)
    panel.locator("button.jupyter-button", has_text="Send").click()
    expect(panel.locator(".smtplesson-verdict")).to_contain_text(code, timeout=STEP)


@pytest.mark.slow
def test_learner_makes_the_535_and_the_250_in_notebook_04(browser, jupyterlab, artifacts):
    with learner_page(browser, jupyterlab, artifacts, CONTRAST_NOTEBOOK) as page:
        check_ran(restart_and_run_all(page), sum(cell["code"] for cell in committed_outputs(
            ROOT / "notebooks" / CONTRAST_NOTEBOOK)))
        panel = first_lab_panel(page)
        send_and_expect(panel, "not-the-password", "535")
        shoot(page, artifacts, "04-learner-535", panel)
        send_and_expect(panel, "wonderland", "250")
        expect(panel.locator(".smtplesson-verdict")).not_to_contain_text("535")
        shoot(page, artifacts, "04-learner-250", panel)
        # Run All again (nothing on its path may stop the lab a panel needs), then Send again.
        check_ran(restart_and_run_all(page), sum(cell["code"] for cell in committed_outputs(
            ROOT / "notebooks" / CONTRAST_NOTEBOOK)))
        panel = first_lab_panel(page)
        send_and_expect(panel, "wonderland", "250")
        assert page.locator(".jp-Notebook .smtplesson-problem").count() == 0
        shoot(page, artifacts, "04-after-run-all-250", panel)
