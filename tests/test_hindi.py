"""Hindi all the way (issue 16): a learner who picks हिन्दी reads Hindi, in the glossary's words.

The project glossary (shared/reference/hindi-glossary.md) lives outside the repository and CI
runs on a clean clone, so its "avoid" column is copied into ``GLOSSARY`` below. The scans cover
every Hindi string the package ships (every data file, whatever streams add later: quiz,
enhanced codes, providers) and the notebooks' Hindi, so new Hindi is held to the same rules.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

import smtplesson
from smtplesson import (ReplyParseError, SmtpLessonError, compare, explain, lookup, lookup_enhanced,
                        parse_reply, parse_transcript, quiz, samples, series)
from smtplesson.cards import code_card_html, code_card_text, enhanced_line
from smtplesson.compare import FACETS, contrasts
from smtplesson.i18n import catalog, t

DATA = resources.files("smtplesson").joinpath("data")
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

#: Copied from hindi-glossary.md: the English term, the Hindi to use, and the Hindi to avoid.
#: An avoid cell lists the word's forms separated by " / " (inflections count as the same word);
#: the last rows are the glossary's spelling rules (chandrabindu, nukta).
GLOSSARY = """
| English | use | avoid |
|---|---|---|
| reply (the server's) | उत्तर | रिप्लाई |
| enhanced status code | एन्हांस्ड स्टेटस कोड | उन्नत स्थिति कोड / उन्नत |
| status | स्टेटस | स्थिति |
| verdict | फ़ैसला | निर्णय |
| account | अकाउंट | खाता / खाते / खातों |
| use (verb/noun) | उपयोग | इस्तेमाल |
| session | सेशन | सत्र |
| administrator | एडमिन | व्यवस्थापक |
| API key | API की | API कुंजी / कुंजी / कुंजियाँ / कुंजियों |
| AUTH exchange | AUTH एक्सचेंज | आदान-प्रदान |
| final dot (end of DATA) | अंतिम डॉट | अंतिम बिंदु |
| to raise (an exception) | रेज़ करना | उठाना / उठाता / उठाती / उठाते / उठाया / उठाए / उठता / उठती / उठते |
| not implemented / not supported | समर्थित नहीं | लागू नहीं |
| incomplete (transaction) | अधूरा | आधा बना / आधे बने / आधी बनी |
| personal (account) | व्यक्तिगत | निजी |
| 2yz | सफल (काम पूरा) | सकारात्मक पूर्णता |
| 3yz | मध्यवर्ती (आगे इनपुट चाहिए) | सकारात्मक मध्यवर्ती |
| 4yz | अस्थायी विफलता | अस्थायी नकारात्मक पूर्णता / नकारात्मक पूर्णता |
| 5yz | स्थायी विफलता | स्थायी नकारात्मक पूर्णता / नकारात्मक पूर्णता |
| spelling (chandrabindu) | धुँधला | धुंधला |
| spelling (nukta) | फ़ैसला | फैसला |
| spelling (nukta) | ज़रूरी / ज़रूरत | जरूरी / जरूरत |
| spelling (nukta) | रेज़ करना | रेज करता / रेज करती / रेज करते / रेज होता |
"""

#: The legitimate exceptions, as exact phrases. स्थिति is kept for "situation" (glossary note);
#: "मेल खाना" is the ordinary verb "to match", not खाता "account". Add a phrase here only
#: where the word really means the other thing.
ALLOWED = {
    "स्थिति": ("मौजूदा स्थिति के लिए", "अंतर स्थिति का है"),
    "खाता": ("मेल खाता", "मेल नहीं खाता"),
    "खाते": ("मेल खाते", "मेल नहीं खाते"),
}

_DEVANAGARI = re.compile("[\u0900-\u097f]")
_NOT_AFTER_LETTER = "(?<![\u0900-\u097f])"


def glossary_rows() -> list[tuple[str, str, tuple[str, ...]]]:
    """(English, use, avoid forms) for every row of ``GLOSSARY``."""
    rows = []
    for line in GLOSSARY.strip().splitlines()[2:]:
        english, use, avoid = (cell.strip() for cell in line.strip().strip("|").split("|"))
        rows.append((english, use, tuple(form.strip() for form in avoid.split(" / "))))
    return rows


AVOID = [(form, english, use) for english, use, forms in glossary_rows() for form in forms]


def avoided_terms(text: str) -> list[str]:
    """The glossary's avoid forms found in ``text`` (each at the start of a word), outside ALLOWED."""
    found = []
    for form, english, use in AVOID:
        checked = text
        for phrase in ALLOWED.get(form, ()):
            checked = checked.replace(phrase, " ")
        if re.search(_NOT_AFTER_LETTER + re.escape(form), checked):
            found.append(f"{form!r} ({english}: use {use!r})")
    return found


# --- what counts as Hindi -----------------------------------------------------------------------

#: A quoted stretch: server text or a code example, '…' (an apostrophe inside a word, as in
#: "Can't", stays inside) or "…", or a Python bytes literal b'…' (smtplib's copy of the reply).
_QUOTED = re.compile(
    r"""\bb'(?:[^'\\\n]|\\.)*'|"""
    r"""(?<![A-Za-z0-9])'(?:[^'\n]|(?<=[A-Za-z])'(?=[A-Za-z]))*'(?![A-Za-z])|"[^"\n]*\"""")
_RFC = re.compile(r"\bRFC \d+(?: §[\d.]+)*")
#: Protocol words and code: ALL-CAPS words (EHLO, STARTTLS, XOAUTH2), anything with a digit
#: (2yz, x5z, base64, 5.7.8), identifiers (smtplib.SMTP, login(), tls_context, SMTPDataError),
#: placeholders ({code}) and addresses.
_TECHNICAL = re.compile(r"\S*(?:\d|[_(=<>@#/\\{}]|[a-z][A-Z]|[A-Z]{2,}|\.[A-Za-z])\S*")
#: An English term in parentheses after its Hindi, at most three words: "(initial response)".
_TERM_GLOSS = re.compile(r"\((?:[A-Za-z-]+ ?){1,3}\)")
#: Names that stay in Latin script: products, libraries, the lab's demo account.
NAMES = {
    "aiosmtpd", "Postfix", "Exim", "Dovecot", "postgrey", "milter", "smtplib", "smtp-relay",
    "Gmail", "Google", "Microsoft", "Yahoo", "Amazon", "SendGrid", "Verification", "dict",
    "null", "auth", "alice", "wonderland", "Exchange", "Mailgun", "Brevo", "From", "True", "False", "Fastmail", "Zoho", "iCloud", "Courier",
}


def without_latin_allowed(text: str) -> str:
    """``text`` without quoted server text, RFC names, protocol words, code and product names."""
    for pattern in (_QUOTED, _TERM_GLOSS, _RFC, _TECHNICAL):
        text = pattern.sub(" ", text)
    return text


def devanagari_share(text: str) -> float | None:
    """Devanagari letters / all letters, once allowed Latin is stripped (None: no letters left)."""
    rest = without_latin_allowed(text)
    devanagari = sum(1 for ch in rest if "\u0900" <= ch <= "\u097f" and unicodedata.category(ch) == "Lo")
    latin = sum(len(word) for word in re.findall(r"[A-Za-z][A-Za-z'-]*", rest)
                if word not in NAMES and len(word) > 1)
    if devanagari + latin == 0:
        return None
    return devanagari / (devanagari + latin)


#: "Mostly Devanagari": at most one letter in five may be Latin that is not allowed above.
MOSTLY = 0.8


def assert_hindi(text: str, where: str) -> None:
    share = devanagari_share(text)
    assert share is not None and share >= MOSTLY, (
        f"{where} is not mostly Devanagari ({share}): {without_latin_allowed(text)[:300]!r}")


# --- every Hindi string the package ships -----------------------------------------------------

def _strings(value, path: str):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def data_file_strings(name: str) -> list[tuple[str, str]]:
    """Every string in a data file, with where it is: JSON values, or CSV cells."""
    text = DATA.joinpath(name).read_text("utf-8")
    if name.endswith(".json"):
        return list(_strings(json.loads(text), name))
    rows = csv.DictReader(io.StringIO(text))
    return [(f"{name}:{row.get('code') or index}.{key}", value)
            for index, row in enumerate(rows, 2) for key, value in row.items() if value]


def data_file_rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV data file."""
    return list(csv.DictReader(io.StringIO(DATA.joinpath(name).read_text("utf-8"))))


DATA_FILES = sorted(entry.name for entry in DATA.iterdir()
                    if entry.name.endswith((".json", ".csv")))


def hindi_strings(name: str) -> list[tuple[str, str]]:
    """The strings of one data file that are Hindi (they hold Devanagari)."""
    return [(where, text) for where, text in data_file_strings(name) if _DEVANAGARI.search(text)]


def notebook_strings(outputs: bool) -> list[tuple[str, str]]:
    """The notebooks' Hindi: cell sources, or the stored outputs a reader sees on a static page."""
    found = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for index, cell in enumerate(json.loads(path.read_text("utf-8"))["cells"]):
            texts = []
            if outputs:
                for output in cell.get("outputs", []):
                    texts += [output.get("text", "")]
                    texts += [value for mime, value in output.get("data", {}).items()
                              if mime.startswith("text/")]
            else:
                texts.append(cell["source"])
            for text in texts:
                text = "".join(text) if isinstance(text, list) else text
                if _DEVANAGARI.search(text):
                    found.append((f"{path.name} cell {index}", text))
    return found


def test_the_scans_find_the_hindi_they_are_meant_to_check():
    """The checks below would pass on an empty list: make sure they read real Hindi."""
    assert len(hindi_strings("codes.hi.csv")) >= 34 * 4
    assert len(hindi_strings("enhanced.hi.csv")) >= len(ENHANCED)
    assert len(hindi_strings("enhanced_parts.hi.csv")) == 2 * len(data_file_rows("enhanced_parts.csv"))
    assert len(hindi_strings("messages.json")) >= 100
    assert len(hindi_strings("contrasts.json")) == 2 * len(contrasts())
    assert notebook_strings(outputs=False)
    # The quiz's Hindi and the errors' Hindi are scanned too (prompt, explanation, text and reason
    # of every option of every question; every error message).
    questions = json.loads(DATA.joinpath("quiz.json").read_text("utf-8"))["questions"]
    assert len(hindi_strings("quiz.json")) >= sum(2 + 2 * len(q["options"]) for q in questions)
    assert {where for where, _ in hindi_strings("messages.json")} >= {
        f"messages.json.hi.{key}" for key in catalog()["hi"] if key.startswith("error.")}
    assert {english for english, _, _ in glossary_rows()} >= {"verdict", "session", "5yz"}
    assert avoided_terms("सर्वर का निर्णय") and avoided_terms("SMTPDataError उठाता है")
    assert avoided_terms("यह स्थिति कोड है") and not avoided_terms("अंतर स्थिति का है")
    assert not avoided_terms("पासवर्ड मेल नहीं खाता") and avoided_terms("अपना खाता खोलें")
    assert typography_problems("सर्वर ने मना किया.") and typography_problems("‘भेजें’ दबाएँ।")
    assert not typography_problems("Gmail: '454 4.7.0 Try again later.' (बाद में कोशिश करें)।")
    assert devanagari_share("The server refused the credentials.") == 0
    assert devanagari_share("सर्वर ने 'Authentication failed' भेजा (RFC 4954 §6)।") == 1


# --- (a) the glossary ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", DATA_FILES)
def test_no_avoided_term_in_shipped_hindi(name):
    hits = [f"{where}: {', '.join(terms)}" for where, text in hindi_strings(name)
            if (terms := avoided_terms(text))]
    assert not hits, "\n".join(hits)


def test_no_avoided_term_in_the_notebooks_hindi():
    hits = [f"{where}: {', '.join(terms)}" for where, text in notebook_strings(outputs=False)
            if (terms := avoided_terms(text))]
    assert not hits, "\n".join(hits)


def test_no_avoided_term_in_stored_notebook_outputs():
    hits = [f"{where}: {', '.join(terms)}" for where, text in notebook_strings(outputs=True)
            if (terms := avoided_terms(text))]
    assert not hits, "\n".join(hits)


def typography_problems(text: str) -> list[str]:
    """What breaks the glossary's typography: a full stop for a danda, curly quotes, not NFC.

    A full stop is fine inside quoted server text ('… try again later.'), in numbers and
    names (5.7.8, smtplib.SMTP) and in an ellipsis; it must not end a Hindi sentence.
    """
    problems = []
    if unicodedata.normalize("NFC", text) != text:
        problems.append("not NFC")
    if set(text) & set("‘’“”"):
        problems.append("typographic quotes (use straight '…')")
    outside_quotes = _QUOTED.sub("'…'", text)
    for match in re.finditer(r"(?<!\.)\.(?=\s|$)", outside_quotes):
        problems.append("a full stop ends a sentence (use ।): "
                        f"…{outside_quotes[max(0, match.start() - 30):match.end()]!r}")
    return problems


@pytest.mark.parametrize("name", DATA_FILES)
def test_hindi_punctuation_quotes_and_normal_form(name):
    """A danda ends a Hindi sentence, quotes are straight '…', and the text is NFC."""
    problems = [f"{where}: {problem}" for where, text in hindi_strings(name)
                for problem in typography_problems(text)]
    assert not problems, "\n".join(problems)


# --- (b) what a learner sees in Hindi mode is Hindi ---------------------------------------------

CODES = [int(row["code"]) for row in
         csv.DictReader(io.StringIO(DATA.joinpath("codes.csv").read_text("utf-8")))]
FIELDS = ("name", "meaning", "when_you_see_it", "how_to_fix", "note")


@pytest.mark.parametrize("code", CODES)
def test_every_code_reads_in_hindi(code):
    entry = lookup(code, "hi")
    assert entry.lang == "hi", f"{code} has no Hindi"
    for field in FIELDS:
        text = getattr(entry, field)
        if field != "note" or text:
            assert_hindi(text, f"lookup({code}, 'hi').{field}")
    assert t("card.untranslated", "hi") not in code_card_html(entry, "hi")
    assert_hindi(code_card_text(entry, "hi"), f"the card of {code}")
    explained = str(explain(str(code), lang="hi"))
    assert t("card.untranslated", "hi") not in explained
    assert_hindi(explained, f"explain({code}, lang='hi')")


def test_hindi_rows_follow_the_english_catalogue():
    """Same codes in both files, and a Hindi note exactly where the English has one."""
    english = {int(row["code"]): row for row in
               csv.DictReader(io.StringIO(DATA.joinpath("codes.csv").read_text("utf-8")))}
    hindi = {int(row["code"]): row for row in
             csv.DictReader(io.StringIO(DATA.joinpath("codes.hi.csv").read_text("utf-8")))}
    assert set(hindi) == set(english)
    for code, row in english.items():
        assert bool(row["note"]) == bool(hindi[code]["note"]), code


@pytest.mark.parametrize("pair", sorted(contrasts()))
def test_every_curated_pair_reads_in_hindi(pair):
    a, b = (int(code) for code in pair.split("-"))
    card = compare(a, b, lang="hi")
    english = compare(a, b, lang="en")
    assert card.curated
    for facet, facet_en in zip(card.facets, english.facets):
        assert_hindi(facet.heading, f"{pair} heading {facet.key}")
        for text in (facet.a, facet.b):
            if text is not None:
                assert_hindi(text, f"compare({pair}, lang='hi').{facet.key}")
        if facet.shared:
            assert facet.a != facet_en.a, f"{pair} {facet.key} is the English text"
    difference = card.facet("key_difference").a
    assert str(a) in difference and str(b) in difference, f"{pair}: the Hindi key difference names both codes"
    assert_hindi(str(card), f"str(compare({pair}, lang='hi'))")
    assert 'lang="hi"' in card._repr_html_()


def test_every_hindi_message_reads_in_hindi():
    """Each Hindi label and sentence (protocol words such as EHLO aside) is Hindi."""
    for key, text in catalog()["hi"].items():
        if devanagari_share(text) is not None:
            assert_hindi(text, f"messages.json hi {key}")


#: Every row of enhanced.csv: registry entries as "X.7.8", vendor uses as "5.7.139".
ENHANCED = [row["code"] for row in data_file_rows("enhanced.csv")]
ENHANCED_FIELDS = ("meaning", "advice", "vendor_meaning")


def as_sent(code: str) -> str:
    """A registry entry as a server sends it (class 5: "X.7.8" -> "5.7.8"); vendor codes as they are."""
    return "5" + code[1:] if code.startswith("X.") else code


def test_enhanced_hindi_rows_follow_the_english_registry():
    """One Hindi row per English row, with a text exactly where the English has one."""
    english = {row["code"]: row for row in data_file_rows("enhanced.csv")}
    hindi = {row["code"]: row for row in data_file_rows("enhanced.hi.csv")}
    assert list(hindi) == list(english)
    for code, row in english.items():
        for field in ENHANCED_FIELDS:
            assert bool(row[field]) == bool(hindi[code][field]), (code, field)
        assert not hindi[code]["rfc"] or row["rfc"], code
    parts = {(row["part"], row["key"]) for row in data_file_rows("enhanced_parts.csv")}
    assert {(row["part"], row["key"]) for row in data_file_rows("enhanced_parts.hi.csv")} == parts


@pytest.mark.parametrize("code", ENHANCED)
def test_every_enhanced_code_reads_in_hindi(code):
    """lookup_enhanced(code, 'hi'): every text and the card's enhanced-code line are Hindi."""
    entry, english = lookup_enhanced(as_sent(code), "hi"), lookup_enhanced(as_sent(code), "en")
    assert entry.lang == "hi", f"{code} has no Hindi"
    for field in ENHANCED_FIELDS + ("class_name", "subject_name", "rfc"):
        text = getattr(entry, field)
        if text and devanagari_share(text) is not None:
            assert_hindi(text, f"lookup_enhanced({as_sent(code)!r}, 'hi').{field}")
        assert bool(text) == bool(getattr(english, field)), field
    assert_hindi(enhanced_line(entry, "hi"), f"the enhanced-code line of {as_sent(code)}")
    # The registry's names and the facts stay as they are: only the words are translated.
    assert (entry.title, entry.registered, entry.basic_codes, entry.vendor) == (
        english.title, english.registered, english.basic_codes, english.vendor)


@pytest.mark.parametrize("code", [code for code in ENHANCED if not code.startswith("X.")])
def test_quoted_server_text_in_vendor_notes_stays_verbatim(code):
    """Each server reply quoted in an English vendor note ('535 5.7.139 ...') is in the Hindi one."""
    english = next(row for row in data_file_rows("enhanced.csv") if row["code"] == code)
    hindi = next(row for row in data_file_rows("enhanced.hi.csv") if row["code"] == code)
    found = []
    for field in ("vendor_meaning", "advice"):
        quoted = [q for q in _QUOTED.findall(english[field]) if re.match(r"'[2-5]\d\d[ -]", q)]
        assert [q for q in quoted if q not in hindi[field]] == [], field
        found += quoted
    assert found, "every vendor note quotes the server's reply"


def test_enhanced_parts_and_unlisted_codes_are_hindi():
    """Class and subject names come in Hindi, so do a subject RFC 3463 does not define and an unlisted code."""
    assert (lookup_enhanced("5.7.8", "hi").class_name, lookup_enhanced("5.7.8", "hi").subject_name) == (
        "स्थायी विफलता", "सुरक्षा या नीति का स्टेटस")
    assert lookup_enhanced("4.4.5", "hi").class_name == t("class.4", "hi")
    unknown = lookup_enhanced("5.9.1", "hi")
    assert unknown.subject_name == t("enhanced.unknown_subject", "hi", subject=9)
    unlisted = lookup_enhanced("5.1.99", "hi")
    assert not unlisted.listed and unlisted.lang == "hi"
    for entry in (unknown, unlisted):
        assert_hindi(enhanced_line(entry, "hi"), f"the enhanced-code line of {entry.code}")


#: explain() on main still calls lookup_enhanced(code) without the language (explain.py, explain
#: stream; its branch passes the language once lookup_enhanced takes one). Computed, so the two
#: tests below run for real as soon as explain() asks for Hindi.
EXPLAIN_ASKS_FOR_HINDI = explain("250 2.1.5 OK", lang="hi").items[0].enhanced.lang == "hi"
NEEDS_EXPLAIN = pytest.mark.xfail(not EXPLAIN_ASKS_FOR_HINDI, strict=True, reason=(
    "explain.py on main calls lookup_enhanced(reply.enhanced) without lang, so explain()'s "
    "enhanced-code row stays English (fixed on the explain branch)"))


# --- (c) the phrases a Hindi reader must find ---------------------------------------------------

HEADINGS = ["विवरण", "जब आप इसे देखें", "कैसे ठीक करें", "मुख्य अंतर", "कब किसका उपयोग करें"]


def test_the_original_pages_five_headings():
    card = compare(250, 535, lang="hi")
    assert [facet.key for facet in card.facets] == list(FACETS)
    assert [facet.heading for facet in card.facets] == HEADINGS
    text, html = str(card), card._repr_html_()
    for heading in HEADINGS:
        assert f"{heading}:" in text and f">{heading}<" in html


def test_250_and_535_say_what_the_lesson_says_in_hindi():
    ok, refused = lookup(250, "hi"), lookup(535, "hi")
    assert ok.name == "माँगा गया काम हो गया"
    assert refused.name == "प्रमाणीकरण क्रेडेंशियल अमान्य"
    assert "सफल (काम पूरा)" in code_card_text(ok, "hi")
    assert "स्थायी विफलता" in code_card_text(refused, "hi")
    assert "AUTH" in refused.when_you_see_it and "के बाद" in refused.when_you_see_it
    assert "235" in ok.meaning and "अंतिम डॉट" in ok.meaning
    assert "ऐप पासवर्ड" in refused.how_to_fix and "अकाउंट" in refused.how_to_fix
    card = compare(250, 535, lang="hi")
    difference = card.facet("key_difference").a
    assert "सफल" in difference and "स्थायी विफलता" in difference and "235" in difference
    assert "✘ 535 · स्थायी विफलता" in card._repr_html_()
    assert "✔ 250 · सफल (काम पूरा)" in card._repr_html_()


def test_the_verdicts_read_as_hindi_sentences():
    transcript = ("S: 220 lab ESMTP\nC: EHLO me\nS: 250 lab\n"
                  "C: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 Authentication credentials invalid\n")
    failed = explain(transcript, lang="hi")
    assert failed.verdict == "प्रमाणीकरण विफल रहा: सर्वर का उत्तर था 535 (प्रमाणीकरण क्रेडेंशियल अमान्य)।"
    assert str(failed).startswith("फ़ैसला: ")
    ok = explain(transcript.replace("535 5.7.8 Authentication credentials invalid",
                                    "235 2.7.0 Authentication successful"), lang="hi")
    assert ok.verdict.startswith("प्रमाणीकरण सफल रहा: सेशन के अंत में क्लाइंट लॉग इन है (235)")


# --- (d) the command line -----------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "smtplesson", *args], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_cli_explains_535_in_hindi():
    result = run_cli("explain", "--lang", "hi", "535 5.7.8 Authentication credentials invalid")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = result.stdout
    assert out.startswith("✘ 535 प्रमाणीकरण क्रेडेंशियल अमान्य")
    assert_hindi(out, "smtplesson explain --lang hi")
    headings = [line.split(":", 1)[0].strip() for line in out.splitlines()[1:]]
    assert headings and all(_DEVANAGARI.search(heading) for heading in headings), headings
    assert "permanent" not in out and "Authentication credentials invalid" not in out.splitlines()[0]


# --- English still hard-coded elsewhere (other streams' files this phase) -----------------------

@NEEDS_EXPLAIN
def test_cli_every_line_is_hindi():
    out = run_cli("explain", "--lang", "hi", "535 5.7.8 Authentication credentials invalid").stdout
    for line in out.splitlines():
        assert_hindi(line, "a line of smtplesson explain --lang hi")


@NEEDS_EXPLAIN
def test_unlisted_enhanced_code_is_described_in_hindi():
    text = str(explain("550 5.1.99 Mailbox gone", lang="hi"))
    line = next(line for line in text.splitlines() if line.strip().startswith(t("card.enhanced", "hi")))
    assert_hindi(line, "the enhanced-code row for 5.1.99")


def test_comparison_text_header_has_no_english():
    header = str(compare(250, 535, lang="hi")).splitlines()[0]
    assert not re.search(r"\bvs\b", header), header


def test_transcript_summary_names_the_steps_in_hindi():
    text = str(explain("S: 220 lab\nC: EHLO me\nS: 250 lab\nC: MAIL FROM:<a@b.example>\nS: 250 ok\n"
                       "C: RCPT TO:<c@d.example>\nS: 250 ok\nC: DATA\nS: 354 go\nC: .\nS: 250 queued\n",
                       lang="hi"))
    assert "(connection)" not in text and "(end of data)" not in text, text


# --- errors in the learner's language --------------------------------------------------------------

def _in_hindi_mode(call):
    """Run ``call`` with Hindi as the current language (the strict parser takes no ``lang``)."""
    def run():
        smtplesson.set_language("hi")
        try:
            return call()
        finally:
            smtplesson.set_language("en")
    return run


#: One bad input per message key of every error the learner can meet from the reply model,
#: explain(), lookup(), compare(), the quiz and the language switch: (key, rule, call in Hindi).
BAD = [
    ("error.reply.empty_line", "empty-line", _in_hindi_mode(lambda: parse_reply("250-a\n\n250 b"))),
    ("error.reply.line_length", "line-length", _in_hindi_mode(lambda: parse_reply("250 " + "x" * 600))),
    ("error.reply.leading_space", "leading-space", _in_hindi_mode(lambda: parse_reply(" 250 ok"))),
    ("error.reply.bytes_literal", "bytes-literal", _in_hindi_mode(lambda: parse_reply("b'250 ok'"))),
    ("error.reply.enhanced_first", "three-digits",
     lambda: explain("5.7.8 Username and Password not accepted", lang="hi")),
    ("error.reply.no_code", "three-digits", _in_hindi_mode(lambda: parse_reply("hello"))),
    ("error.reply.four_digits", "three-digits", lambda: explain("2500 OK", lang="hi")),
    ("error.reply.separator", "separator", _in_hindi_mode(lambda: parse_reply("250_ok"))),
    ("error.reply.text_characters", "text-characters", _in_hindi_mode(lambda: parse_reply("250 a\x00b"))),
    ("error.reply.bytes_not_ascii", "text-characters", _in_hindi_mode(lambda: parse_reply(b"250 \xff"))),
    ("error.reply.type", "reply-type", _in_hindi_mode(lambda: parse_reply(250))),
    ("error.reply.empty", "empty", lambda: explain("", lang="hi")),
    ("error.reply.same_code", "same-code", _in_hindi_mode(lambda: parse_reply("250-a\n251 b"))),
    ("error.reply.no_final_line", "no-final-line", _in_hindi_mode(lambda: parse_reply("535-5.7.8 only"))),
    ("error.reply.text_after_final", "text-after-final-line",
     _in_hindi_mode(lambda: parse_reply("250 a\n250 b"))),
    ("error.transcript.side", "transcript-side", _in_hindi_mode(lambda: parse_transcript("X: 250 ok"))),
    ("error.transcript.empty", "empty", _in_hindi_mode(lambda: parse_transcript("\n\n"))),
    ("error.transcript.type", "transcript-type", _in_hindi_mode(lambda: parse_transcript(250))),
    ("error.transcript.client_inside_reply", "no-final-line",
     lambda: explain("S: 250-a\nC: NOOP\nS: 250 b", lang="hi")),
    ("error.transcript.reply", "first-digit", _in_hindi_mode(lambda: parse_transcript("S: 999 x"))),
    ("error.transcript.no_final_line", "no-final-line",
     _in_hindi_mode(lambda: parse_transcript("S: 220 hi\nC: EHLO a\nS: 250-a"))),
    ("error.code.type", "code-type", lambda: lookup(None, "hi")),
    ("error.code.enhanced", "three-digits", lambda: lookup("5.7.8", "hi")),
    ("error.code.three_digits", "three-digits", lambda: lookup("abc", "hi")),
    ("error.code.first_digit", "first-digit", lambda: compare(250, 600, lang="hi")),
    ("error.code.second_digit", "second-digit", lambda: lookup(260, "hi")),
    ("error.enhanced.format", "enhanced-format", lambda: lookup_enhanced("5.7", "hi")),
    ("error.explain.no_reply_code", "no-reply-code",
     lambda: explain("smtplib.SMTPServerDisconnected: Connection unexpectedly closed", lang="hi").reply),
    ("error.explain.reply_text", "text-characters", lambda: explain((535, b"\xff\xfe"), lang="hi")),
    ("error.explain.not_text", "text-characters", lambda: explain(b"\xff\xfe", lang="hi")),
    ("error.explain.exception_type", "explain-type", lambda: explain(KeyError("x"), lang="hi")),
    ("error.explain.type", "explain-type", lambda: explain(None, lang="hi")),
    ("error.explain.too_long", "too-long", lambda: explain("250 ok\n" * 20_000, lang="hi")),
    ("error.explain.smtplib_form", "smtplib-form", lambda: explain("(535, b'\\x')", lang="hi")),
    ("error.explain.no_server_reply", "no-reply",
     lambda: explain(parse_transcript("C: EHLO a\nS: 250 a").__class__((), ()), lang="hi")),
    ("error.quiz.notebook", "quiz-notebook", _in_hindi_mode(lambda: quiz.select(notebook="09"))),
    ("error.quiz.id", "quiz-id", _in_hindi_mode(lambda: quiz.select(ids=["nope"]))),
    ("error.quiz.topic", "quiz-topic", _in_hindi_mode(lambda: quiz.select(topics=["nope"]))),
    ("error.language", "language", _in_hindi_mode(lambda: smtplesson.set_language("fr"))),
    ("error.samples.group", "sample-group", _in_hindi_mode(lambda: samples.samples("nope"))),
    ("error.series.lesson", "lesson-name", _in_hindi_mode(lambda: series.lesson("99"))),
]


def _lab(**settings):
    from smtplesson.lab import LabServer

    return LabServer(**settings)


_RUNNING: list = []  # one lab started for the rows that get past "is the lab running?"


def _running():
    if not _RUNNING:
        _RUNNING.append(_lab().start())
    return _RUNNING[0]


@pytest.fixture(scope="module", autouse=True)
def _stop_the_running_lab():
    yield
    while _RUNNING:
        _RUNNING.pop().stop()


def _send(lab="running", user="alice", password="x", **settings):
    """send_mail to the running lab (or a lab never started, or whatever ``lab`` is) as alice."""
    from smtplesson.lab import send_mail

    lab = _running() if lab == "running" else _lab() if lab == "stopped" else lab
    return send_mail(lab, user, password, **settings)


def _dialogue(commands):
    from smtplesson.lab import dialogue

    return dialogue(_running(), commands)


def _busy_port():
    from smtplesson.lab import LabServer

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        lab = LabServer(port=holder.getsockname()[1])
        try:
            lab.start()
        finally:
            lab.stop()


#: The lab's errors, in Hindi mode (a LabServer is made, and started only for the busy port).
BAD += [
    ("error.lab.flag", "flag", _in_hindi_mode(lambda: _lab(require_tls="yes"))),
    ("error.lab.accounts_type", "accounts", _in_hindi_mode(lambda: _lab(accounts=[("a", "b")]))),
    ("error.lab.accounts_values", "accounts", _in_hindi_mode(lambda: _lab(accounts={"": "x"}))),
    ("error.lab.host", "loopback-only", _in_hindi_mode(lambda: _lab(host="localhost"))),
    ("error.lab.loopback", "loopback-only", _in_hindi_mode(lambda: _lab(host="8.8.8.8"))),
    ("error.lab.port", "port", _in_hindi_mode(lambda: _lab(port=70000))),
    ("error.lab.tls_mode", "tls-mode", _in_hindi_mode(lambda: _lab(require_tls=True, implicit_tls=True))),
    ("error.lab.text", "text-input", _in_hindi_mode(lambda: _send(sender=5))),
    ("error.lab.recipient_text", "text-input", _in_hindi_mode(lambda: _send(recipients=[5]))),
    ("error.lab.command_text", "text-input", _in_hindi_mode(lambda: _dialogue([5]))),
    ("error.lab.timeout", "timeout", _in_hindi_mode(lambda: _send(timeout=0))),
    ("error.lab.tls_flags", "tls-mode", _in_hindi_mode(lambda: _send(starttls=True, implicit_tls=True))),
    ("error.lab.not_a_lab", "lab", _in_hindi_mode(lambda: _send("lab"))),
    ("error.lab.stopped", "lab-stopped", _in_hindi_mode(lambda: _send("stopped"))),
    ("error.lab.token_user", "credentials", _in_hindi_mode(lambda: _send(user=None, password=None, token="t"))),
    ("error.lab.token_password", "credentials", _in_hindi_mode(lambda: _send(token="t"))),
    ("error.lab.recipients", "text-input", _in_hindi_mode(lambda: _send(recipients=5))),
    ("error.lab.one_line", "one-line", _in_hindi_mode(lambda: _dialogue(["EHLO a\r\nMAIL FROM:<>"]))),
    ("error.lab.app_password_same", "app-passwords",
     _in_hindi_mode(lambda: _lab(app_passwords={"alice": "wonderland"}))),
    ("error.lab.token_form", "tokens", _in_hindi_mode(lambda: _lab(tokens={"alice": "a b"}))),
    ("error.lab.map_type", "tokens", _in_hindi_mode(lambda: _lab(tokens=["alice"]))),
    ("error.lab.map_values", "tokens", _in_hindi_mode(lambda: _lab(tokens={"alice": ""}))),
    ("error.lab.map_user", "tokens", _in_hindi_mode(lambda: _lab(tokens={"bob": "abc"}))),
    ("error.lab.port_in_use", "port-in-use", _in_hindi_mode(_busy_port)),
]
#: Keys no input reaches today, keys only the widgets raise (test_widget_errors_are_told_in_…),
#: and listening errors that need a machine state a test cannot make (root, no IPv6, odd errno).
NOT_IN_BAD = {"error.rule", "error.explain.no_reply", "error.quiz.empty", "error.quiz.names",
              "error.explainbox.type", "error.labpanel.lab", "error.labpanel.starttls",
              "error.lab.listen_permission", "error.lab.no_address", "error.lab.listen"}


@pytest.mark.parametrize("key, rule, call", BAD, ids=[row[0] for row in BAD])
def test_each_error_is_told_in_hindi_with_its_english_rule(key, rule, call):
    with pytest.raises(SmtpLessonError) as raised:
        call()
    error = raised.value
    assert (error.key, error.rule, error.lang) == (key, rule, "hi")
    assert str(error) == error.text("hi") and str(error) != error.text("en")
    words = str(error)  # the sentence we wrote, without what it quotes (input, names, a detail)
    for value in error.values.values():
        if isinstance(value, str) and value:
            words = words.replace(repr(value), " ").replace(value, " ")
    assert_hindi(words, f"the {key} error")
    assert not typography_problems(str(error)), typography_problems(str(error))
    if key != "error.explain.no_reply_code":  # its detail is already in the explanation's language
        assert not _DEVANAGARI.search(error.text("en")), "the English message stays English"
    assert error._render_traceback_() == [
        f"{type(error).__name__}: {error}  (नियम: {rule})"]  # the rule's name stays English


def test_every_error_message_key_is_raised_above_and_every_raise_site_names_a_key():
    keys = {key for key in catalog()["en"] if key.startswith("error.")}
    assert keys - NOT_IN_BAD == {row[0] for row in BAD}
    package = Path(smtplesson.__file__).parent
    used = set()
    for path in package.glob("*.py"):
        used |= set(re.findall(r'\.of\(\s*"([^"]+)"', path.read_text("utf-8")))
    assert used and used <= keys, sorted(used - keys)
    assert {"error.quiz.empty", "error.quiz.names", "error.explainbox.type"} <= used


def test_an_error_speaks_the_language_asked_for_not_the_current_one():
    """explain(lang=...) decides, whatever set_language said; without lang, the current language does."""
    smtplesson.set_language("hi")
    try:
        with pytest.raises(ReplyParseError, match=re.escape("line 1 starts with more than three digits")):
            explain("2500 OK", lang="en")
        with pytest.raises(ReplyParseError, match="पंक्ति 1"):
            explain("2500 OK")
    finally:
        smtplesson.set_language("en")
    with pytest.raises(ReplyParseError) as raised:
        _in_hindi_mode(lambda: parse_transcript("S: 220 hi\nS: 2500 b"))()
    message = str(raised.value)  # a wrapped error is told in one language throughout
    assert message.startswith("ट्रांसक्रिप्ट में पंक्ति 2 से शुरू होने वाला उत्तर: पंक्ति 1 ")
    assert raised.value.text("en").startswith("transcript reply starting at line 2: line 1 starts")
    assert_hindi(message, "a transcript error around a reply error")


def test_parse_errors_are_explained_in_hindi():
    with pytest.raises(ReplyParseError) as error:
        explain("2500 OK", lang="hi")
    assert_hindi(str(error.value), "ReplyParseError for '2500 OK'")


def test_cli_refuses_in_hindi_on_one_line():
    result = run_cli("explain", "--lang", "hi", "2500")
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("smtplesson: "), result.stderr
    assert "2500" in lines[0] and "Traceback" not in result.stderr
    assert_hindi(lines[0].removeprefix("smtplesson: "), "the CLI's error line")


# --- the quiz in Hindi ----------------------------------------------------------------------------

QUIZ_IDS = [question.id for question in quiz.questions("en")]


def _has_letters(text: str) -> bool:
    return bool(re.search(r"[A-Za-z\u0900-\u097f]", text))


@pytest.mark.parametrize("qid", QUIZ_IDS)
def test_every_quiz_question_reads_in_hindi(qid):
    """Prompt, every option, the reason for every option and the explanation: Hindi, in Hindi mode."""
    hindi = quiz.select(ids=[qid], lang="hi")[0]
    english = quiz.select(ids=[qid], lang="en")[0]
    assert hindi.lang == "hi" and english.lang == "en"
    # Only the words change: which option is right, the quoted reply and the tags stay as they are.
    assert (hindi.id, hindi.topic, hindi.reply, hindi.notebook, hindi.key_terms, hindi.recap,
            hindi.answer) == (english.id, english.topic, english.reply, english.notebook,
                              english.key_terms, english.recap, english.answer)
    assert [o.correct for o in hindi.options] == [o.correct for o in english.options]
    texts = [("prompt", hindi.prompt, english.prompt),
             ("explanation", hindi.explanation, english.explanation)]
    texts += [(f"option {chr(65 + i)}", o.text, e.text) for i, (o, e) in
              enumerate(zip(hindi.options, english.options))]
    texts += [(f"reason {chr(65 + i)}", o.why, e.why) for i, (o, e) in
              enumerate(zip(hindi.options, english.options))]
    for where, text, text_en in texts:
        if not _has_letters(text_en):  # an option that is only a code, such as 5.07.8
            assert text == text_en, where
            continue
        assert text != text_en, f"{qid} {where} is the English text"
        assert_hindi(text, f"{qid} {where}")
        # A server reply quoted in the English ('535 5.7.8 …') is quoted verbatim in the Hindi.
        for quoted in _QUOTED.findall(text_en):
            if re.match(r"'[2-5]\d\d[ -]", quoted):
                assert quoted in text, f"{qid} {where} lost {quoted}"
    # A source is a name and a reference (Gmail (nodemailer/nodemailer#1116)); its words are Hindi.
    words = re.sub(r"\([^()]*\)", " ", hindi.source)
    assert not re.search(r"\b(source|quoted|lesson's|seen|through|page)\b", words), hindi.source


def test_quiz_languages_and_the_default_language():
    """questions() follows the current language, like lookup() and explain(); in_language() rewords."""
    first = quiz.questions("en")[0]
    assert quiz.languages(first) == ("en", "hi")
    assert first.in_language("hi") == quiz.questions("hi")[0] and first.in_language("hi").lang == "hi"
    assert quiz.questions()[0] == first
    smtplesson.set_language("hi")
    try:
        assert quiz.questions()[0].lang == "hi" and quiz.select(notebook="04")[0].lang == "hi"
    finally:
        smtplesson.set_language("en")


def _quiz_text(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_the_quiz_widget_speaks_hindi_and_switches_back_and_forth():
    from smtplesson.widgets import Quiz

    widget = Quiz(topics=["530-vs-535"], lang="hi")
    question = widget.current.in_language("hi")
    shown = _quiz_text(widget.question.value)
    assert question.prompt in shown and all(o.text in shown for o in question.options)
    assert t("quiz.english_only", "hi").strip() not in shown
    assert_hindi(shown, "the Hindi quiz question on screen")
    wrong = next(i for i, o in enumerate(question.options) if not o.correct)
    widget.choice.value = wrong
    widget.check.click()
    feedback = _quiz_text(widget.feedback.value)
    assert t("quiz.wrong", "hi") in feedback and question.explanation in feedback
    assert all(o.why in feedback for o in question.options)
    # Switching language redraws the question and the feedback already on screen.
    widget.language.value = "en"
    english = widget.current.in_language("en")
    assert english.prompt in _quiz_text(widget.question.value)
    assert english.explanation in _quiz_text(widget.feedback.value)
    assert "Not quite" in widget.feedback.value
    widget.language.value = "hi"
    assert question.explanation in _quiz_text(widget.feedback.value)
    widget.close()


def test_the_quiz_static_card_in_hindi_has_every_word_in_hindi():
    from smtplesson.widgets import Quiz

    widget = Quiz(lang="hi")
    html = widget.fallback_html()
    text = _quiz_text(html)
    assert t("widget.saved_copy", "hi") in text
    for question in quiz.questions("hi"):
        for words in (question.prompt, question.explanation,
                      *(o.text for o in question.options), *(o.why for o in question.options)):
            assert words in text, words
    assert t("quiz.english_only", "hi").strip() not in text
    widget.close()


# --- English inside a Hindi card is marked lang="en" ------------------------------------------------

class _LanguageOfText(HTMLParser):
    """Every piece of text in a card, with the language it is marked with (the nearest lang)."""

    VOID = {"br", "hr", "img", "meta", "input", "col", "wbr", "link"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.texts: list[tuple[str, str]] = []
        self.feed(html)
        self.close()
        assert self.stack == [], "the card's tags are balanced"

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(dict(attrs).get("lang") or (self.stack[-1] if self.stack else ""))

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip():
            self.texts.append((self.stack[-1] if self.stack else "", data))

    def text(self, lang: str) -> str:
        return "\n".join(data for data_lang, data in self.texts if data_lang == lang)


def _assert_marked(html: str, english: list[str], where: str) -> _LanguageOfText:
    """Each of ``english`` is marked lang="en"; all that is marked Hindi reads as Hindi."""
    card = _LanguageOfText(html)
    assert card.texts and card.texts[0][0] == "hi", where
    marked_english = card.text("en")
    for text in english:
        assert text in marked_english, f"{where}: {text!r} is not marked lang='en'"
        assert text not in card.text("hi"), f"{where}: {text!r} sits in Hindi"
    assert_hindi(card.text("hi"), f"the Hindi of {where}")
    return card


GMAIL_535 = ("535-5.7.8 Username and Password not accepted. Learn more at\n"
             "535 5.7.8  https://support.google.com/mail/?p=BadCredentials a1b2c3 - gsmtp")


@pytest.mark.parametrize("reply", [
    "535 5.7.8 Authentication credentials invalid", GMAIL_535,
    "535 5.7.139 Authentication unsuccessful, the user credentials were incorrect.",
    "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
    "534 5.7.9 Application-specific password required", "435 Unable to authenticate at present"])
def test_a_hindi_explanation_marks_the_reply_as_english(reply):
    explanation = explain(reply, lang="hi")
    english = [str(explanation.reply)]
    item = explanation.items[-1]
    if item.enhanced is not None and item.enhanced.advice and item.provider is None:
        english.append(item.enhanced.title)  # the registry's title, shown in English
    _assert_marked(explanation._repr_html_(), english, f"explain({reply!r}, lang='hi')")


def test_a_hindi_transcript_marks_every_line_on_the_wire_and_what_base64_decodes_to():
    transcript = ("S: 220 lab ESMTP\nC: EHLO me\nS: 250-lab\nS: 250 AUTH PLAIN LOGIN\n"
                  "C: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 Authentication credentials invalid\n"
                  "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: *\nS: 501 5.7.0 Auth aborted\nC: QUIT\n"
                  "S: 221 Bye\n")
    explanation = explain(transcript, lang="hi")
    lines = [f"{line.side}: {line.text}" for line in explanation.transcript.lines]
    card = _assert_marked(explanation._repr_html_(), lines + ["\\0alice\\0wrong", "Username:"],
                          "a Hindi transcript")
    assert t("card.b64_cancel", "hi") in card.text("hi")
    assert "cancel" not in card.text("hi")


def test_a_hindi_code_card_marks_text_still_in_english():
    english = lookup(251, "en")  # as if 251 had no Hindi: the notice says so, the text is marked
    card = _assert_marked(code_card_html(english, "hi"), [english.name, english.meaning],
                          "an English entry on a Hindi card")
    assert t("card.untranslated", "hi") in card.text("hi")
    hindi = _LanguageOfText(code_card_html(lookup(535, "hi"), "hi"))
    assert hindi.text("en") == ""  # a card all in Hindi marks nothing


def test_a_hindi_quiz_card_marks_the_quoted_reply_and_an_english_card_marks_nothing():
    from smtplesson.widgets import Quiz

    widget = Quiz(topics=["classify"], lang="hi")
    replies = [question.reply for question in widget.asked if question.reply]
    _assert_marked(widget.fallback_html(), replies, "the Hindi quiz card")
    widget.language.value = "en"
    english = widget.fallback_html()
    assert "<span lang=" not in english and "<pre lang=" not in english
    assert {lang for lang, _ in _LanguageOfText(english).texts} == {"en"}
    widget.close()


# --- widget errors in the widget's language --------------------------------------------------------

def test_widget_errors_are_told_in_the_widgets_language():
    from smtplesson.widgets import ExplainBox, Quiz

    with pytest.raises(SmtpLessonError) as raised:
        Quiz(topics=[5], lang="hi")
    assert raised.value.key == "error.quiz.names" and raised.value.lang == "hi"
    assert_hindi(str(raised.value).replace("topics", " "), "Quiz(topics=[5], lang='hi')")
    with pytest.raises(SmtpLessonError, match="^ExplainBox समझाने के लिए"):
        ExplainBox(["535"], lang="hi")
    from smtplesson.widgets import LabPanel

    for bad, key in ((dict(lab="lab"), "error.labpanel.lab"), (dict(starttls="maybe"), "error.labpanel.starttls"),
                     (dict(user=None), "error.lab.text")):
        with pytest.raises(SmtpLessonError) as raised:
            LabPanel(lang="hi", **bad)
        assert raised.value.key == key and raised.value.lang == "hi", bad
        assert _DEVANAGARI.search(str(raised.value)), str(raised.value)
    box = ExplainBox("2500 OK", lang="hi")
    assert "पंक्ति 1 तीन से ज़्यादा अंकों से शुरू होती है" in box.problem.value
    box.language.value = "en"  # the message on screen follows the language
    assert "line 1 starts with more than three digits" in box.problem.value
    box.close()
