"""Regular expressions compiled on first use, so that ``import smtplesson`` (and the CLI) stays quick.

``paste.py`` and ``providers.py`` hold dozens of patterns; most runs of ``explain`` on a plain reply
never need them, so they are compiled the first time they are searched.
"""

from __future__ import annotations

import re


class LazyPattern:
    """A regular expression that compiles itself the first time it is used."""

    __slots__ = ("source", "flags", "_compiled")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.source = source
        self.flags = flags
        self._compiled: re.Pattern | None = None

    @property
    def compiled(self) -> re.Pattern:
        if self._compiled is None:
            self._compiled = re.compile(self.source, self.flags)
        return self._compiled

    def search(self, *args):
        return self.compiled.search(*args)

    def match(self, *args):
        return self.compiled.match(*args)

    def finditer(self, *args):
        return self.compiled.finditer(*args)

    def findall(self, *args):
        return self.compiled.findall(*args)

    def __repr__(self) -> str:
        return f"LazyPattern({self.source!r})"
