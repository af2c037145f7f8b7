"""Every message exists in every language, none is empty, all is NFC, placeholders agree."""

import csv
import json
import string
import unicodedata
from importlib import resources

import pytest

import smtplesson
from smtplesson.i18n import LANGUAGES, catalog, t

DATA = resources.files("smtplesson").joinpath("data")
#: Messages that may be empty in a language (the quiz note only matters where questions differ).
MAY_BE_EMPTY = {("en", "quiz.english_only")}


def placeholders(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_in_every_language_none_empty_all_nfc():
    messages = catalog()
    assert set(messages) == set(LANGUAGES)
    keys = set(messages["en"])
    for lang in LANGUAGES:
        assert set(messages[lang]) == keys, f"{lang}: {sorted(keys ^ set(messages[lang]))}"
        for key, text in messages[lang].items():
            assert text.strip() or (lang, key) in MAY_BE_EMPTY, f"{lang}:{key} is empty"
            assert unicodedata.normalize("NFC", text) == text, f"{lang}:{key} is not NFC"
            assert placeholders(text) == placeholders(messages["en"][key]), f"{lang}:{key}"


def test_hindi_facet_headings():
    assert [t(f"facet.{key}", "hi") for key in
            ("description", "when_you_see_it", "how_to_fix", "key_difference", "when_to_use_which")] == [
        "विवरण", "जब आप इसे देखें", "कैसे ठीक करें", "मुख्य अंतर", "कब किसका उपयोग करें"]


def test_hindi_code_texts_and_contrasts_are_complete_and_nfc():
    rows = list(csv.DictReader(DATA.joinpath("codes.hi.csv").read_text("utf-8").splitlines()))
    english = {int(row["code"]) for row in csv.DictReader(
        DATA.joinpath("codes.csv").read_text("utf-8").splitlines())}
    assert {250, 535, 235, 530, 534, 538, 454, 550} <= {int(row["code"]) for row in rows}
    for row in rows:
        assert int(row["code"]) in english
        for field in ("name", "meaning", "when_you_see_it", "how_to_fix"):
            assert row[field].strip(), (row["code"], field)
        for value in row.values():
            assert unicodedata.normalize("NFC", value) == value
    pairs = json.loads(DATA.joinpath("contrasts.json").read_text("utf-8"))
    for pair, texts in pairs.items():
        for lang in LANGUAGES:
            for key in ("key_difference", "when_to_use_which"):
                text = texts[lang][key]
                assert text.strip() and unicodedata.normalize("NFC", text) == text, (pair, lang, key)


def test_compare_250_535_in_hindi():
    """The names and the key difference in Hindi words (test_facts.py checks every cell)."""
    card = smtplesson.compare(250, 535, lang="hi")
    assert [facet.heading for facet in card.facets][0] == "विवरण"
    assert (card.a.lang, card.b.lang) == ("hi", "hi")
    assert (card.a.name, card.b.name) == ("माँगा गया काम हो गया", "प्रमाणीकरण क्रेडेंशियल अमान्य")
    difference = card.facet("key_difference").a
    assert difference.startswith("250 एक 2yz उत्तर है, यानी सफल (काम पूरा)")
    assert "535 एक 5yz उत्तर है, यानी स्थायी विफलता, और यह केवल AUTH का उत्तर देता है" in difference
    assert "सफल लॉग इन 235 होता है, 250 नहीं" in difference
    assert 'lang="hi"' in card._repr_html_()


def test_set_language_switches_the_default_and_rejects_unknown():
    try:
        smtplesson.set_language("hi")
        assert smtplesson.get_language() == "hi"
        assert smtplesson.compare(250, 535).facets[0].heading == "विवरण"
        assert "स्थायी विफलता" in str(smtplesson.explain("535 5.7.8 x"))
    finally:
        smtplesson.set_language("en")
    with pytest.raises(ValueError, match="unknown language") as caught:
        smtplesson.set_language("fr")
    assert caught.value.rule == "language" and smtplesson.get_language() == "en"


def test_untranslated_code_is_marked_not_silently_english():
    # Every catalogued code has Hindi now (tests/test_hindi.py); an entry still in English
    # shown on a Hindi card must say so.
    assert smtplesson.lookup(251, lang="hi").lang == "hi"
    entry = smtplesson.lookup(251, lang="en")
    assert t("card.untranslated", "hi") in smtplesson.cards.code_card_html(entry, "hi")
    assert t("card.untranslated", "hi") not in smtplesson.cards.code_card_html(
        smtplesson.lookup(251, lang="hi"), "hi")
