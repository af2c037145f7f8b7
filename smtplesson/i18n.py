"""Message catalogs (``data/messages.json``): every label and heading in English and Hindi.

``t(key)`` looks a message up in the current language; ``set_language("hi")`` switches it for
everything rendered afterwards, and tells live widgets so they redraw.
"""

from __future__ import annotations

import json
import logging
import weakref
from functools import lru_cache
from importlib import resources
from typing import Callable

from .errors import SmtpLessonError

#: Languages with a complete catalog, in display order.
LANGUAGES = ("en", "hi")
#: Each language's name in its own script, for language toggles.
LANGUAGE_NAMES = {"en": "English", "hi": "हिन्दी"}
#: Other names a learner may type for a language.
_ALIASES = {"english": "en", "hindi": "hi", "हिन्दी": "hi", "हिंदी": "hi"}

_current = "en"
_listeners: list[weakref.ref] = []
_log = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def catalog() -> dict[str, dict[str, str]]:
    """The message catalogs: ``{lang: {key: text}}``."""
    text = resources.files("smtplesson").joinpath("data", "messages.json").read_text("utf-8")
    return json.loads(text)


def check_language(lang: str | None) -> str:
    """Return ``lang`` (or the current language when None) if a catalog exists for it.

    The forms a learner types are accepted too: 'HI', 'Hindi', 'हिन्दी' all mean 'hi'.
    """
    if lang is None:
        return _current
    if isinstance(lang, str):
        if lang in LANGUAGES:
            return lang
        typed = lang.strip().lower()
        typed = _ALIASES.get(typed, typed)
        if typed in LANGUAGES:
            return typed
    raise SmtpLessonError.of("error.language", rule="language", lang=lang,
                             choices=", ".join(LANGUAGES))


def set_language(lang: str) -> None:
    """Switch the language of cards, explanations and widgets ('en' or 'hi').

    Every live listener hears of it; one that fails is dropped with a one-line warning and
    never keeps the others from switching.
    """
    global _current
    _current = check_language(lang)
    for ref in list(_listeners):
        callback = ref()
        if callback is None:
            _listeners.remove(ref)
            continue
        try:
            callback(_current)
        except Exception as error:  # noqa: BLE001 - one broken listener must not stop the rest
            _listeners.remove(ref)
            _log.warning("a language listener failed and was dropped: %s: %s",
                         type(error).__name__, error)


def get_language() -> str:
    """The current language: 'en' or 'hi'."""
    return _current


def listener_count() -> int:
    """How many live listeners follow ``set_language`` (a widget that failed to build is not one)."""
    return sum(1 for ref in _listeners if ref() is not None)


def on_language_change(callback: Callable[[str], None]) -> None:
    """Call ``callback(lang)`` after each ``set_language``; held weakly, so widgets can go away."""
    ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else weakref.ref(callback)
    _listeners.append(ref)


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``values``."""
    text = catalog()[check_language(lang)][key]
    return text.format(**values) if values else text
