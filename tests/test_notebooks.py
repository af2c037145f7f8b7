"""The notebooks as files: lesson skeleton, hygiene, links, static rendering, widget fallbacks.

Strict nbval (run by ``make test`` over ``notebooks/``) re-executes every cell and compares its
outputs; these tests check what nbval does not: that the lesson reads right without a kernel.
"""

import re
from pathlib import Path

import nbformat
import pytest

from smtplesson import series, solutions

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
SERIES = [lesson.stem for lesson in series.lessons()]  # the one list: smtplesson/data/series.json
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def load(path):
    return nbformat.read(path, as_version=4)


def test_the_series_is_complete_and_in_order():
    assert [path.stem for path in NOTEBOOKS] == SERIES


@pytest.fixture(params=NOTEBOOKS, ids=lambda path: path.stem)
def notebook(request):
    return request.param, load(request.param)


def test_opening_cell_has_title_time_prerequisites_objectives(notebook):
    path, nb = notebook
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    text = first.source
    assert re.match(rf"# {path.stem[:2]} · \S", text), "title: '# NN · Title'"
    assert re.search(r"\*\*Time:\*\* \d+ minutes \(\d+ reading, \d+ exercises\)", text)
    assert "**Prerequisites:**" in text
    objectives = text.split("**Learning objectives.**", 1)[1]
    assert len(re.findall(r"^- \w", objectives, re.M)) >= 3


def test_closing_cell_has_key_points_and_navigation(notebook):
    path, nb = notebook
    last = nb.cells[-1]
    assert last.cell_type == "markdown" and last.source.startswith("## Key points")
    assert len(re.findall(r"^- \S", last.source, re.M)) >= 3
    index = SERIES.index(path.stem)
    links = re.findall(r"\]\(([^)#]+\.ipynb)\)", last.source.split("---")[-1])
    if index > 0:
        assert f"{SERIES[index - 1]}.ipynb" in links
    if index < len(SERIES) - 1:
        assert f"{SERIES[index + 1]}.ipynb" in links
    assert "00-start-here.ipynb" in links


def test_exercises_have_a_starter_and_a_hidden_solution_that_exists(notebook):
    path, nb = notebook
    found = 0
    for i, cell in enumerate(nb.cells):
        match = re.match(r"### Exercise (\d\d\.\d+) · ", cell.source) if cell.cell_type == "markdown" else None
        if not match:
            continue
        found += 1
        key = match.group(1)
        assert key.startswith(path.stem[:2])
        starter, hidden = nb.cells[i + 1], nb.cells[i + 2]
        assert starter.cell_type == "code" and "exercise" in starter.metadata.get("tags", [])
        assert hidden.source == f'show_solution("{key}")'
        assert hidden.metadata.get("jupyter", {}).get("source_hidden") is True
        assert "solution" in hidden.metadata.get("tags", [])
        html = hidden.outputs[0]["data"]["text/html"]
        assert html.startswith('<details class="smtplesson-solution"'), "collapsed in every viewer"
        assert key in solutions.keys()
    assert found >= 1, "every notebook has at least one exercise"


def test_every_solution_is_used_by_a_notebook():
    used = set()
    for path in NOTEBOOKS:
        for cell in load(path).cells:
            used |= set(re.findall(r'show_solution\("([\d.]+)"\)', cell.source))
    assert used == set(solutions.keys())


@pytest.mark.parametrize("key", solutions.keys())
def test_each_solution_runs_and_shows_its_code(key):
    view = solutions.show_solution(key)
    html = view._repr_html_()
    assert "<details" in html and "</details>" in html
    assert "return " not in view.code.splitlines()[-1]
    compile(view.code, key, "exec")  # what learners see is valid Python


def test_kernelspec_and_execution_hygiene(notebook):
    path, nb = notebook
    assert nb.metadata.kernelspec.name == "python3"
    counts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if cell.execution_count is None:
            assert not cell.outputs, f"{path.name}: an unexecuted cell has stored outputs"
        else:
            counts.append(cell.execution_count)
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name}: a stored error"
            assert output.get("name") != "stderr", f"{path.name}: stderr in a stored output"
    assert counts == list(range(1, len(counts) + 1)), "executed top to bottom, once"


def test_widget_outputs_are_stored_as_their_cards(notebook):
    """make notebooks keeps each widget's card of its moment, never a view drawn from final state."""
    path, nb = notebook
    assert "widgets" not in nb.metadata, f"{path.name}: saved widget state (run make notebooks)"
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            assert WIDGET_VIEW not in data, f"{path.name}: a stored widget view (run make notebooks)"
            if "smtplesson" in output.get("metadata", {}):
                assert data.get("text/html", "").strip(), f"{path.name}: a widget without its card"


def test_no_patterns_that_break_strict_nbval(notebook):
    path, nb = notebook
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        assert "interact(" not in source and "interactive(" not in source
        assert "Output(" not in source
        assert not source.rstrip().endswith(";"), f"{path.name}: a trailing ; hides nothing under nbval"
        assert "set_language(" not in source, "set_language would change every later cell"


def test_internal_links_resolve(notebook):
    path, nb = notebook
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"\]\(([^)]+)\)", cell.source):
            if target.startswith(("http://", "https://", "#", "mailto:")):
                continue
            assert (path.parent / target.split("#")[0]).exists(), f"{path.name}: broken link {target}"


def test_renders_to_html_like_nbviewer_and_github(notebook):
    from nbconvert import HTMLExporter

    path, nb = notebook
    html, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    assert "<html" in html and "Traceback" not in html
    first_heading = nb.cells[0].source.splitlines()[0].lstrip("# ").strip()
    assert first_heading.split(" · ")[1] in html
    assert WIDGET_STATE not in html and WIDGET_VIEW not in html, "no widget is drawn from saved state"
