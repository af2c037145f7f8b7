"""The exceptions smtplesson raises: each is a ValueError that names the rule that was broken."""

from __future__ import annotations


class SmtpLessonError(ValueError):
    """Base class: bad input to smtplesson, with the rule it broke in ``rule``."""

    def __init__(self, message: str, rule: str = "") -> None:
        super().__init__(message)
        self.rule = rule

    def _render_traceback_(self) -> list[str]:
        """What IPython shows when this error ends a notebook cell: the message, not the stack.

        IPython's ``InteractiveShell.showtraceback`` calls this method, when an exception has it,
        instead of formatting the frames; the error is about the learner's input, so the frames
        inside smtplesson would only hide the one line that matters.
        """
        rule = f"  (rule: {self.rule})" if self.rule else ""
        return [f"{type(self).__name__}: {self}{rule}"]


class ReplyParseError(SmtpLessonError):
    """The text is not a well-formed SMTP reply (or transcript, or code)."""


class LabError(SmtpLessonError):
    """The live lab could not do what was asked (bad setting, port in use, lab stopped)."""
