"""Message catalogs (``data/messages.json``): every label and heading in English and Hindi.

``t(key)`` looks a message up in the current language; ``set_language("hi")`` switches it for
everything rendered afterwards, and tells live widgets so they redraw.
"""

from __future__ import annotations

import json
import weakref
from functools import lru_cache
from importlib import resources
from typing import Callable

from .errors import SmtpLessonError

#: Languages with a complete catalog, in display order.
LANGUAGES = ("en", "hi")
#: Each language's name in its own script, for language toggles.
LANGUAGE_NAMES = {"en": "English", "hi": "हिन्दी"}

_current = "en"
_listeners: list[weakref.ref] = []


@lru_cache(maxsize=None)
def catalog() -> dict[str, dict[str, str]]:
    """The message catalogs: ``{lang: {key: text}}``."""
    text = resources.files("smtplesson").joinpath("data", "messages.json").read_text("utf-8")
    return json.loads(text)


def check_language(lang: str | None) -> str:
    """Return ``lang`` (or the current language when None) if a catalog exists for it."""
    if lang is None:
        return _current
    if lang not in LANGUAGES:
        raise SmtpLessonError(
            f"unknown language {lang!r}: choose one of {', '.join(LANGUAGES)}", rule="language"
        )
    return lang


def set_language(lang: str) -> None:
    """Switch the language of cards, explanations and widgets ('en' or 'hi')."""
    global _current
    _current = check_language(lang)
    for ref in list(_listeners):
        callback = ref()
        if callback is None:
            _listeners.remove(ref)
        else:
            callback(_current)


def get_language() -> str:
    return _current


def on_language_change(callback: Callable[[str], None]) -> None:
    """Call ``callback(lang)`` after each ``set_language``; held weakly, so widgets can go away."""
    ref = weakref.WeakMethod(callback) if hasattr(callback, "__self__") else weakref.ref(callback)
    _listeners.append(ref)


def t(key: str, lang: str | None = None, /, **values: object) -> str:
    """The message ``key`` in ``lang`` (default: the current language), formatted with ``values``."""
    text = catalog()[check_language(lang)][key]
    return text.format(**values) if values else text
