"""Two reply codes side by side on the lesson's five facets.

Description, when you see it and how to fix come from each code's catalogue entry; the key
difference and when to use which come from ``data/contrasts.json`` for the pairs learners mix up,
and are worked out from the digits for any other pair.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from . import cards
from .catalogue import ReplyCode, lookup
from .i18n import check_language, t

#: The five facets, in the order the lesson teaches them.
FACETS = ("description", "when_you_see_it", "how_to_fix", "key_difference", "when_to_use_which")
#: Facets that belong to one code each (the rest belong to the pair).
CODE_FACETS = {"description": "meaning", "when_you_see_it": "when_you_see_it",
               "how_to_fix": "how_to_fix"}


@lru_cache(maxsize=None)
def contrasts() -> dict[str, dict[str, dict[str, str]]]:
    """Curated pair texts: ``{"250-535": {"en": {"key_difference": …, …}, "hi": …}}``."""
    text = resources.files("smtplesson").joinpath("data", "contrasts.json").read_text("utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class Facet:
    """One row of a comparison: the heading, and the text for each code (pair facets share one)."""

    key: str
    heading: str
    a: str
    b: str | None = None  # None for a pair facet, whose text is in ``a``

    @property
    def shared(self) -> bool:
        return self.b is None


@dataclass(frozen=True)
class Comparison:
    """Two codes compared on the five facets; ``_repr_html_`` draws the side-by-side card."""

    a: ReplyCode
    b: ReplyCode
    facets: tuple[Facet, ...]
    lang: str = "en"
    #: True when the pair texts come from the curated file, False when worked out from the digits.
    curated: bool = True

    def facet(self, key: str) -> Facet:
        return next(facet for facet in self.facets if facet.key == key)

    def to_frame(self):
        """The comparison as a table: one row per facet, one column per code."""
        import pandas as pd

        rows = {facet.heading: [facet.a, facet.a if facet.shared else facet.b]
                for facet in self.facets}
        return pd.DataFrame.from_dict(rows, orient="index", columns=[self.a.code, self.b.code])

    def __str__(self) -> str:
        return cards.comparison_text(self)

    def _repr_html_(self) -> str:
        return cards.comparison_html(self)


def _derived(a: ReplyCode, b: ReplyCode, lang: str) -> dict[str, str]:
    """Pair texts worked out from the digits, for pairs nobody has written up."""
    ca, cb = a.code // 100, b.code // 100
    if ca != cb:
        difference = t("derived.class_differs", lang, a=a.code, b=b.code,
                       class_a=t(f"class.{ca}", lang), class_b=t(f"class.{cb}", lang),
                       gist_a=t(f"gist.{ca}", lang), gist_b=t(f"gist.{cb}", lang))
    else:
        difference = t("derived.same_class", lang, a=a.code, b=b.code,
                       reply_class=t(f"class.{ca}", lang), name_a=a.name, name_b=b.name)
    use = t("derived.use", lang, a=a.code, b=b.code, name_a=a.name, name_b=b.name,
            advice_a=t(f"advice.{ca}", lang), advice_b=t(f"advice.{cb}", lang))
    return {"key_difference": difference, "when_to_use_which": use}


def compare(a: int | str, b: int | str, lang: str | None = None) -> Comparison:
    """Compare two reply codes on the five facets (``compare(250, 535)`` is the lesson's centre)."""
    lang = check_language(lang)
    first, second = lookup(a, lang), lookup(b, lang)
    low, high = sorted((first.code, second.code))
    texts = contrasts().get(f"{low}-{high}", {})
    pair = texts.get(lang) or texts.get("en")
    curated = pair is not None and first.code != second.code
    if not curated:
        pair = _derived(first, second, lang)
    facets = []
    for key in FACETS:
        heading = t(f"facet.{key}", lang)
        if key in CODE_FACETS:
            field = CODE_FACETS[key]
            facets.append(Facet(key, heading, getattr(first, field), getattr(second, field)))
        else:
            facets.append(Facet(key, heading, pair[key]))
    return Comparison(a=first, b=second, facets=tuple(facets), lang=lang, curated=curated)
