"""Self-check questions (``data/quiz.json``) as values, and the scoring of answers.

Every option carries the reason it is right or wrong, so feedback can explain each choice.
The widget in ``widgets.Quiz`` only shows these; all judging happens here.

Languages: each question in the data file holds its English words (``prompt``, each option's
``text`` and ``why``, ``explanation``, ``source``) and, under ``"hi"``, the same words in Hindi,
options in the same order. Everything else (id, topic, which option is right, the quoted ``reply``,
which is the server's text on the wire) is shared. ``questions(lang)`` gives the questions worded
in ``lang``; ``question.in_language(lang)`` rewords one. A question with no words in a language
comes in English, with ``lang == "en"``, so a widget can say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import SmtpLessonError
from .i18n import LANGUAGES, check_language

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
    #: The language of the words: prompt, option texts and reasons, explanation, source.
    lang: str = "en"

    @property
    def answer(self) -> int:
        """Index of the one correct option."""
        return next(i for i, option in enumerate(self.options) if option.correct)

    def in_language(self, lang: str | None = None) -> "Question":
        """This question worded in ``lang`` (default: the current language); English if it has no such words."""
        return _by_id(check_language(lang))[self.id]


def _question(item: dict, lang: str) -> Question:
    """One question of the data file, worded in ``lang`` when the file has those words."""
    words = item.get(lang) if lang != "en" else None
    shown = {**item, **words} if words else item
    texts = words["options"] if words else item["options"]
    return Question(
        id=item["id"], topic=item["topic"], prompt=shown["prompt"], reply=item["reply"],
        source=shown.get("source") or item["source"], explanation=shown["explanation"],
        notebook=item["notebook"], key_terms=tuple(item["key_terms"]), recap=item.get("recap", False),
        options=tuple(Option(text["text"], bool(option["correct"]), text["why"])
                      for option, text in zip(item["options"], texts, strict=True)),
        lang=lang if words or lang == "en" else "en",
    )


@lru_cache(maxsize=None)
def _items() -> tuple[dict, ...]:
    text = resources.files("smtplesson").joinpath("data", "quiz.json").read_text("utf-8")
    return tuple(json.loads(text)["questions"])


@lru_cache(maxsize=None)
def _questions(lang: str) -> tuple[Question, ...]:
    return tuple(_question(item, lang) for item in _items())


@lru_cache(maxsize=None)
def _by_id(lang: str) -> dict[str, Question]:
    return {question.id: question for question in _questions(lang)}


def questions(lang: str | None = None) -> tuple[Question, ...]:
    """All questions, in the order of the data file, worded in ``lang`` (default: the current language)."""
    return _questions(check_language(lang))


def languages(question: Question) -> tuple[str, ...]:
    """The languages this question is worded in."""
    return tuple(lang for lang in LANGUAGES if _by_id(lang)[question.id].lang == lang)


def all_topics() -> tuple[str, ...]:
    """The topics, in first-seen order."""
    return tuple(dict.fromkeys(question.topic for question in questions()))


def select(topics: tuple[str, ...] | list[str] | None = None,
           ids: tuple[str, ...] | list[str] | None = None,
           notebook: str | None = None, lang: str | None = None) -> tuple[Question, ...]:
    """Questions on the given topics, or with the given ids (in that order); all when none given.

    ``notebook="04"`` gives the few questions that close notebook 04 (its recap). The questions
    are worded in ``lang`` (default: the current language).
    """
    every = questions(lang)
    if notebook is not None:
        recap = tuple(q for q in every if q.notebook == notebook and q.recap)
        if not recap:
            known = ", ".join(sorted({q.notebook for q in every if q.recap}))
            raise SmtpLessonError.of("error.quiz.notebook", rule="quiz-notebook",
                                     notebook=notebook, known=known)
        return recap
    if ids is not None:
        by_id = {question.id: question for question in every}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise SmtpLessonError.of("error.quiz.id", rule="quiz-id", id=unknown[0])
        return tuple(by_id[i] for i in ids)
    if topics is None:
        return every
    unknown = sorted(set(topics) - set(all_topics()))
    if unknown:
        raise SmtpLessonError.of("error.quiz.topic", rule="quiz-topic", topic=unknown[0])
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
