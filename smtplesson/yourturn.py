""""Your turn" steps: the learner predicts, acts on the live lab, and one line checks the prediction.

``check_prediction(prediction, happened, todo=...)`` compares what the learner wrote with what
really happened. When nothing has happened yet (as under Run All, or on a static page) it says
so, and what to do: that line is true wherever it is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .i18n import check_language, t

#: What a learner's prediction cell holds until they write something.
NOT_WRITTEN = ...
_NO_REPLY = {"no reply", "none", "no code", "nothing"}


@dataclass(frozen=True)
class Check:
    """The one-line result of a "Your turn" step."""

    state: str  # "waiting", "no_prediction", "right" or "wrong"
    line: str
    lang: str = "en"

    @property
    def right(self) -> bool:
        return self.state == "right"

    def __repr__(self) -> str:
        return self.line

    def _repr_html_(self) -> str:
        return (f'<p class="smtplesson-yourturn smtplesson-yourturn-{self.state}" lang="{self.lang}" '
                f'style="margin:4px 0;font-weight:600">{escape(self.line)}</p>')


def _normalise(value: object) -> object:
    """A learner may write 535 or "535"; "no reply" (or None) means no reply code came back."""
    if value is None:
        return "no reply"
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _NO_REPLY:
            return "no reply"
        if text.isdigit():
            return int(text)
        return text
    return value


def _code_of(happened) -> object:
    """The reply code that decided a session (an Outcome, a LabPanel's last send, a Transcript)."""
    outcome = getattr(happened, "outcome", happened)  # a LabPanel holds its last Outcome
    if outcome is None:
        return None
    if hasattr(outcome, "exchanges"):  # a Transcript from dialogue(): the last reply before QUIT
        replies = [e.reply.code for e in outcome.exchanges if e.verb != "QUIT"]
        return replies[-1] if replies else "no reply"
    return "no reply" if outcome.code is None else outcome.code


def check_prediction(prediction: object, happened: object, *, todo: str, count: int | None = None,
                     lang: str | None = None) -> Check:
    """Compare a prediction with what happened: the deciding reply code, or with ``count``, how
    many replies with that code the session had. ``happened`` None means nothing was done yet."""
    lang = check_language(lang)
    if count is None:
        actual = _code_of(happened)
    else:
        outcome = getattr(happened, "outcome", happened)
        transcript = getattr(outcome, "transcript", outcome)
        actual = None if transcript is None else sum(
            1 for e in transcript.exchanges if e.reply.code == count)
    if actual is None:
        return Check("waiting", t("yourturn.waiting", lang, todo=todo), lang)
    shown = t("yourturn.no_reply", lang) if actual == "no reply" else str(actual)
    if prediction is NOT_WRITTEN or prediction == "":
        return Check("no_prediction", t("yourturn.no_prediction", lang, actual=shown), lang)
    if _normalise(prediction) == actual:
        return Check("right", t("yourturn.right", lang, actual=shown), lang)
    return Check("wrong", t("yourturn.wrong", lang, prediction=prediction, actual=shown), lang)
