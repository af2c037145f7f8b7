"""Interactive widgets for the lesson, readable everywhere.

Five widgets: ``CodeExplorer``, ``ContrastCard``, ``LabPanel``, ``Quiz`` and ``ExplainBox``.
Each one

* changes state only through widget values (``.value = …``, ``Button.click()``), and its
  callbacks write HTML values, never print: that keeps strict nbval deterministic;
* carries its static card (``fallback_html``) as the ``text/html`` of its display bundle: the
  same facts as on screen, under one line saying it is a saved copy and to run the cell. It is
  what ``make notebooks`` stores, and what a page without a kernel shows;
* has a language toggle (English, Hindi) and follows ``smtplesson.set_language``; a switch
  redraws everything it shows, a verdict or a message on screen included;
* checks its arguments before it builds anything, so a widget that fails to build leaves nothing
  behind and never follows ``set_language``;
* shows bad input as a message inside itself: no traceback, no dead widget. Its controls take
  what a learner types (``card.first.value = "535"``) and answer anything else with the choices
  they offer, not with a traitlets ``TraitError``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from html import escape

import ipywidgets as widgets
import traitlets

from . import cards, quiz
from .catalogue import COMMANDS, all_codes, lookup
from .compare import compare
from .errors import LabError, SmtpLessonError
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
            self._clear_problem()
            return method(self, *args, **kwargs)
        except SmtpLessonError as error:
            self._show_problem(str(error))
        except Exception as error:  # noqa: BLE001 - nothing a learner does may kill the widget
            self._show_problem(t("widget.unexpected", self.lang,
                                 error=f"{type(error).__name__}: {error}"[:300]))
    return wrapper


# --- controls that take what a learner types --------------------------------------------------------

def _shown(value: object) -> str:
    """A value as the learner would have typed it, cut short if long."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _choose(control, value):
    """The offered value a learner meant by ``value`` (535, "535", " 535 ", a label), else complain.

    A value that is not offered leaves the control as it was and puts a message naming the
    choices inside the lesson widget; a control outside a lesson widget raises as ipywidgets does.
    """
    values = getattr(control, "_options_values", ())
    if value is None:
        if control.none_ok or not values:
            return None
    else:
        candidates = [value]
        if isinstance(value, str):
            typed = value.strip()
            candidates += [typed, typed.lower(), typed.upper()]
            if typed.lstrip("+-").isdigit():
                candidates.append(int(typed))
            labels = control._options_labels
            if typed in labels:
                return values[labels.index(typed)]
        elif isinstance(value, float) and value.is_integer():
            candidates.append(int(value))
        for candidate in candidates:
            for offered in values:  # True is not 1 here: a tick is not a code
                if isinstance(candidate, bool) == isinstance(offered, bool) and candidate == offered:
                    return offered
    if control.complain is None:
        raise traitlets.TraitError(f"Invalid selection: {_shown(value)} is not offered")
    names = (control._options_labels if control.show_labels
             else [repr(v) if isinstance(v, str) else str(v) for v in values])
    control.complain("widget.not_offered", value=_shown(value), choices=", ".join(names))
    return control.value


class _ChoiceValue(traitlets.Any):
    """A selection's value, checked by ``_choose`` (None included: traitlets lets None through
    unchecked when a trait allows it, so this one does not, and ``_choose`` decides)."""

    allow_none = False  # Any allows None at class level, and __init__ cannot switch that off

    def __init__(self) -> None:
        super().__init__(None, help="Selected value")

    def validate(self, obj, value):
        return _choose(obj, value)


class _Dropdown(widgets.Dropdown):
    """A Dropdown that takes 535 or "535" for the option 535 and answers anything else in words."""

    value = _ChoiceValue()
    complain = None  # set by the lesson widget: complain(key, **values) shows a message in it
    none_ok = False  # whether None (nothing chosen) is a value the lesson itself sets
    show_labels = False


class _RadioButtons(widgets.RadioButtons):
    """RadioButtons that take an option's value or its label ("B"), and answer anything else."""

    value = _ChoiceValue()
    complain = None
    none_ok = True
    show_labels = True


class _ToggleButtons(widgets.ToggleButtons):
    """ToggleButtons that take a value in any case or a label ("हिन्दी"), and answer anything else."""

    value = _ChoiceValue()
    complain = None
    none_ok = False
    show_labels = False


class _LenientText(traitlets.Unicode):
    """Text that takes a number as its digits (535 → "535"); anything else is answered in words."""

    def validate(self, obj, value):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) or getattr(obj, "complain", None) is None:
            return super().validate(obj, value)
        obj.complain("widget.not_text", value=_shown(value))
        return obj._trait_values.get(self.name, "")


_YES_NO = {"true": True, "yes": True, "on": True, "1": True,
           "false": False, "no": False, "off": False, "0": False}


def _yes_no(value: object) -> bool | None:
    """True/False from True/False, 1/0 or the words true/false, yes/no, on/off; None otherwise."""
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        return _YES_NO.get(value.strip().lower())
    return None


class _LenientBool(traitlets.Bool):
    """A tick box that takes what ``_yes_no`` reads; anything else is answered in words."""

    def validate(self, obj, value):
        meant = _yes_no(value)
        if meant is not None:
            return meant
        if getattr(obj, "complain", None) is None:
            return super().validate(obj, value)
        obj.complain("widget.not_yes_no", value=_shown(value))
        return obj._trait_values.get(self.name, False)


class _Text(widgets.Text):
    complain = None
    value = _LenientText(help="String value").tag(sync=True)


class _Password(widgets.Password):
    complain = None
    value = _LenientText(help="String value").tag(sync=True)


class _Textarea(widgets.Textarea):
    complain = None
    value = _LenientText(help="String value").tag(sync=True)


class _Checkbox(widgets.Checkbox):
    complain = None
    value = _LenientBool(False, help="Bool value").tag(sync=True)


# --- the shared part of every lesson widget ---------------------------------------------------------

class _LessonWidget(widgets.VBox):
    """Shared parts: title, language toggle, problem line, static fallback."""

    _title_key = ""

    def __init__(self, lang: str | None = None) -> None:
        self.lang = check_language(lang)
        self._problem_said: tuple[str, dict] | None = None  # (key, values), or ("", raw text)
        self.title = widgets.HTML()
        self.language = self._control(_ToggleButtons(
            options=[(LANGUAGE_NAMES[code], code) for code in LANGUAGES], value=self.lang,
            style={"button_width": "auto"}, tooltips=[], layout=_WIDE))
        self.problem = widgets.HTML()
        super().__init__(layout=widgets.Layout(width="100%", max_width="64em"))
        self.add_class("smtplesson-widget")
        self.language.observe(self._language_changed, "value")

    @contextlib.contextmanager
    def _built(self):
        """Wrap the rest of construction: on failure close every part made so far and re-raise;
        on success draw once and only then follow ``set_language``."""
        try:
            yield
            self.refresh()
        except BaseException:
            self._close_parts()
            raise
        on_language_change(self._follow_language)

    def _close_parts(self) -> None:
        """Close this widget and every part of it (children, layouts, styles; not shared layouts)."""
        stack = [self, *(value for value in vars(self).values() if isinstance(value, widgets.Widget))]
        seen = {id(_WIDE), id(_FULL)}
        while stack:
            part = stack.pop()
            if id(part) in seen:
                continue
            seen.add(id(part))
            stack.extend(getattr(part, "children", ()))
            stack.extend(getattr(part, name, None) for name in ("layout", "style")
                         if isinstance(getattr(part, name, None), widgets.Widget))
            part.close()

    def _control(self, control):
        """Let a control report a value it cannot take as a message inside this widget."""
        control.complain = self._say
        return control

    # -- language --
    def _follow_language(self, lang: str) -> None:
        self.language.value = lang

    def _language_changed(self, change) -> None:
        said = self._problem_said
        self.lang = change["new"]
        try:
            self._relabel()
        except Exception as error:  # noqa: BLE001 - a widget never dies on a language switch
            self._show_problem(t("widget.unexpected", self.lang,
                                 error=f"{type(error).__name__}: {error}"[:300]))
            return
        self.refresh()
        if said is not None and not self.problem.value:  # a message about an earlier action
            key, values = said
            if key:
                self._say(key, **values)
            else:
                self._show_problem(values["text"])

    def _relabel(self) -> None:
        self.title.value = f"<b>{escape(t(self._title_key, self.lang))}</b>"

    # -- content --
    def refresh(self) -> None:
        """Redraw everything from the current values, in the current language."""

    def fallback_html(self) -> str:
        """The static card: what a page without a kernel shows, headed by a 'saved copy' line."""
        note = (f'<p class="smtplesson-saved-copy" style="margin:2px 0 6px;color:#57606a;'
                f'font-size:90%"><b>{escape(t(self._title_key, self.lang))}</b> · '
                f'{escape(t("widget.saved_copy", self.lang))}</p>')
        return cards.wrap(note, self.lang, "saved-copy") + self._card_html()

    def _card_html(self) -> str:
        raise NotImplementedError

    def _clear_problem(self) -> None:
        self.problem.value = ""
        self._problem_said = None

    def _say(self, key: str, **values: object) -> None:
        """Show the message ``key`` inside the widget; it is redrawn on a language switch."""
        self._show_problem(t(key, self.lang, **values))
        self._problem_said = (key, values)

    def _show_problem(self, text: str) -> None:
        self.problem.value = (
            '<div class="smtplesson-problem" role="alert" style="color:#a40e26;background:#ffebe9;'
            f'border:1px solid #a40e26;border-radius:4px;padding:4px 8px">⚠ {escape(text)}</div>')
        self._problem_said = ("", {"text": text})

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
        chosen = lookup(code).code  # a bad code fails here, with the rule it broke, before any part exists
        super().__init__(lang)
        with self._built():
            self.reply_class = self._control(_Dropdown(style=_AUTO_LABEL, layout=_WIDE))
            self.category = self._control(_Dropdown(style=_AUTO_LABEL, layout=_WIDE))
            self.command = self._control(_Dropdown(style=_AUTO_LABEL, layout=_WIDE))
            self.search = self._control(_Text(style=_AUTO_LABEL, layout=_WIDE, continuous_update=False))
            self.code = self._control(_Dropdown(style=_AUTO_LABEL, layout=_WIDE))
            self.count = widgets.HTML()
            self.table = widgets.HTML()
            self.card = widgets.HTML()
            self._chosen = chosen
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

    def _card_html(self) -> str:
        try:
            found = self.matches()
        except SmtpLessonError:  # a search too long: the card shows what the widget showed
            return self.problem.value
        card = (cards.code_card_html(lookup(self._chosen, self.lang), self.lang) if found else "")
        return f"{self._table_html(found)}{card}"

    def _describe(self) -> str:
        return f"{self._chosen}, {self.lang}"


# --- ContrastCard --------------------------------------------------------------------------------

class ContrastCard(_LessonWidget):
    """Any two codes side by side on the five facets; 250 versus 535 to begin with."""

    _title_key = "contrast.title"

    def __init__(self, a: int = 250, b: int = 535, lang: str | None = None) -> None:
        pair = (lookup(a).code, lookup(b).code)  # bad codes fail here, naming the rule, before any part exists
        super().__init__(lang)
        with self._built():
            self._pair = pair
            self.first = self._control(_Dropdown(style=_AUTO_LABEL, layout=_WIDE))
            self.second = self._control(_Dropdown(style=_AUTO_LABEL, layout=_WIDE))
            self.card = widgets.HTML()
            self._busy = False
            self._relabel()
            self.first.observe(self._pair_changed, "value")
            self.second.observe(self._pair_changed, "value")
            self.children = [self._header(), widgets.HBox([self.first, self.second],
                                                          layout=widgets.Layout(flex_flow="row wrap")),
                             self.problem, self.card]

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

    def _card_html(self) -> str:
        return self.comparison._repr_html_()

    def _describe(self) -> str:
        return f"{self._pair[0]} vs {self._pair[1]}, {self.lang}"


# --- LabPanel ------------------------------------------------------------------------------------

def _verdict_words(outcome, lang: str) -> str:
    """The outcome's verdict sentence in ``lang`` (``Outcome.describe``; its message if absent)."""
    describe = getattr(outcome, "describe", None)
    return describe(lang) if callable(describe) else outcome.message


class LabPanel(_LessonWidget):
    """Try a user name and password against a real SMTP server on this computer.

    The panel never goes dead: if its lab has stopped (a later cell called ``lab.stop()``, Run All
    reached the end of the notebook, or the lab was someone else's), Send starts it again, says so
    in one line and clears the earlier verdict, so nothing stale stays on screen.
    """

    _title_key = "lab.title"

    def __init__(self, lab=None, *, user: str = "alice", password: str = "",
                 starttls: bool = False, lang: str | None = None) -> None:
        from .lab import LabServer

        if lab is not None and not isinstance(lab, LabServer):
            raise LabError(f"LabPanel(lab) takes a LabServer, or nothing for a new one, "
                           f"not {type(lab).__name__}", rule="lab")
        for name, value in (("user", user), ("password", password)):
            if not isinstance(value, str):
                raise LabError(f"{name} must be text (str), not {type(value).__name__}",
                               rule="text-input")
        if _yes_no(starttls) is None:
            raise LabError(f"starttls is True or False, not {_shown(starttls)}", rule="starttls")
        starttls = _yes_no(starttls)
        super().__init__(lang)
        with self._built():
            self._owns_lab = lab is None
            self.lab = LabServer().start() if lab is None else lab
            self.user = self._control(_Text(value=user, style=_AUTO_LABEL, layout=_WIDE))
            self.password = self._control(_Password(value=password, style=_AUTO_LABEL, layout=_WIDE))
            self.starttls = self._control(_Checkbox(value=starttls, indent=False, layout=_WIDE))
            self.send_button = widgets.Button(button_style="primary", layout=_WIDE)
            self.hint = widgets.HTML()
            self.notice = widgets.HTML()
            self.result = widgets.HTML()
            self.outcome = None
            self._restarted_on: int | None = None  # the port, when Send had to start the lab again
            self._relabel()
            self.send_button.on_click(self._on_send)
            self.children = [self._header(), self.hint,
                             widgets.HBox([self.user, self.password],
                                          layout=widgets.Layout(flex_flow="row wrap")),
                             widgets.HBox([self.starttls, self.send_button]), self.problem,
                             self.notice, self.result]

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

        self._restarted_on = None
        if not self.lab.running:
            self.outcome = None  # an old verdict belongs to a lab that is gone: clear it first
            self.refresh()
            self.lab.start()
            self._restarted_on = self.lab.port
        self.outcome = send_mail(self.lab, self.user.value, self.password.value,
                                 starttls=self.starttls.value)
        self.refresh()

    @_guarded
    def refresh(self) -> None:
        self.notice.value = self._notice_html()
        self.result.value = self._result_html()

    def _notice_html(self) -> str:
        if self._restarted_on is None:
            return ""
        return (f'<p class="smtplesson-lab-notice" style="margin:2px 0;color:#57606a">ⓘ '
                f'{escape(t("widget.lab_restarted", self.lang, port=self._restarted_on))}</p>')

    def _result_html(self) -> str:
        if self.outcome is None:
            return f"<p><i>{escape(t('lab.waiting', self.lang))}</i></p>"
        shown = dataclasses.replace(self.outcome, message=_verdict_words(self.outcome, self.lang))
        return cards.outcome_html(shown, self.lang)

    def _card_html(self) -> str:
        intro = f'<p>{escape(t("lab.hint", self.lang))}</p>'
        return cards.wrap(intro + self._notice_html(), self.lang, "lab") + self._result_html()

    def _describe(self) -> str:
        verdict = "no session yet" if self.outcome is None else f"last verdict {self.outcome.code}"
        return f"{verdict}, {self.lang}"


# --- Quiz ------------------------------------------------------------------------------------------

def _names(value, what: str) -> list[str] | None:
    """Topics or ids as a list: one name may be given alone; anything but text is refused."""
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    try:
        names = list(names)
    except TypeError:
        names = [names]
    if not all(isinstance(name, str) for name in names):
        raise SmtpLessonError(f"{what} are given as text, e.g. {what}=['530-vs-535'], not {value!r}"[:200],
                              rule=f"quiz-{what.rstrip('s')}")
    return names


class Quiz(_LessonWidget):
    """Multiple-choice self-checks with the reason for every option, and a score."""

    _title_key = "quiz.title"

    def __init__(self, topics=None, ids=None, lang: str | None = None, *, notebook=None) -> None:
        asked = quiz.select(_names(topics, "topics"), _names(ids, "ids"), notebook=notebook)  # checked before any part exists
        if not asked:
            raise SmtpLessonError("this quiz would have no questions", rule="quiz-empty")
        super().__init__(lang)
        with self._built():
            self.asked = asked
            self.position = 0
            self.chosen: dict[str, int] = {}
            self.question = widgets.HTML()
            self.choice = self._control(_RadioButtons(options=[], value=None, layout=_WIDE))
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
            self._say("quiz.pick")
            return
        self.chosen[self.current.id] = self.choice.value
        self.feedback.value = self._feedback_html(self.current, self.choice.value)
        self.score.value = self._score_html()

    @_guarded
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

    def _card_html(self) -> str:
        """Every question; answered ones with their feedback, the rest with the answer and the
        reason for each option folded in a <details> a reader opens with no kernel and no script."""
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
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)  # ExplainBox(535): the code, as typed
        if not isinstance(text, str):
            raise SmtpLessonError(f"ExplainBox takes the text to explain (str), not "
                                  f"{type(text).__name__}", rule="text-input")
        super().__init__(lang)
        with self._built():
            self.text = self._control(_Textarea(value=text, rows=4, layout=_FULL,
                                                continuous_update=False))
            self.button = widgets.Button(button_style="primary", layout=_WIDE)
            self.result = widgets.HTML()
            self._relabel()
            self.button.on_click(lambda _: self.refresh())
            self.text.observe(lambda _: self.refresh(), "value")
            self.children = [self._header(), self.text, self.button, self.problem, self.result]

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

    def _card_html(self) -> str:
        shown = self.text.value if len(self.text.value) <= 2000 else self.text.value[:2000] + "…"
        paste = (f'<pre style="white-space:pre-wrap;background:#f6f8fa;padding:6px">'
                 f"{escape(shown)}</pre>")
        return cards.wrap(paste, self.lang, "explain-input") + (self.result.value or self.problem.value)

    def _describe(self) -> str:
        return f"{len(self.text.value)} characters, {self.lang}"


__all__ = ["CodeExplorer", "ContrastCard", "ExplainBox", "LabPanel", "Quiz", "get_language"]
