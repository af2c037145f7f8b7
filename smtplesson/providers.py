"""Known replies of mail providers and servers (``data/providers.json``), and matching a reply to one.

The reply code decides what a program does (RFC 5321 §4.2); the text only helps a person. But the
text often tells a person *which* of a code's causes applies: Microsoft's ``535 5.7.139`` means a
wrong password in one wording and "SMTP AUTH is switched off for your organisation" in another.
Each entry names the provider, what to match, what it means, the fix, and the public source.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .i18n import check_language
from .lazyre import LazyPattern
from .reply import Reply

#: What kind of refusal an entry describes; "credentials" is the only kind where a new password helps.
KINDS = ("credentials", "policy", "mechanism", "token", "rate", "temporary", "tls", "order",
         "relay", "sender", "recipient", "size", "unknown")


@dataclass(frozen=True)
class Provider:
    """One known reply of one provider: what to match, what it means, the fix, and the source."""

    id: str
    provider: str
    codes: tuple[int, ...]
    #: The enhanced code the reply must carry; "" means it must carry none; None means any.
    enhanced: str | None
    text: LazyPattern | None
    #: A pattern the whole paste must contain (a host name, when the reply text names no provider).
    context: LazyPattern | None
    kind: str
    source: str
    texts: tuple[tuple[str, str, str], ...]  # (language, meaning, fix)

    def meaning(self, lang: str | None = None) -> str:
        """What this reply means, in ``lang`` (English when no translation exists)."""
        return self._text(lang)[0]

    def fix(self, lang: str | None = None) -> str:
        """What to do about it, in ``lang`` (English when no translation exists)."""
        return self._text(lang)[1]

    def _text(self, lang: str | None) -> tuple[str, str]:
        lang = check_language(lang)
        by_lang = {code: (meaning, fix) for code, meaning, fix in self.texts}
        return by_lang.get(lang, by_lang["en"])

    def matches(self, code: int | None, enhanced: str | None, text: str, paste: str = "") -> bool:
        """True if a reply with this code (None: unknown), enhanced code and text is this entry."""
        if code is not None and self.codes and code not in self.codes:
            return False
        if self.enhanced is not None and (enhanced or "") != self.enhanced:
            return False
        if self.text is not None and not self.text.search(text):
            return False
        return self.context is None or bool(self.context.search(paste or text))

    def __repr__(self) -> str:
        return f"<Provider {self.provider}: {self.id}>"


def _provider(row: dict) -> Provider:
    flags = re.IGNORECASE | re.DOTALL
    return Provider(
        id=row["id"],
        provider=row["provider"],
        codes=tuple(row["codes"]),
        enhanced=row.get("enhanced"),
        text=LazyPattern(row["text"], flags) if row.get("text") else None,
        context=LazyPattern(row["context"], flags) if row.get("context") else None,
        kind=row["kind"],
        source=row["source"],
        texts=tuple((lang, row["meaning"][lang], row["fix"][lang]) for lang in row["meaning"]),
    )


@lru_cache(maxsize=None)
def providers() -> tuple[Provider, ...]:
    """Every known provider reply, in matching order (specific entries first)."""
    text = resources.files("smtplesson").joinpath("data", "providers.json").read_text("utf-8")
    return tuple(_provider(row) for row in json.loads(text)["providers"])


@lru_cache(maxsize=1024)
def _candidates(code: int, enhanced: str) -> tuple[Provider, ...]:
    """The entries whose code and enhanced code fit; only their text and context are left to check."""
    return tuple(entry for entry in providers()
                 if (not entry.codes or code in entry.codes)
                 and (entry.enhanced is None or entry.enhanced == enhanced))


def match_provider(reply: Reply, paste: str = "") -> Provider | None:
    """The first known provider reply that ``reply`` (found in ``paste``) matches, else None."""
    candidates = _candidates(reply.code, reply.enhanced or "")
    if not candidates:
        return None
    text = reply.text
    return next((entry for entry in candidates
                 if (entry.text is None or entry.text.search(text))
                 and (entry.context is None or entry.context.search(paste or text))), None)


def match_enhanced(enhanced: str, text: str, paste: str = "") -> Provider | None:
    """The first entry for a paste that kept only an enhanced code and text (no reply code)."""
    return next((entry for entry in providers()
                 if entry.enhanced and entry.matches(None, enhanced, text, paste)), None)


__all__ = ["KINDS", "Provider", "match_enhanced", "match_provider", "providers"]
