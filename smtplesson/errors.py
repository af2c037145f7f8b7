"""The exceptions smtplesson raises: each is a ValueError that names the rule that was broken.

A raise site gives a message key of ``data/messages.json`` and its values, not a sentence:
``ReplyParseError.of("error.reply.empty", rule="empty")``. The error then speaks the learner's
language: the current language when it is raised, or the ``lang`` given to ``explain()``,
``lookup()``, ``compare()`` and the like (``told_in``). ``str(error)`` is the message in
``error.lang``; ``error.text(lang)`` gives it in any language. Rule names stay English.
"""

from __future__ import annotations



class SmtpLessonError(ValueError):
    """Base class: bad input to smtplesson, with the rule it broke in ``rule``."""

    def __init__(self, message: str = "", rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule
        #: The message key and its values, when the message can be told in every language.
        self.key = ""
        self.values: dict[str, object] = {}
        #: The language of ``str(self)`` ("" for a message given as text, whatever its language).
        self.lang = ""

    @classmethod
    def of(cls, key: str, /, rule: str = "", **values: object) -> "SmtpLessonError":
        """The error whose message is ``key`` with ``values``, told in the current language."""
        from .i18n import get_language

        error = cls("", rule)
        error.key, error.values = key, values
        return error.in_language(get_language())

    def text(self, lang: str | None = None) -> str:
        """The message in ``lang`` (default: the current language); a message given as text as it is."""
        if not self.key:
            return str(self.args[0]) if self.args else ""
        from .i18n import t

        values = {name: value.text(lang) if isinstance(value, SmtpLessonError) else value
                  for name, value in self.values.items()}
        return t(self.key, lang, **values)

    def in_language(self, lang: str | None) -> "SmtpLessonError":
        """Tell this error in ``lang`` from now on (``str(self)``); returns the error itself."""
        from .i18n import check_language

        if not self.key:
            return self
        try:
            lang = check_language(lang)
        except SmtpLessonError:  # not a language: the caller refuses it on its own
            return self
        self.lang = lang
        self.args = (self.text(lang),)
        return self

    def _render_traceback_(self) -> list[str]:
        """What IPython shows when this error ends a notebook cell: the message, not the stack.

        IPython's ``InteractiveShell.showtraceback`` calls this method, when an exception has it,
        instead of formatting the frames; the error is about the learner's input, so the frames
        inside smtplesson would only hide the one line that matters.
        """
        if not self.rule:
            return [f"{type(self).__name__}: {self}"]
        from .i18n import t

        label = t("error.rule", self.lang or "en", rule=self.rule)
        return [f"{type(self).__name__}: {self}  ({label})"]


class ReplyParseError(SmtpLessonError):
    """The text is not a well-formed SMTP reply (or transcript, or code)."""


class LabError(SmtpLessonError):
    """The live lab could not do what was asked (bad setting, port in use, lab stopped)."""


class told_in:  # noqa: N801 - used as a function: ``with told_in(lang):``
    """Within this block, an ``SmtpLessonError`` that escapes is told in ``lang``.

    ``explain(text, lang="hi")`` uses it so that the strict parser, which takes no language, still
    refuses in Hindi. A language that is not in the catalogue leaves the error as it was. (A class,
    not ``@contextmanager``: explain() enters several of these for every reply it reads.)
    """

    __slots__ = ("lang",)

    def __init__(self, lang: str | None) -> None:
        self.lang = lang

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, error: BaseException | None, trace: object) -> bool:
        if isinstance(error, SmtpLessonError):
            error.in_language(self.lang)
        return False  # the error goes on
