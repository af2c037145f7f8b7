"""The series as a class meets it: order, honest times, short notebooks, quiz and glossary.

The timing rule (00 says the same under "How the series works"):

* **Reading**: about 150 words a minute. Counted: every Markdown cell (except the Hindi blocks,
  which repeat the English objectives and key points for Hindi readers) and the text of every
  visible output (HTML tags and styles dropped). Not counted: the hidden worked solutions, and
  the quiz cards (their questions are timed below).
* **Doing**: 4 minutes per exercise, 3 per "Your turn" step, 1 per quiz question asked.
* The stated ``**Time:** T minutes (R reading, D exercises)``: D is exactly the doing minutes,
  R is within 2 minutes (or 20%) of the words / 150, T = R + D, and T is the series list's time.
"""

from __future__ import annotations

import ast
import html
import json
import re
from pathlib import Path

import pytest

from smtplesson import compare, glossary, quiz, series
from smtplesson.solutions import keys as solution_keys
from smtplesson.solutions import source as solution_source

ROOT = Path(__file__).parent.parent
NOTEBOOKS = {path.stem: path for path in sorted((ROOT / "notebooks").glob("*.ipynb"))}
WORDS_PER_MINUTE = 150
MINUTES_PER_EXERCISE = 4
MINUTES_PER_YOUR_TURN = 3
MINUTES_PER_QUESTION = 1
MAX_CELLS = 45
HINDI_BLOCK = re.compile(r'<div lang="hi">.*?</div>', re.S)
YOUR_TURN = re.compile(r"#{2,3} Your turn · ")
TIME_LINE = re.compile(r"\*\*Time:\*\* (\d+) minutes \((\d+) reading, (\d+) exercises\)")


# --- the counting rule --------------------------------------------------------------------------

def load(stem: str) -> dict:
    return json.loads(NOTEBOOKS[stem].read_text("utf-8"))


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


def html_text(markup: str) -> str:
    """What a reader sees of an HTML output: no styles, scripts or tags; entities decoded."""
    markup = re.sub(r"(?is)<(style|script)\b.*?</\1>", " ", markup)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", markup))


def _is_quiz(cell: dict) -> bool:
    return "Quiz(" in _text(cell["source"])


def _is_solution(cell: dict) -> bool:
    return "solution" in cell.get("metadata", {}).get("tags", [])


def visible_text(nb: dict) -> list[str]:
    """Markdown (without Hindi blocks) and visible output text, cell by cell."""
    parts = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append(HINDI_BLOCK.sub(" ", _text(cell["source"])))
            continue
        if _is_solution(cell) or _is_quiz(cell):
            continue
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                parts.append(_text(output["text"]))
            elif "data" in output:
                data = output["data"]
                if "text/html" in data:
                    parts.append(html_text(_text(data["text/html"])))
                elif "text/plain" in data:
                    parts.append(_text(data["text/plain"]))
    return parts


def words(nb: dict) -> int:
    return sum(len(part.split()) for part in visible_text(nb))


def exercises(nb: dict) -> int:
    return sum(1 for cell in nb["cells"] if cell["cell_type"] == "markdown"
               and re.match(r"### Exercise \d\d\.\d+ · ", _text(cell["source"])))


def your_turns(nb: dict) -> int:
    return sum(1 for cell in nb["cells"] if cell["cell_type"] == "markdown"
               and YOUR_TURN.match(_text(cell["source"])))


def quiz_questions(nb: dict) -> set[str]:
    """The distinct questions the notebook's Quiz cells ask."""
    asked: set[str] = set()
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or {"exercise", "solution"} & set(cell.get("metadata", {}).get("tags", [])):
            continue
        code = "\n".join(line for line in _text(cell["source"]).splitlines() if not line.lstrip().startswith("#"))
        for call in re.findall(r"Quiz\(([^)]*)\)", code):
            arguments = ast.parse(f"f({call})").body[0].value
            options = {keyword.arg: ast.literal_eval(keyword.value) for keyword in arguments.keywords}
            asked |= {q.id for q in quiz.select(options.get("topics"), options.get("ids"),
                                                notebook=options.get("notebook"))}
    return asked


def minutes(nb: dict) -> tuple[int, int]:
    """(reading minutes by the rule, doing minutes by the rule)."""
    reading = max(1, round(words(nb) / WORDS_PER_MINUTE))
    doing = (MINUTES_PER_EXERCISE * exercises(nb) + MINUTES_PER_YOUR_TURN * your_turns(nb)
             + MINUTES_PER_QUESTION * len(quiz_questions(nb)))
    return reading, doing


# --- the series ---------------------------------------------------------------------------------

def test_the_notebooks_are_the_series_list():
    assert list(NOTEBOOKS) == [lesson.stem for lesson in series.lessons()]
    for lesson in series.lessons():
        title = _text(load(lesson.stem)["cells"][0]["source"]).splitlines()[0]
        assert title == f"# {lesson.heading}"


def test_start_here_shows_the_series_table_from_the_data():
    sources = [_text(cell["source"]) for cell in load("00-start-here")["cells"]]
    assert any(series.table_markdown() in source for source in sources)


def test_the_readme_shows_the_same_series_table():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert series.table_markdown("notebooks/") in readme, "regenerate README's table (see its comment)"


@pytest.fixture(params=[lesson.stem for lesson in series.lessons()])
def stem(request):
    return request.param


def test_navigation_line_comes_from_the_series_list(stem):
    last = _text(load(stem)["cells"][-1]["source"])
    assert last.rstrip().split("\n---\n")[-1].strip() == series.navigation_markdown(stem)


def test_stated_time_follows_the_written_rule(stem):
    nb = load(stem)
    match = TIME_LINE.search(_text(nb["cells"][0]["source"]))
    assert match, "the opening cell states '**Time:** T minutes (R reading, D exercises)'"
    total, reading, doing = map(int, match.groups())
    expected_reading, expected_doing = minutes(nb)
    assert doing == expected_doing, (f"{stem}: {exercises(nb)} exercises, {your_turns(nb)} Your-turn "
                                     f"steps, {len(quiz_questions(nb))} questions")
    assert abs(reading - expected_reading) <= max(2, round(0.2 * expected_reading)), (
        f"{stem}: {words(nb)} words read as {expected_reading} minutes, stated {reading}")
    assert total == reading + doing
    assert series.lesson(stem).minutes == total


def test_each_notebook_is_short(stem):
    assert len(load(stem)["cells"]) <= MAX_CELLS


def test_each_facet_of_250_vs_535_is_shown_in_full_at_most_once(stem):
    text = " ".join(" ".join(visible_text(load(stem))).split())
    comparison = compare(250, 535)
    facets = []
    for row in comparison.facets:
        facets += [row.a] if row.shared else [row.a, row.b]
    assert len(facets) == 8
    for facet in facets:
        assert text.count(" ".join(facet.split())) <= 1, f"{stem} repeats: {facet[:60]}…"


def test_prose_tables_are_left_aligned(stem):
    for cell in load(stem)["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in _text(cell["source"]).splitlines():
            if re.fullmatch(r"\s*\|[\s:|-]+\|\s*", line) and "-" in line:
                cells = [part.strip() for part in line.strip().strip("|").split("|")]
                assert all(part.startswith(":") and not part.endswith(":") for part in cells), line


def test_objectives_and_key_points_also_in_hindi(stem):
    cells = load(stem)["cells"]
    for cell in (cells[0], cells[-1]):
        block = HINDI_BLOCK.search(_text(cell["source"]))
        assert block, f"{stem}: a <div lang=\"hi\"> block"
        devanagari = sum(1 for char in block.group(0) if "\u0900" <= char <= "\u097f")
        assert devanagari > 100
    assert "**Learning objectives.**" in _text(cells[0]["source"])


# --- the learner acts ---------------------------------------------------------------------------

@pytest.mark.parametrize("number", ["02", "03", "04", "05", "06"])
def test_your_turn_predict_act_check(number):
    """Each "Your turn" has a prediction cell, an action, and a check whose stored line is true."""
    stem = series.lesson(number).stem
    cells = load(stem)["cells"]
    steps = [i for i, cell in enumerate(cells)
             if cell["cell_type"] == "markdown" and YOUR_TURN.match(_text(cell["source"]))]
    assert steps, f"{stem} has a Your turn step"
    for start in steps:
        following = [_text(cell["source"]) for cell in cells[start + 1:start + 6]]
        assert any("my_prediction" in source and "= ..." in source for source in following), \
            "the learner writes a prediction"
        check = next(cell for cell in cells[start + 1:start + 6] if "check_prediction(" in _text(cell["source"]))
        shown = " ".join(visible_text({"cells": [check]}))
        assert shown.strip().startswith("… Nothing to check yet:"), "under Run All nothing was done yet"
    assert number != "04" or len(steps) >= 2, "in 04 the learner makes both the 535 and the 250"


def test_no_cell_on_run_alls_path_stops_a_lab(stem):
    for cell in load(stem)["cells"]:
        if cell["cell_type"] == "code" and not _is_solution(cell):
            assert ".stop()" not in _text(cell["source"]), f"{stem}: labs stop with the kernel"


def _assigned(code: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(code)):
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.For):  # (a comprehension's names stay inside it)
            targets = [node.target]
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            targets = [node.optional_vars]
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def test_worked_solutions_never_rebind_the_learners_names(stem):
    learner = set()
    for cell in load(stem)["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and not {"solution", "exercise"} & set(tags):
            source = _text(cell["source"])  # (an exercise's starter names are the solution's to share)
            learner |= _assigned("\n".join(line for line in source.splitlines()
                                           if not line.lstrip().startswith("%")))
    for key in solution_keys():
        if key.startswith(stem[:2]):
            clash = _assigned(solution_source(key)) & learner
            assert not clash, f"solution {key} rebinds {sorted(clash)}, which the notebook uses"


# --- quiz ---------------------------------------------------------------------------------------

def test_every_question_is_tagged_with_the_notebook_that_teaches_it():
    numbers = {lesson.number for lesson in series.lessons()}
    for question in quiz.questions():
        assert question.notebook in numbers and question.notebook not in ("00", "08"), question.id
        assert question.key_terms, question.id
        text = " ".join(visible_text(load(series.lesson(question.notebook).stem))).lower()
        for term in question.key_terms:
            assert term.lower() in text, f"{question.id}: '{term}' is not taught in {question.notebook}"


@pytest.mark.parametrize("number", ["01", "02", "03", "04", "05", "06"])
def test_notebooks_end_with_three_to_five_of_their_own_questions(number):
    recap = quiz.select(notebook=number)
    assert 3 <= len(recap) <= 5
    cells = load(series.lesson(number).stem)["cells"]
    closing = [_text(cell["source"]) for cell in cells[-4:] if cell["cell_type"] == "code"]
    assert any(f'Quiz(notebook="{number}")' in source for source in closing)


def test_the_self_check_asks_every_question():
    assert quiz_questions(load("08-self-check")) == {q.id for q in quiz.questions()}


def test_questions_on_internals_the_lesson_does_not_teach_are_gone():
    text = json.dumps([q.__dict__ for q in quiz.questions()], default=str)
    for internal in ("Controller", "auth_require_tls", "tls_context", "auth_required=True"):
        assert internal not in text


# --- glossary -----------------------------------------------------------------------------------

def test_start_here_shows_the_glossary_from_the_data():
    sources = [_text(cell["source"]) for cell in load("00-start-here")["cells"]]
    assert glossary.markdown() in sources


def test_each_terms_first_use_links_to_its_glossary_entry(stem):
    cells = [_text(cell["source"]) for cell in load(stem)["cells"] if cell["cell_type"] == "markdown"]
    unlinked = [f"{use.term.term} (cell {use.cell}: '{use.text}')"
                for use in glossary.first_uses(cells) if not use.linked]
    assert not unlinked, f"{stem}: first uses without a glossary link: {unlinked}"
    anchors = {term.anchor for term in glossary.terms()}
    into_glossary = r"\]\(#([^)]+)\)" if stem == "00-start-here" else r"\]\(00-start-here\.ipynb#([^)]+)\)"
    for source in cells:
        for anchor in re.findall(into_glossary, source):
            assert anchor in anchors, f"{stem}: a link to a glossary entry that does not exist: {anchor}"
    if stem == "00-start-here":  # each entry is a heading whose id is the anchor
        headings = re.findall(r"^#### (.+)$", glossary.markdown(), re.M)
        assert [heading.replace(" ", "-") for heading in headings] == [t.anchor for t in glossary.terms()]
