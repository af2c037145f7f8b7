"""Real replies the lesson reads (``data/samples.json``): who sent each one, and where it was seen.

Host names and ids are shortened to ``host.example`` and ``a1b2c3``. What each reply means and
how to fix it is ``explain()``'s job; this module only holds the replies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .errors import SmtpLessonError


@dataclass(frozen=True)
class Sample:
    """One reply as a server sent it, with the provider and a public place it was seen."""

    provider: str
    reply: str
    source: str


@lru_cache(maxsize=None)
def _groups() -> dict[str, tuple[Sample, ...]]:
    text = resources.files("smtplesson").joinpath("data", "samples.json").read_text("utf-8")
    return {name: tuple(Sample(**item) for item in items) for name, items in json.loads(text).items()}


def samples(group: str) -> tuple[Sample, ...]:
    """The replies of one group: ``"535"`` (one per provider) or ``"near-misses"``."""
    groups = _groups()
    if group not in groups:
        raise SmtpLessonError(f"no sample group {group!r}; choose one of {', '.join(groups)}",
                              rule="sample-group")
    return groups[group]
