"""The reply-code catalogue: the data files in ``smtplesson/data`` as values and pandas frames.

``codes.csv`` holds the words for every basic reply code (RFC 5321, 4954, 3207, 7504);
``enhanced.csv`` and ``enhanced_parts.csv`` hold RFC 3463 enhanced status codes; ``codes.hi.csv``
holds Hindi text for the codes the lesson centres on. Class and category always come from the
digits (``digits.py``), never from the files. Reading the catalogue needs only the standard
library; pandas is imported only by ``codes()`` and ``enhanced_codes()``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from .digits import CATEGORIES, REPLY_CLASSES, check_code, split_enhanced
from .i18n import check_language, t

#: Command tokens used in the ``commands`` column (CONNECT = the greeting, END-OF-DATA = after ".").
COMMANDS = (
    "CONNECT", "EHLO", "HELO", "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA", "END-OF-DATA",
    "RSET", "VRFY", "EXPN", "HELP", "NOOP", "QUIT", "ANY",
)


@dataclass(frozen=True)
class ReplyCode:
    """What one basic reply code means, when it comes, and what to do about it."""

    code: int
    name: str
    meaning: str
    when_you_see_it: str
    how_to_fix: str
    related: tuple[int, ...]
    commands: tuple[str, ...]
    rfc: str
    note: str = ""
    #: False for a well-formed code that no RFC defines (decoded from its digits only).
    defined: bool = True
    #: The language the text is in ('en' when no translation exists for the asked language).
    lang: str = "en"

    @property
    def reply_class(self) -> str:
        return REPLY_CLASSES[self.code // 100]

    @property
    def category(self) -> str:
        return CATEGORIES[self.code // 10 % 10]


@dataclass(frozen=True)
class EnhancedCode:
    """An RFC 3463 enhanced status code, decoded part by part."""

    code: str
    meaning: str
    rfc: str
    class_name: str
    subject_name: str
    vendor: str = ""
    vendor_meaning: str = ""
    basic_codes: tuple[int, ...] = ()
    #: True when this exact code has a row in the catalogue (registry or vendor use).
    listed: bool = True


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("smtplesson").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split())


@lru_cache(maxsize=None)
def _codes(lang: str) -> dict[int, ReplyCode]:
    table = {}
    for row in _read_csv("codes.csv"):
        code = check_code(row["code"])
        table[code] = ReplyCode(
            code=code,
            name=row["name"],
            meaning=row["meaning"],
            when_you_see_it=row["when_you_see_it"],
            how_to_fix=row["how_to_fix"],
            related=_ints(row["related"]),
            commands=tuple(row["commands"].split()),
            rfc=row["rfc"],
            note=row.get("note", "") or "",
        )
    if lang != "en":
        for row in _read_csv(f"codes.{lang}.csv"):
            code = int(row["code"])
            table[code] = replace(
                table[code],
                **{key: row[key] for key in ("name", "meaning", "when_you_see_it", "how_to_fix", "note")
                   if row.get(key)},
                lang=lang,
            )
    return table


@lru_cache(maxsize=None)
def _parts() -> dict[tuple[str, int], dict[str, str]]:
    return {(row["part"], int(row["key"])): row for row in _read_csv("enhanced_parts.csv")}


@lru_cache(maxsize=None)
def _enhanced() -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in _read_csv("enhanced.csv")}


def lookup(code: int | str, lang: str | None = None) -> ReplyCode:
    """The catalogue entry for a reply code; a well-formed code no RFC defines is decoded by its digits."""
    number = check_code(code)
    lang = check_language(lang)
    table = _codes(lang)
    if number in table:
        return table[number]
    first = number // 100
    return ReplyCode(
        code=number,
        name=t("undefined.name", lang),
        meaning=t("undefined.meaning", lang, code=number,
                  reply_class=t(f"class.{first}", lang), gist=t(f"gist.{first}", lang),
                  category=t(f"category.{number // 10 % 10}", lang)),
        when_you_see_it=t("undefined.when", lang, code=number),
        how_to_fix=t(f"advice.{first}", lang),
        related=(),
        commands=(),
        rfc=t("undefined.rfc", lang),
        defined=False,
        lang=lang,
    )


def lookup_enhanced(code: str) -> EnhancedCode:
    """Decode any well-formed enhanced status code: class, subject, and the detail if catalogued."""
    klass, subject, detail = split_enhanced(code)
    code = f"{klass}.{subject}.{detail}"
    class_name = _parts()[("class", klass)]["name"]
    subject_row = _parts().get(("subject", subject))
    subject_name = subject_row["name"] if subject_row else t("enhanced.unknown_subject", "en",
                                                                subject=subject)
    row = _enhanced().get(code)
    if row is not None:
        return EnhancedCode(
            code=code, meaning=row["meaning"], rfc=row["rfc"], class_name=class_name,
            subject_name=subject_name, vendor=row["vendor"], vendor_meaning=row["vendor_meaning"],
            basic_codes=_ints(row["basic_codes"]),
        )
    # The same subject.detail under another class carries the same meaning (RFC 3463 §2).
    for other in (2, 4, 5):
        twin = _enhanced().get(f"{other}.{subject}.{detail}")
        if twin is not None and not twin["vendor"]:
            return EnhancedCode(
                code=code, meaning=twin["meaning"], rfc=twin["rfc"], class_name=class_name,
                subject_name=subject_name, listed=False,
            )
    return EnhancedCode(
        code=code,
        meaning=t("enhanced.unlisted", "en", code=code, class_name=class_name,
                  subject_name=subject_name),
        rfc="RFC 3463 §2",
        class_name=class_name,
        subject_name=subject_name,
        listed=False,
    )


def all_codes(lang: str | None = None) -> tuple[ReplyCode, ...]:
    """Every catalogued reply code, in numeric order."""
    return tuple(sorted(_codes(check_language(lang)).values(), key=lambda entry: entry.code))


def codes(lang: str | None = None):
    """The catalogue as a pandas DataFrame indexed by the int code."""
    import pandas as pd

    rows = [
        {
            "code": entry.code,
            "reply_class": entry.reply_class,
            "category": entry.category,
            "name": entry.name,
            "meaning": entry.meaning,
            "when_you_see_it": entry.when_you_see_it,
            "how_to_fix": entry.how_to_fix,
            "related": " ".join(map(str, entry.related)),
            "commands": " ".join(entry.commands),
            "rfc": entry.rfc,
            "note": entry.note,
        }
        for entry in all_codes(lang)
    ]
    return pd.DataFrame(rows).set_index("code")


def enhanced_codes():
    """The catalogued enhanced status codes as a DataFrame indexed by the ``"X.Y.Z"`` string."""
    import pandas as pd

    rows = []
    for code in _enhanced():
        entry = lookup_enhanced(code)
        rows.append({
            "code": entry.code,
            "meaning": entry.meaning,
            "rfc": entry.rfc,
            "class_name": entry.class_name,
            "subject_name": entry.subject_name,
            "vendor": entry.vendor,
            "vendor_meaning": entry.vendor_meaning,
            "basic_codes": " ".join(map(str, entry.basic_codes)),
        })
    return pd.DataFrame(rows).set_index("code")


def enhanced_parts():
    """RFC 3463's classes and subjects as a DataFrame (part, key, name, meaning, rfc)."""
    import pandas as pd

    return pd.DataFrame(list(_parts().values()))
