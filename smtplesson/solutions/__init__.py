"""Worked solutions to the notebooks' exercises: one source, run in CI, hidden until asked for.

The solutions live in one module per notebook (``n03.py`` holds exercises 03.x). Each function
body is what learners see: write it as a notebook cell would be, ending with ``return`` of the
value to show (``return`` is dropped when shown, as a cell shows its last expression).

A notebook's solution cell calls ``show_solution("03.2")``. Its output is a collapsed
``<details>`` block holding the solution's code and what it produced, so the answer stays
hidden in JupyterLab, on nbviewer and on GitHub alike, and is one click away in each. The
code shown is the source of the registered function, so what is shown is exactly what ran.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from html import escape
from typing import Callable

from ..errors import SmtpLessonError
from ..i18n import get_language, t

_SOLUTIONS: dict[str, Callable[[], object]] = {}


def solution(key: str):
    """Register a function as the worked solution of exercise ``key`` (e.g. ``"03.2"``)."""
    def register(function: Callable[[], object]) -> Callable[[], object]:
        _SOLUTIONS[key] = function
        return function
    return register


def keys() -> tuple[str, ...]:
    """Every registered solution key, e.g. ``("01.1", "01.2", …)``."""
    _load_all()
    return tuple(sorted(_SOLUTIONS))


def _load_all() -> None:
    """Import the per-notebook solution modules (``n01.py`` …), which register themselves."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("n"):
            importlib.import_module(f"{__name__}.{module.name}")


def source(key: str) -> str:
    """The body of the solution function, as a learner would type it in a cell."""
    lines = inspect.getsource(_find(key)).splitlines()
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("def ")) + 1:]
    if body and body[0].strip().startswith('"""'):
        body = body[1:]  # the docstring names the exercise; the notebook already does
    lines = textwrap.dedent("\n".join(body)).rstrip().splitlines()
    if lines and lines[-1].startswith("return "):
        lines[-1] = lines[-1][len("return "):]  # in a cell, the last expression is shown
    return "\n".join(lines)


def _find(key: str) -> Callable[[], object]:
    _load_all()
    if key not in _SOLUTIONS:
        raise SmtpLessonError(f"there is no solution {key!r}; known: {', '.join(_SOLUTIONS)}",
                              rule="solution-key")
    return _SOLUTIONS[key]


@dataclass(frozen=True)
class SolutionView:
    """A solution that has run, shown collapsed."""

    key: str
    code: str
    result: object
    lang: str

    def __repr__(self) -> str:
        return f"Solution {self.key} (hidden: open it to see the code and its result)"

    def _result_html(self) -> str:
        if hasattr(self.result, "fallback_html"):  # a lesson widget: its static form
            return self.result.fallback_html()
        if hasattr(self.result, "_repr_html_"):
            return self.result._repr_html_()
        return f"<pre>{escape(repr(self.result))}</pre>"

    def _repr_html_(self) -> str:
        return (
            f'<details class="smtplesson-solution" lang="{self.lang}">'
            f"<summary><b>{escape(t('solution.summary', self.lang, key=self.key))}</b></summary>"
            f'<pre style="background:#f6f8fa;padding:6px"><code>{escape(self.code)}</code></pre>'
            f"<p>{escape(t('solution.result', self.lang))}</p>{self._result_html()}</details>"
        )


def show_solution(key: str) -> SolutionView:
    """Run the worked solution of exercise ``key`` and return it, collapsed, for display."""
    result = _find(key)()
    return SolutionView(key=key, code=source(key), result=result, lang=get_language())

