"""Interactive widgets for the lesson, readable everywhere.

Five widgets: ``CodeExplorer``, ``ContrastCard``, ``LabPanel``, ``Quiz`` and ``ExplainBox``.
Each one

* changes state only through widget values (``.value = …``, ``Button.click()``), and its
  callbacks write HTML values, never print: that keeps strict nbval deterministic;
* carries a ``text/html`` fallback in its display bundle with the same facts as a static card,
  which nbviewer and GitHub show when widget JavaScript is absent (JupyterLab hides it);
* has a language toggle (English, Hindi) and follows ``smtplesson.set_language``;
* shows bad input as a message inside itself: no traceback, no dead widget.
"""

from __future__ import annotations

import functools
from html import escape

import ipywidgets as widgets

from . import cards, quiz
from .catalogue import COMMANDS, all_codes, lookup
from .compare import compare
from .errors import SmtpLessonError
from .explain import explain
from .i18n import LANGUAGE_NAMES, LANGUAGES, check_language, get_language, on_language_change, t

#: The paste ExplainBox starts with: Gmail's answer to a wrong password (2025 wording).
GMAIL_535 = ("535-5.7.8 Username and Password not accepted. For more information, go to\n"
             "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp")
#: Longest free-text search the explorer accepts (a code name is a few words).
MAX_SEARCH = 200

_WIDE = widgets.Layout(width="auto")
_FULL = widgets.Layout(width="100%")
_AUTO_LABEL = {"description_width": "initial"}  # long Hindi labels are never cut off


def _guarded(method):
    """Run a callback; show any failure inside the widget instead of raising into the kernel."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            self.problem.value = ""
            return method(self, *args, **kwargs)
        except SmtpLessonError as error:
            self._show_problem(str(error))
        except Exception as error:  # noqa: BLE001 - nothing a learner does may kill the widget
            self._show_problem(t("widget.unexpected", self.lang,
                                 error=f"{type(error).__name__}: {error}"[:300]))
    return wrapper


class _LessonWidget(widgets.VBox):
    """Shared parts: title, language toggle, problem line, static fallback."""

    _title_key = ""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = check_language(lang)
        self.title = widgets.HTML()
        self.language = widgets.ToggleButtons(
            options=[(LANGUAGE_NAMES[code], code) for code in LANGUAGES], value=self.lang,
            style={"button_width": "auto"}, tooltips=[], layout=_WIDE)
        self.problem = widgets.HTML()
        super().__init__(layout=widgets.Layout(width="100%", max_width="64em"))
        self.add_class("smtplesson-widget")
        self.language.observe(self._language_changed, "value")
        on_language_change(self._follow_language)

    # -- language --
    def _follow_language(self, lang: str) -> None:
        self.language.value = lang

    def _language_changed(self, change) -> None:
        self.lang = change["new"]
        self._relabel()
        self.refresh()

    def _relabel(self) -> None:
        self.title.value = f"<b>{escape(t(self._title_key, self.lang))}</b>"

    # -- content --
    def refresh(self) -> None:
        """Redraw from the current values."""

    def fallback_html(self) -> str:
        """The static version: what nbviewer and GitHub readers see."""
        raise NotImplementedError

    def _show_problem(self, text: str) -> None:
        self.problem.value = (
            '<div class="smtplesson-problem" role="alert" style="color:#a40e26;background:#ffebe9;'
            f'border:1px solid #a40e26;border-radius:4px;padding:4px 8px">⚠ {escape(text)}</div>')

    def _header(self) -> widgets.HBox:
        return widgets.HBox([self.title, self.language],
                            layout=widgets.Layout(justify_content="space-between", width="100%"))

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is not None:
            bundle["text/html"] = self.fallback_html()
        return bundle

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._describe()})"

    def _describe(self) -> str:
        return self.lang


def _set_options(dropdown: widgets.Dropdown, options: list, default) -> None:
    """Replace a dropdown's options (e.g. in another language), keeping its value if still offered."""
    keep = dropdown.value
    dropdown.options = options
    dropdown.value = keep if keep in [value for _, value in options] else default


def _code_options(lang: str, codes=None) -> list[tuple[str, int]]:
    entries = all_codes(lang) if codes is None else codes
    return [(f"{cards.symbol(e.code)} {e.code} {e.name}", e.code) for e in entries]


# --- CodeExplorer --------------------------------------------------------------------------------

class CodeExplorer(_LessonWidget):
    """The catalogue as a table, filtered by class, category, command and free text."""

    _title_key = "explorer.title"

    def __init__(self, code: int = 250, lang: str | None = None) -> None:
        super().__init__(lang)
        lookup(code)  # a bad code fails here, with the rule it broke
        self.reply_class = widgets.Dropdown(style=_AUTO_LABEL, layout=_WIDE)
        self.category = widgets.Dropdown(style=_AUTO_LABEL, layout=_WIDE)
        self.command = widgets.Dropdown(style=_AUTO_LABEL, layout=_WIDE)
        self.search = widgets.Text(style=_AUTO_LABEL, layout=_WIDE, continuous_update=False)
        self.code = widgets.Dropdown(style=_AUTO_LABEL, layout=_WIDE)
        self.count = widgets.HTML()
        self.table = widgets.HTML()
        self.card = widgets.HTML()
        self._chosen = code
        self._busy = False
        self._relabel()
        for control in (self.reply_class, self.category, self.command, self.search):
            control.observe(self._filters_changed, "value")
        self.code.observe(self._code_changed, "value")
        self.children = [
            self._header(),
            widgets.HBox([self.reply_class, self.category, self.command],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.search, self.problem, self.count, self.table, self.code, self.card,
        ]
        self.refresh()

    def _relabel(self) -> None:
        super()._relabel()
        lang = self.lang
        self._busy = True
        try:
            self.reply_class.description = t("explorer.class", lang)
            _set_options(self.reply_class, [(t("explorer.all", lang), 0)] + [
                (f"{cards.CLASS_STYLE[d][0]} {d}yz {t(f'class.{d}', lang)}", d) for d in (2, 3, 4, 5)], 0)
            self.category.description = t("explorer.category", lang)
            _set_options(self.category, [(t("explorer.all", lang), -1)] + [
                (f"x{d}z {t(f'category.{d}', lang)}", d) for d in range(6)], -1)
            self.command.description = t("explorer.command", lang)
            _set_options(self.command, [(t("explorer.all", lang), "")] + [
                (t(f"command.{token}", lang), token) for token in COMMANDS if token != "ANY"], "")
            self.search.description = t("explorer.search", lang)
            self.search.placeholder = t("explorer.search_hint", lang)
            self.code.description = t("explorer.code", lang)
        finally:
            self._busy = False

    def matches(self) -> list:
        """The catalogue entries that pass every filter."""
        words = self.search.value.strip().lower()
        if len(words) > MAX_SEARCH:
            raise SmtpLessonError(t("explorer.search_too_long", self.lang, limit=MAX_SEARCH),
                                  rule="search-length")
        found = []
        for entry in all_codes(self.lang):
            if self.reply_class.value and entry.code // 100 != self.reply_class.value:
                continue
            if self.category.value >= 0 and entry.code // 10 % 10 != self.category.value:
                continue
            if self.command.value and not ({self.command.value, "ANY"} & set(entry.commands)):
                continue
            haystack = " ".join((str(entry.code), entry.name, entry.meaning, entry.when_you_see_it,
                                 entry.how_to_fix, entry.note)).lower()
            if words and words not in haystack:
                continue
            found.append(entry)
        return found

    def _filters_changed(self, change) -> None:
        if not self._busy:
            self.refresh()

    @_guarded
    def _code_changed(self, change) -> None:
        if not self._busy and change["new"] is not None:
            self._chosen = change["new"]
            self.card.value = cards.code_card_html(lookup(self._chosen, self.lang), self.lang)

    @_guarded
    def refresh(self) -> None:
        found = self.matches()
        self._busy = True
        try:
            self.code.options = _code_options(self.lang, found)
            if found and self._chosen not in [entry.code for entry in found]:
                self._chosen = found[0].code
            self.code.value = self._chosen if found else None
        finally:
            self._busy = False
        self.count.value = escape(t("explorer.count", self.lang, n=len(found)))
        self.table.value = self._table_html(found)
        self.card.value = (cards.code_card_html(lookup(self._chosen, self.lang), self.lang)
                           if found else "")

    def _table_html(self, found) -> str:
        lang = self.lang
        if not found:
            return f"<p>{escape(t('explorer.none', lang))}</p>"
        cell = "padding:3px 6px;border:1px solid #d0d7de;vertical-align:top;text-align:left"
        head = "".join(f'<th style="{cell}">{escape(t(key, lang))}</th>' for key in
                       ("explorer.col_code", "explorer.col_name", "explorer.col_after"))
        rows = "".join(
            f'<tr><td style="{cell}">{cards.badge(e.code, lang)}</td>'
            f'<td style="{cell}">{escape(e.name)}</td>'
            f'<td style="{cell}">{escape(", ".join(t(f"command.{c}", lang) for c in e.commands))}</td></tr>'
            for e in found)
        return cards.wrap(f'<table style="border-collapse:collapse"><tr>{head}</tr>{rows}</table>', lang,
                          "explorer")

    def fallback_html(self) -> str:
        found = self.matches()
        card = (cards.code_card_html(lookup(self._chosen, self.lang), self.lang) if found else "")
        return f"{self._table_html(found)}{card}"

    def _describe(self) -> str:
        return f"{self._chosen}, {self.lang}"


# --- ContrastCard --------------------------------------------------------------------------------

class ContrastCard(_LessonWidget):
    """Any two codes side by side on the five facets; 250 versus 535 to begin with."""

    _title_key = "contrast.title"

    def __init__(self, a: int = 250, b: int = 535, lang: str | None = None) -> None:
        super().__init__(lang)
        self._pair = (lookup(a).code, lookup(b).code)  # bad codes fail here, naming the rule
        self.first = widgets.Dropdown(style=_AUTO_LABEL, layout=_WIDE)
        self.second = widgets.Dropdown(style=_AUTO_LABEL, layout=_WIDE)
        self.card = widgets.HTML()
        self._busy = False
        self._relabel()
        self.first.observe(self._pair_changed, "value")
        self.second.observe(self._pair_changed, "value")
        self.children = [self._header(), widgets.HBox([self.first, self.second],
                                                      layout=widgets.Layout(flex_flow="row wrap")),
                         self.problem, self.card]
        self.refresh()

    def _relabel(self) -> None:
        super()._relabel()
        self._busy = True
        try:
            options = _code_options(self.lang)
            known = {value for _, value in options}
            for code in self._pair:  # a code no RFC defines can still be compared
                if code not in known:
                    options.append((f"{cards.symbol(code)} {code} {lookup(code, self.lang).name}", code))
            for dropdown, key, value in ((self.first, "contrast.first", self._pair[0]),
                                         (self.second, "contrast.second", self._pair[1])):
                dropdown.description = t(key, self.lang)
                dropdown.options = options
                dropdown.value = value
        finally:
            self._busy = False

    def _pair_changed(self, change) -> None:
        if not self._busy:
            self._pair = (self.first.value, self.second.value)
            self.refresh()

    @property
    def comparison(self):
        return compare(*self._pair, lang=self.lang)

    @_guarded
    def refresh(self) -> None:
        self.card.value = self.comparison._repr_html_()

    def fallback_html(self) -> str:
        return self.comparison._repr_html_()

    def _describe(self) -> str:
        return f"{self._pair[0]} vs {self._pair[1]}, {self.lang}"


# --- LabPanel ------------------------------------------------------------------------------------

class LabPanel(_LessonWidget):
    """Try a user name and password against a real SMTP server on this computer."""

    _title_key = "lab.title"

    def __init__(self, lab=None, *, user: str = "alice", password: str = "",
                 starttls: bool = False, lang: str | None = None) -> None:
        from .lab import LabServer

        super().__init__(lang)
        self._owns_lab = lab is None
        self.lab = LabServer().start() if lab is None else lab
        self.user = widgets.Text(value=user, style=_AUTO_LABEL, layout=_WIDE)
        self.password = widgets.Password(value=password, style=_AUTO_LABEL, layout=_WIDE)
        self.starttls = widgets.Checkbox(value=starttls, indent=False, layout=_WIDE)
        self.send_button = widgets.Button(button_style="primary", layout=_WIDE)
        self.hint = widgets.HTML()
        self.result = widgets.HTML()
        self.outcome = None
        self._relabel()
        self.send_button.on_click(self._on_send)
        self.children = [self._header(), self.hint,
                         widgets.HBox([self.user, self.password],
                                      layout=widgets.Layout(flex_flow="row wrap")),
                         widgets.HBox([self.starttls, self.send_button]), self.problem, self.result]
        self.refresh()

    def _relabel(self) -> None:
        super()._relabel()
        self.user.description = t("lab.user", self.lang)
        self.password.description = t("lab.password", self.lang)
        self.starttls.description = t("lab.starttls", self.lang)
        self.send_button.description = t("lab.send", self.lang)
        self.hint.value = f'<p style="margin:2px 0">{escape(t("lab.hint", self.lang))}</p>'

    @_guarded
    def _on_send(self, button=None) -> None:
        from .lab import send_mail

        if self._owns_lab and not self.lab.running:
            self.lab.start()
        self.outcome = send_mail(self.lab, self.user.value, self.password.value,
                                 starttls=self.starttls.value)
        self.refresh()

    def refresh(self) -> None:
        self.result.value = self._result_html()

    def _result_html(self) -> str:
        if self.outcome is None:
            return f"<p><i>{escape(t('lab.waiting', self.lang))}</i></p>"
        return cards.outcome_html(self.outcome, self.lang)

    def fallback_html(self) -> str:
        intro = f'<p>{escape(t("lab.hint", self.lang))}</p>'
        return cards.wrap(intro, self.lang, "lab") + self._result_html()

    def _describe(self) -> str:
        verdict = "no session yet" if self.outcome is None else f"last verdict {self.outcome.code}"
        return f"{verdict}, {self.lang}"


# --- Quiz ------------------------------------------------------------------------------------------

class Quiz(_LessonWidget):
    """Multiple-choice self-checks with the reason for every option, and a score."""

    _title_key = "quiz.title"

    def __init__(self, topics=None, ids=None, lang: str | None = None, *, notebook=None) -> None:
        super().__init__(lang)
        self.asked = quiz.select(topics, ids, notebook=notebook)
        if not self.asked:
            raise SmtpLessonError("this quiz would have no questions", rule="quiz-empty")
        self.position = 0
        self.chosen: dict[str, int] = {}
        self.question = widgets.HTML()
        self.choice = widgets.RadioButtons(options=[], value=None, layout=_WIDE)
        self.check = widgets.Button(button_style="primary", layout=_WIDE)
        self.previous = widgets.Button(layout=_WIDE)
        self.next = widgets.Button(layout=_WIDE)
        self.feedback = widgets.HTML()
        self.score = widgets.HTML()
        self._relabel()
        self.check.on_click(self._check)
        self.previous.on_click(lambda _: self._move(-1))
        self.next.on_click(lambda _: self._move(+1))
        self.children = [self._header(), self.question, self.choice,
                         widgets.HBox([self.check, self.previous, self.next]), self.problem,
                         self.feedback, self.score]
        self.refresh()

    def _relabel(self) -> None:
        super()._relabel()
        self.check.description = t("quiz.check", self.lang)
        self.previous.description = t("quiz.previous", self.lang)
        self.next.description = t("quiz.next", self.lang)

    @property
    def current(self) -> quiz.Question:
        return self.asked[self.position]

    def _move(self, step: int) -> None:
        self.position = (self.position + step) % len(self.asked)
        self.refresh()

    @_guarded
    def _check(self, button=None) -> None:
        if self.choice.value is None:
            raise SmtpLessonError(t("quiz.pick", self.lang), rule="quiz-pick")
        self.chosen[self.current.id] = self.choice.value
        self.feedback.value = self._feedback_html(self.current, self.choice.value)
        self.score.value = self._score_html()

    def refresh(self) -> None:
        q = self.current
        self.question.value = self._question_html(q, self.position)
        self.choice.options = [(chr(65 + i), i) for i in range(len(q.options))]
        self.choice.value = self.chosen.get(q.id)
        self.feedback.value = (self._feedback_html(q, self.chosen[q.id]) if q.id in self.chosen
                               else "")
        self.score.value = self._score_html()

    def _question_html(self, q: quiz.Question, index: int) -> str:
        lang = self.lang
        parts = [f'<p style="margin:2px 0;color:#57606a">'
                 f'{escape(t("quiz.position", lang, n=index + 1, total=len(self.asked)))}'
                 f'{escape(t("quiz.english_only", lang))}</p>',
                 f'<p style="margin:4px 0"><b>{escape(q.prompt)}</b></p>']
        if q.reply:
            parts.append('<pre style="margin:4px 0;padding:6px;background:#f6f8fa;'
                         f'white-space:pre-wrap">{escape(q.reply)}</pre>')
            if q.source:
                parts.append(f'<p style="margin:2px 0;font-size:90%;color:#57606a">'
                             f'{escape(t("quiz.source", lang, source=q.source))}</p>')
        parts.append("<ol type=\"A\" style=\"margin:4px 0\">" + "".join(
            f"<li>{escape(option.text)}</li>" for option in q.options) + "</ol>")
        return cards.wrap("".join(parts), lang, "quiz-question")

    def _feedback_html(self, q: quiz.Question, picked: int) -> str:
        lang = self.lang
        right = picked == q.answer
        mark, fg, bg = cards.CLASS_STYLE[2 if right else 5]
        verdict = t("quiz.right" if right else "quiz.wrong", lang)
        rows = "".join(
            f'<li><b>{"✔" if option.correct else "✘"} {chr(65 + i)}</b>'
            f'{" ← " + escape(t("quiz.your_pick", lang)) if i == picked else ""}: '
            f"{escape(option.why)}</li>"
            for i, option in enumerate(q.options))
        body = (f'<p style="margin:4px 0;color:{fg};background:{bg};padding:2px 6px">'
                f'<b>{mark} {escape(verdict)}</b></p><ul style="margin:4px 0">{rows}</ul>'
                f'<p style="margin:4px 0">{escape(q.explanation)}</p>')
        return cards.wrap(body, lang, "quiz-feedback")

    def _score_html(self) -> str:
        result = quiz.score(self.chosen, self.asked)
        return (f'<p style="margin:4px 0"><b>{escape(t("quiz.score", self.lang, right=result.right, answered=result.answered, total=result.total))}'
                "</b></p>")

    def fallback_html(self) -> str:
        """Every question; answered ones with their feedback, the rest with the answer folded away."""
        lang = self.lang
        blocks = [self._score_html()] if self.chosen else []
        for index, q in enumerate(self.asked):
            if q.id in self.chosen:
                blocks.append(self._question_html(q, index) + self._feedback_html(q, self.chosen[q.id])
                              + "<hr>")
                continue
            answer = q.options[q.answer]
            reasons = "".join(f'<li><b>{"✔" if o.correct else "✘"} {chr(65 + i)}</b>: '
                              f"{escape(o.why)}</li>" for i, o in enumerate(q.options))
            blocks.append(
                self._question_html(q, index)
                + f"<details><summary>{escape(t('quiz.show_answer', lang))}</summary>"
                f"<p><b>{chr(65 + q.answer)}</b>: {escape(answer.text)}</p><ul>{reasons}</ul>"
                f"<p>{escape(q.explanation)}</p></details><hr>")
        return cards.wrap("".join(blocks), lang, "quiz")

    def _describe(self) -> str:
        result = quiz.score(self.chosen, self.asked)
        return f"{result.total} questions, {result.right} right of {result.answered}, {self.lang}"


# --- ExplainBox ----------------------------------------------------------------------------------

class ExplainBox(_LessonWidget):
    """Paste any reply, transcript or code; get the explanation."""

    _title_key = "explain.title"

    def __init__(self, text: str = GMAIL_535, lang: str | None = None) -> None:
        super().__init__(lang)
        self.text = widgets.Textarea(value=text, rows=4, layout=_FULL, continuous_update=False)
        self.button = widgets.Button(button_style="primary", layout=_WIDE)
        self.result = widgets.HTML()
        self._relabel()
        self.button.on_click(lambda _: self.refresh())
        self.text.observe(lambda _: self.refresh(), "value")
        self.children = [self._header(), self.text, self.button, self.problem, self.result]
        self.refresh()

    def _relabel(self) -> None:
        super()._relabel()
        self.text.placeholder = t("explain.paste", self.lang)
        self.button.description = t("explain.button", self.lang)

    @_guarded
    def refresh(self) -> None:
        self.result.value = ""
        if not self.text.value.strip():
            raise SmtpLessonError(t("explain.empty", self.lang), rule="empty")
        self.result.value = explain(self.text.value, lang=self.lang)._repr_html_()

    def fallback_html(self) -> str:
        shown = self.text.value if len(self.text.value) <= 2000 else self.text.value[:2000] + "…"
        paste = (f'<pre style="white-space:pre-wrap;background:#f6f8fa;padding:6px">'
                 f"{escape(shown)}</pre>")
        return cards.wrap(paste, self.lang, "explain-input") + (self.result.value or self.problem.value)

    def _describe(self) -> str:
        return f"{len(self.text.value)} characters, {self.lang}"


__all__ = ["CodeExplorer", "ContrastCard", "ExplainBox", "LabPanel", "Quiz", "get_language"]
