"""Self-check questions (``data/quiz.json``) as values, and the scoring of answers.

Every option carries the reason it is right or wrong, so feedback can explain each choice.
The widget in ``widgets.Quiz`` only shows these; all judging happens here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import SmtpLessonError


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    prompt: str
    reply: str
    source: str
    options: tuple[Option, ...]
    explanation: str
    #: The notebook that teaches what this question asks, e.g. ``"04"``.
    notebook: str = ""
    #: The words that notebook uses for what is asked (a test finds each one there).
    key_terms: tuple[str, ...] = ()
    #: True for the 3 to 5 questions that close their notebook.
    recap: bool = False

    @property
    def answer(self) -> int:
        """Index of the one correct option."""
        return next(i for i, option in enumerate(self.options) if option.correct)


@lru_cache(maxsize=None)
def questions() -> tuple[Question, ...]:
    """All questions, in the order of the data file."""
    text = resources.files("smtplesson").joinpath("data", "quiz.json").read_text("utf-8")
    return tuple(
        Question(
            id=item["id"], topic=item["topic"], prompt=item["prompt"], reply=item["reply"],
            source=item["source"], explanation=item["explanation"],
            notebook=item["notebook"], key_terms=tuple(item["key_terms"]), recap=item.get("recap", False),
            options=tuple(Option(o["text"], bool(o["correct"]), o["why"]) for o in item["options"]),
        )
        for item in json.loads(text)["questions"]
    )


def all_topics() -> tuple[str, ...]:
    """The topics, in first-seen order."""
    return tuple(dict.fromkeys(question.topic for question in questions()))


def select(topics: tuple[str, ...] | list[str] | None = None,
           ids: tuple[str, ...] | list[str] | None = None,
           notebook: str | None = None) -> tuple[Question, ...]:
    """Questions on the given topics, or with the given ids (in that order); all when none given.

    ``notebook="04"`` gives the few questions that close notebook 04 (its recap).
    """
    every = questions()
    if notebook is not None:
        recap = tuple(q for q in every if q.notebook == notebook and q.recap)
        if not recap:
            known = ", ".join(sorted({q.notebook for q in every if q.recap}))
            raise SmtpLessonError(f"no quiz closes notebook {notebook!r}; choose one of {known}",
                                  rule="quiz-notebook")
        return recap
    if ids is not None:
        by_id = {question.id: question for question in every}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise SmtpLessonError(f"no quiz question has the id {unknown[0]!r}", rule="quiz-id")
        return tuple(by_id[i] for i in ids)
    if topics is None:
        return every
    unknown = sorted(set(topics) - set(all_topics()))
    if unknown:
        raise SmtpLessonError(f"no quiz topic {unknown[0]!r}", rule="quiz-topic")
    return tuple(question for question in every if question.topic in topics)


@dataclass(frozen=True)
class Score:
    right: int
    answered: int
    total: int


def score(chosen: dict[str, int], asked: tuple[Question, ...]) -> Score:
    """Score a set of answers: ``chosen`` maps question id to the picked option's index."""
    right = sum(1 for q in asked if q.id in chosen and chosen[q.id] == q.answer)
    answered = sum(1 for q in asked if q.id in chosen)
    return Score(right=right, answered=answered, total=len(asked))
