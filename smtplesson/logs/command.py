"""``smtplesson logs FILE``: read a mail log and print its events and the refused logins per address."""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from contextlib import contextmanager
from typing import Iterator

from ..errors import SmtpLessonError
from ..i18n import t
from .read import read_with_progress
from .source import open_source
from .summary import auth_failures, event_totals

#: Files smaller than this read in well under a second: no progress bar for them.
PROGRESS_FROM = 16 << 20


@contextmanager
def _progress(size: int | None, name: str) -> Iterator:
    """A progress bar on standard error, only when it is a terminal and the file is long."""
    if size is None or size < PROGRESS_FROM or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=size, unit="B", unit_scale=True, desc=os.path.basename(name), file=sys.stderr,
              leave=False) as bar:
        def update(position: int) -> None:
            bar.update(max(0, position - bar.n))

        yield update


def summarise(path: str, *, top: int = 10, year: int | None = None, as_json: bool = False,
              lang: str = "en") -> str:
    """The command's whole output, as text or JSON."""
    source = open_source(path)
    with _progress(source.size, source.name) as update:
        frame = read_with_progress(source, year=year, progress=update, opened=source)
    attrs = frame.attrs
    if len(frame) == 0 and attrs["unparsed"] and not attrs["skipped"]:
        example = attrs["unparsed_examples"][0] if attrs["unparsed_examples"] else ""
        raise SmtpLessonError(t("logs.error.nothing", lang, name=source.name, lines=attrs["lines"],
                                example=example[:40]), rule="log-format")
    failures = auth_failures(frame)
    totals = event_totals(frame)
    shown = failures.head(top)
    if as_json:
        return json.dumps({
            "source": source.name, "lines": attrs["lines"], "events": len(frame),
            "skipped": attrs["skipped"], "unparsed": attrs["unparsed"], "year": attrs["year"],
            "totals": totals,
            "auth_failures": [
                {"client_ip": ip, "failures": int(row.failures), "first": row.first.isoformat(),
                 "last": row.last.isoformat(), "usernames": int(row.usernames),
                 "peak_per_minute": int(row.peak_per_minute), "most_tried": row.most_tried}
                for ip, row in shown.iterrows()
            ],
        }, indent=2, ensure_ascii=False)
    out = [t("logs.summary", lang, name=source.name, lines=f"{attrs['lines']:,}", events=f"{len(frame):,}",
             skipped=f"{attrs['skipped']:,}", unparsed=f"{attrs['unparsed']:,}")]
    if attrs["year"] is not None and year is None:
        out.append(t("logs.year", lang, year=attrs["year"]))
    out.append("  ".join(f"{event} {count:,}" for event, count in totals.items()))
    out.append("")
    if failures.empty:
        out.append(t("logs.failures.none", lang))
        return "\n".join(out)
    out.append(t("logs.failures.title", lang, shown=len(shown), total=len(failures)))
    heads = [t(f"logs.col.{name}", lang) for name in
             ("client_ip", "failures", "first", "last", "usernames", "peak_per_minute", "most_tried")]
    rows = [[ip, f"{row.failures:,}", f"{row.first:%Y-%m-%d %H:%M:%S}", f"{row.last:%Y-%m-%d %H:%M:%S}",
             str(row.usernames), str(row.peak_per_minute), str(row.most_tried or "")]
            for ip, row in shown.iterrows()]
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) for i, h in enumerate(heads)]
    right = {1, 4, 5}
    for cells in [heads, *rows]:
        out.append("  ".join(_pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths)))
                   .rstrip())
    return "\n".join(out)


def _width(text: str) -> int:
    """Columns ``text`` takes on a terminal: combining marks (a Devanagari virama, a nukta) take none."""
    return sum(unicodedata.category(char) not in ("Mn", "Me", "Cf") for char in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill
