"""The reply-code catalogue: the data files in ``smtplesson/data`` as values and pandas frames.

``codes.csv`` holds the words for every basic reply code (RFC 5321, 4954, 3207, 7504);
``enhanced.csv`` holds every enumerated code of the IANA "SMTP Enhanced Status Codes" registry
(rows ``X.Y.Z``, as the registry writes them) and vendor uses of exact codes (rows such as
``5.7.139``); ``enhanced_parts.csv`` holds RFC 3463's classes and subjects. ``codes.hi.csv``,
``enhanced.hi.csv`` and ``enhanced_parts.hi.csv`` hold Hindi text with the same keys, laid over
the English (registry titles, basic codes and vendor names stay as they are). Class and category always come from the digits (``digits.py``), never from the
files. Reading the catalogue needs only the standard library; pandas is imported only by
``codes()``, ``enhanced_codes()`` and ``enhanced_parts()``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from .digits import CATEGORIES, REPLY_CLASSES, check_code, split_enhanced
from .errors import told_in
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
    #: The commands in ``commands`` that the code answers only in a vendor's use (the note names
    #: the vendor), not under any RFC: e.g. Postfix's 454 to RCPT TO, Microsoft's 550 to AUTH.
    vendor_commands: tuple[str, ...] = ()
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
    """An enhanced status code (RFC 3463, IANA registry), decoded part by part."""

    code: str
    meaning: str
    rfc: str
    class_name: str
    subject_name: str
    vendor: str = ""
    vendor_meaning: str = ""
    #: The basic reply codes the IANA registry associates with this code (for a vendor-only
    #: code, the ones the vendor sends it with).
    basic_codes: tuple[int, ...] = ()
    #: True when this code has a row in the catalogue (a registry entry or a vendor use).
    listed: bool = True
    #: The registry's name for the code (its "sample text"); "" when it is not registered.
    title: str = ""
    #: The fix for this exact detail; "" when the basic reply code's how-to-fix applies.
    advice: str = ""
    #: True when the code is an enumerated code of the IANA registry, in any class.
    registered: bool = False
    #: The language of the text ('en' until an ``enhanced.<lang>.csv`` supplies a translation).
    lang: str = "en"

    @property
    def registry_code(self) -> str:
        """The code as the registry writes it, with X for the class: ``"X.7.8"``."""
        return "X." + self.code.split(".", 1)[1]


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("smtplesson").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split())


def _basic_codes(text: str) -> tuple[int, ...]:
    """The three-digit codes in a registry cell such as "451, 550", "250 or 251" or "Not given"."""
    return tuple(int(part) for part in re.findall(r"\b[2-5][0-9]{2}\b", text))


def _has_data(name: str) -> bool:
    return resources.files("smtplesson").joinpath("data", name).is_file()


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
            vendor_commands=tuple((row.get("vendor_commands") or "").split()),
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
def _parts(lang: str = "en") -> dict[tuple[str, int], dict[str, str]]:
    """enhanced_parts.csv by (part, key), with ``enhanced_parts.<lang>.csv`` laid over it."""
    table = {(row["part"], int(row["key"])): row for row in _read_csv("enhanced_parts.csv")}
    if lang != "en" and _has_data(f"enhanced_parts.{lang}.csv"):
        for row in _read_csv(f"enhanced_parts.{lang}.csv"):
            key = (row["part"], int(row["key"]))
            table[key] = {**table[key], **{name: row[name] for name in ("name", "meaning") if row.get(name)}}
    return table


@lru_cache(maxsize=None)
def _enhanced(lang: str = "en") -> dict[str, dict[str, str]]:
    """enhanced.csv by code ("X.7.8" or "5.7.139"), with ``enhanced.<lang>.csv`` laid over it."""
    table = {row["code"]: row for row in _read_csv("enhanced.csv")}
    if lang != "en" and _has_data(f"enhanced.{lang}.csv"):
        for row in _read_csv(f"enhanced.{lang}.csv"):
            texts = {key: row[key] for key in ("meaning", "advice", "vendor_meaning", "rfc")
                     if row.get(key)}
            table[row["code"]] = {**table[row["code"]], **texts, "lang": lang}
    return table


def lookup(code: int | str, lang: str | None = None) -> ReplyCode:
    """The catalogue entry for a reply code; a well-formed code no RFC defines is decoded by its digits."""
    with told_in(lang):
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


def lookup_enhanced(code: str, lang: str | None = None) -> EnhancedCode:
    """Decode a well-formed enhanced status code: its class, subject, registry entry and vendor use.

    The registry lists each code once as ``X.subject.detail`` for every class (RFC 3463 §2,
    RFC 5248), so ``4.7.0`` and ``5.7.0`` share one entry. A vendor's use of an exact code (e.g.
    Google's ``5.7.14``, Microsoft's unregistered ``5.7.139``) is kept apart and marked.
    """
    with told_in(lang):
        klass, subject, detail = split_enhanced(code)
    return _entry(f"{klass}.{subject}.{detail}", check_language(lang))


def _build_entry(code: str, lang: str) -> EnhancedCode:
    """The entry for a well-formed enhanced code in a known language (``_entry`` keeps them)."""
    klass, subject, detail = (int(part) for part in code.split("."))
    parts = _parts(lang)
    class_name = parts[("class", klass)]["name"]
    subject_row = parts.get(("subject", subject))
    subject_name = subject_row["name"] if subject_row else t("enhanced.unknown_subject", lang,
                                                                subject=subject)
    table = _enhanced(lang)
    registered = table.get(f"X.{subject}.{detail}")
    vendor = table.get(code)
    if registered is None and vendor is None:
        return EnhancedCode(
            code=code,
            meaning=t("enhanced.unlisted", lang, code=code, class_name=class_name,
                      subject_name=subject_name),
            rfc="RFC 3463 §2",
            class_name=class_name,
            subject_name=subject_name,
            listed=False,
            lang=lang,
        )
    main = registered if registered is not None else vendor
    return EnhancedCode(
        code=code,
        meaning=main["meaning"],
        rfc=main["rfc"],
        class_name=class_name,
        subject_name=subject_name,
        vendor=vendor["vendor"] if vendor else "",
        vendor_meaning=vendor["vendor_meaning"] if vendor else "",
        basic_codes=_basic_codes(main["basic_codes"]),
        title=main["title"],
        # A vendor's fix for its reuse of a registered code comes first, then the registry's.
        advice=" ".join(part for part in (vendor["advice"] if vendor and registered else "",
                                          main["advice"]) if part),
        registered=registered is not None,
        lang=main.get("lang", "en"),
    )


#: Entries are frozen and the data files do not change, so each is built once: explain() looks
#: one up for nearly every reply it reads (bench/bench_explain.py).
_entry = lru_cache(maxsize=1024)(_build_entry)


def registered_enhanced_codes() -> tuple[str, ...]:
    """Every enumerated code of the IANA registry, as the registry writes it (``"X.7.8"``)."""
    return tuple(code for code in _enhanced() if code.startswith("X."))


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
            "vendor_commands": " ".join(entry.vendor_commands),
            "rfc": entry.rfc,
            "note": entry.note,
        }
        for entry in all_codes(lang)
    ]
    return pd.DataFrame(rows).set_index("code")


def enhanced_codes():
    """The catalogue's enhanced codes as a DataFrame indexed by code.

    Registry entries are indexed as the registry writes them (``"X.7.8"``); vendor uses of an
    exact code by that code (``"5.7.139"``).
    """
    import pandas as pd

    rows = []
    for code, row in _enhanced().items():
        entry = lookup_enhanced(code.replace("X.", "5.", 1) if code.startswith("X.") else code)
        vendor = not code.startswith("X.")
        rows.append({
            "code": code,
            "title": row["title"],
            "meaning": row["meaning"] or entry.meaning,
            "advice": row["advice"],
            "rfc": row["rfc"] or entry.rfc,
            "registered": entry.registered,
            "subject_name": entry.subject_name,
            "class_name": entry.class_name if vendor else "",
            "vendor": row["vendor"],
            "vendor_meaning": row["vendor_meaning"],
            "basic_codes": " ".join(map(str, _basic_codes(row["basic_codes"]))),
        })
    return pd.DataFrame(rows).set_index("code")


def enhanced_parts():
    """RFC 3463's classes and subjects as a DataFrame (part, key, name, meaning, rfc)."""
    import pandas as pd

    return pd.DataFrame(list(_parts().values()))
