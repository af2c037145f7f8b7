"""smtplesson: learn SMTP reply codes, 250 versus 535, with a real server on your own machine.

The reply model, catalogue, ``explain`` and ``compare`` need only the standard library, so
``import smtplesson`` is quick; ``smtplesson.lab`` (aiosmtpd), ``smtplesson.widgets``
(ipywidgets) and ``smtplesson.logs`` (pandas, pyarrow) load when first used, and pandas only
when a frame is asked for.
"""

from __future__ import annotations

import importlib

from .catalogue import (
    EnhancedCode,
    ReplyCode,
    codes,
    enhanced_codes,
    enhanced_parts,
    lookup,
    lookup_enhanced,
)
from .compare import Comparison, compare
from .errors import LabError, ReplyParseError, SmtpLessonError
from .explain import Explanation, explain
from .i18n import get_language, set_language
from .reply import Reply, Transcript, parse_reply, parse_transcript

__version__ = "0.1.0"

__all__ = [
    "Comparison", "EnhancedCode", "Explanation", "LabError", "Reply", "ReplyCode",
    "ReplyParseError", "SmtpLessonError", "Transcript", "codes", "compare", "enhanced_codes",
    "enhanced_parts", "explain", "get_language", "lookup", "lookup_enhanced", "parse_reply",
    "parse_transcript", "set_language",
]

_LAZY_SUBMODULES = ("lab", "widgets", "quiz", "logs")


def __getattr__(name: str):
    """Load the heavy submodules (aiosmtpd, ipywidgets, pandas) only when they are used."""
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
