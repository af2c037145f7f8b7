"""Re-execute the lesson notebooks in place and store outputs a reader can trust (``make notebooks``).

Each notebook runs top to bottom in a fresh ``python3`` kernel from inside ``notebooks/``, as a
learner would run it. Then:

* every widget output is stored as its static card: the ``text/html`` the widget gave when it was
  displayed. The widget-view data and the notebook's widget state are not stored, because every
  viewer (nbviewer, GitHub, nbconvert, ``make html``) would draw a saved widget in its *final*
  state, under every cell that showed it, and with scripts off as an empty box;
* the run fails if one widget is displayed twice, if a later cell changes a widget already on
  screen, or if a widget has no card: a reader would see something the learner did not;
* the changes in what each cell shows are printed as text (volatile values such as ports and
  widget ids ignored), so a reviewer sees a changed fact before committing it.

Cell timings are not stored (they change on every run), and the kernelspec is the standard python3.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
#: Where a stored output says it is a widget's saved card (nbval ignores output metadata).
MARK = "smtplesson"
#: The same volatile-value rules nbval uses when it compares outputs.
SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"

#: Run in the kernel after the last cell: each displayed widget's card as it is *now*.
CARDS_NOW = """
import json as _json
try:
    from ipywidgets.widgets.widget import _instances as _widgets
except ImportError:  # ipywidgets 7
    from ipywidgets import Widget as _W
    _widgets = _W.widgets
_now = {}
for _id in %s:
    _w = _widgets.get(_id)
    _bundle = _w._repr_mimebundle_() if _w is not None else None
    _now[_id] = (_bundle or {}).get("text/html") if _w is not None else None
print(_json.dumps(_now))
"""


class NotebookStoryError(Exception):
    """What a reader would see differs from what the learner saw: the notebook needs a change."""


@dataclass(frozen=True)
class WidgetOutput:
    cell: int
    model_id: str
    name: str
    card: str


def _widget_outputs(notebook) -> list[WidgetOutput]:
    found = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                plain = data.get("text/plain", "")
                name = re.match(r"\w+", plain).group(0) if re.match(r"\w+", plain) else "widget"
                found.append(WidgetOutput(index, data[WIDGET_VIEW]["model_id"], name,
                                          data.get("text/html", "")))
    return found


def check_story(notebook, cards_now: dict[str, str | None]) -> None:
    """Refuse widgets shown twice, changed after they were shown, or without a static card."""
    problems = []
    seen: dict[str, int] = {}
    for output in _widget_outputs(notebook):
        if output.model_id in seen:
            problems.append(f"cell {output.cell} shows the {output.name} of cell "
                            f"{seen[output.model_id]} again: display a new widget for each moment")
            continue
        seen[output.model_id] = output.cell
        if not output.card.strip():
            problems.append(f"cell {output.cell}: the {output.name} has no static card (text/html)")
        elif cards_now.get(output.model_id) not in (None, output.card):
            problems.append(f"cell {output.cell}: a later cell changed the {output.name} shown here, "
                            "so this output no longer shows what the learner saw")
    if problems:
        raise NotebookStoryError("\n".join(problems))


def freeze(notebook) -> int:
    """Store each widget output as its card; drop the widget state. Returns how many were frozen."""
    frozen = 0
    for output in (o for cell in notebook.cells for o in cell.get("outputs", [])):
        data = output.get("data", {})
        if WIDGET_VIEW in data:
            plain = data.get("text/plain", "")
            name = re.match(r"\w+", plain)
            del data[WIDGET_VIEW]
            output.setdefault("metadata", {})[MARK] = {"widget": name.group(0) if name else "widget"}
            frozen += 1
    notebook.metadata.pop("widgets", None)
    return frozen


# --- what changed, as a reader sees it -------------------------------------------------------------

class _Text(HTMLParser):
    """Visible text of an HTML card, one block per line (styles and scripts dropped)."""

    BLOCKS = {"p", "div", "tr", "li", "br", "h1", "h2", "h3", "h4", "pre", "summary", "table"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    text = "".join(parser.parts)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def _sanitizers() -> list[tuple[re.Pattern, str]]:
    """The (regex, replacement) pairs of nbval's sanitize file, in order."""
    pairs, regex = [], None
    for raw in SANITIZE.read_text().splitlines():
        if raw.startswith("regex:"):
            regex = raw.split(":", 1)[1].strip()
        elif raw.startswith("replace:") and regex is not None:
            pairs.append((re.compile(regex), raw.split(":", 1)[1].strip()))
            regex = None
    return pairs


def visible_text(cell, sanitizers) -> str:
    """What a reader sees under a code cell, as text, with volatile values replaced."""
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif output.get("output_type") == "error":
            parts.append(f"{output.get('ename')}: {output.get('evalue')}")
        else:
            data = output.get("data", {})
            if "text/html" in data:
                parts.append(html_text(data["text/html"]))
            elif "text/plain" in data:
                parts.append(data["text/plain"])
    text = "\n".join(parts)
    for pattern, replacement in sanitizers:
        text = pattern.sub(replacement, text)
    return text


def changes(before, after) -> list[str]:
    """A readable diff of each code cell whose visible output changed (matched by cell id)."""
    sanitizers = _sanitizers()
    old = {cell.get("id"): cell for cell in before.cells if cell.cell_type == "code"}
    report = []
    for index, cell in enumerate(after.cells):
        if cell.cell_type != "code":
            continue
        previous = old.get(cell.get("id"))
        was = visible_text(previous, sanitizers) if previous is not None else ""
        now = visible_text(cell, sanitizers)
        if was == now:
            continue
        first = (cell.source.strip().splitlines() or [""])[0][:70]
        diff = difflib.unified_diff(was.splitlines(), now.splitlines(), "before", "after",
                                    lineterm="", n=1)
        report.append(f"  cell {index} ({first}):\n" + "\n".join(
            f"    {line}" for line in list(diff)[2:]))
    return report


# --- running -----------------------------------------------------------------------------------------

def execute(path: Path) -> list[str]:
    """Run one notebook, check its story, freeze its widgets, write it; return what changed."""
    before = nbformat.read(path, as_version=4)
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata["kernelspec"] = KERNELSPEC
    notebook.metadata.pop("widgets", None)
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=300, store_widget_state=False,
        record_timing=False, resources={"metadata": {"path": str(path.parent)}},
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        ids = [output.model_id for output in _widget_outputs(notebook)]
        probe = nbformat.v4.new_code_cell(CARDS_NOW % json.dumps(ids))
        notebook.cells.append(probe)  # nbclient stores a cell's outputs by its index
        try:
            client.execute_cell(probe, len(notebook.cells) - 1, store_history=False)
        finally:
            notebook.cells.pop()
    streams = [o for o in probe.outputs if o.get("output_type") == "stream"]
    cards_now = json.loads("".join(o["text"] for o in streams) or "{}")
    check_story(notebook, cards_now)
    frozen = freeze(notebook)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    print(f"executed {path.name}: {len(notebook.cells)} cells, {frozen} widget outputs stored as cards")
    return changes(before, notebook)


def main(argv: list[str]) -> int:
    paths = [Path(arg) for arg in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    failed = 0
    for path in paths:
        try:
            changed = execute(path)
        except NotebookStoryError as error:
            failed += 1
            print(f"NOT WRITTEN {path.name}: a static reader would not see what the learner saw:\n"
                  f"{error}", file=sys.stderr)
            continue
        if changed:
            print(f"what a reader sees changed in {path.name}:")
            print("\n".join(changed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
