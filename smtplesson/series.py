"""The lesson series as data (``data/series.json``): one place for titles, order and times.

00's table, the README's table, every notebook's navigation line and the tests all read this
list, so adding a notebook (such as 07) is one entry here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import SmtpLessonError

#: The notebook every navigation line links as "Contents".
CONTENTS = "00-start-here"


@dataclass(frozen=True)
class Lesson:
    """One notebook of the series: file stem, title, what you learn, and its stated minutes."""

    stem: str
    title: str
    learn: str
    minutes: int

    @property
    def number(self) -> str:
        """The two-digit number, e.g. ``"04"``."""
        return self.stem[:2]

    @property
    def file(self) -> str:
        return f"{self.stem}.ipynb"

    @property
    def heading(self) -> str:
        """``"04 · 250 versus 535"``: the notebook's title line without the ``#``."""
        return f"{self.number} · {self.title}"


@lru_cache(maxsize=None)
def lessons() -> tuple[Lesson, ...]:
    """Every notebook of the series, in order."""
    text = resources.files("smtplesson").joinpath("data", "series.json").read_text("utf-8")
    return tuple(Lesson(**item) for item in json.loads(text)["lessons"])


def lesson(name: str) -> Lesson:
    """The lesson a learner means by ``"04"`` or ``"04-250-vs-535"``."""
    for item in lessons():
        if name in (item.number, item.stem, item.file):
            return item
    raise SmtpLessonError(f"no lesson {name!r}; the series is {', '.join(i.number for i in lessons())}",
                          rule="lesson-name")


def table_markdown(link_prefix: str = "") -> str:
    """The series as a left-aligned Markdown table (00 and the README show it)."""
    rows = ["| Notebook | You learn | Time |", "|:--|:--|:--|"]
    rows += [f"| [{item.heading}]({link_prefix}{item.file}) | {item.learn} | {item.minutes} min |"
             for item in lessons()]
    return "\n".join(rows)


def navigation_markdown(stem: str) -> str:
    """The last line of a notebook: previous, contents, next."""
    items = lessons()
    index = [item.stem for item in items].index(lesson(stem).stem)
    parts = []
    if index > 0:
        before = items[index - 1]
        parts.append(f"[← {before.heading}]({before.file})")
    parts.append(f"[Contents]({CONTENTS}.ipynb)")
    if index < len(items) - 1:
        after = items[index + 1]
        parts.append(f"[{after.heading} →]({after.file})")
    return " · ".join(parts)
