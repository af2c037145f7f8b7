"""The catalogue: every code the RFCs define is present, sourced, and decoded from its digits."""

import csv
import json
import re
from importlib import resources

import pytest

import smtplesson
from smtplesson import ReplyParseError, codes, enhanced_codes, enhanced_parts, lookup, lookup_enhanced
from smtplesson.catalogue import COMMANDS

RFC5321 = [211, 214, 220, 221, 250, 251, 252, 354, 421, 450, 451, 452, 455,
           500, 501, 502, 503, 504, 550, 551, 552, 553, 554, 555]
RFC4954 = [235, 334, 432, 454, 500, 501, 503, 504, 530, 534, 535, 538]
RFC3207 = [220, 454, 501, 530, 554]
RFC7504 = [521, 556]
ENHANCED = ["2.0.0", "2.1.0", "2.1.5", "2.6.0", "2.7.0", "4.2.0", "4.3.1", "4.7.0", "5.1.1",
            "5.1.3", "5.3.4", "5.5.1", "5.5.2", "5.5.4", "5.7.0", "5.7.1", "5.7.8", "5.7.9",
            "5.7.11", "5.7.14"]
FACETS = ["meaning", "when_you_see_it", "how_to_fix", "rfc"]


@pytest.mark.parametrize("code", sorted(set(RFC5321 + RFC4954 + RFC3207 + RFC7504)))
def test_every_rfc_code_is_present_with_every_facet(code):
    entry = lookup(code)
    assert entry.defined
    for facet in FACETS + ["name"]:
        assert getattr(entry, facet).strip(), f"{code} has an empty {facet}"
    assert entry.related, f"{code} lists no related codes"
    assert entry.commands, f"{code} lists no commands"


@pytest.mark.parametrize("code, rfc", [(c, "RFC 5321") for c in RFC5321]
                         + [(c, "RFC 4954") for c in RFC4954]
                         + [(c, "RFC 3207") for c in RFC3207]
                         + [(c, "RFC 7504") for c in RFC7504])
def test_each_code_cites_the_rfc_that_defines_it(code, rfc):
    assert rfc in lookup(code).rfc
    assert re.search(r"§\d", lookup(code).rfc), "the source names a section"


def test_250_and_535_get_the_fullest_text():
    lengths = {c: len(lookup(c).meaning) + len(lookup(c).how_to_fix) for c in codes().index}
    top = sorted(lengths, key=lengths.get, reverse=True)[:6]
    assert 250 in top and 535 in top


def test_535_names_the_real_causes():
    fix = lookup(535).how_to_fix
    for cause in ("app password", "5.7.139", "SES", "apikey"):
        assert cause in fix


def test_250_after_data_is_accepted_not_delivered():
    assert "not that the message has been delivered" in lookup(250).meaning
    assert "235" in lookup(250).meaning


def test_frame_shape_and_derived_columns():
    frame = codes()
    assert frame.index.name == "code"
    assert {"reply_class", "category", "meaning", "when_you_see_it", "how_to_fix", "rfc"} <= set(frame.columns)
    assert frame.loc[250, "reply_class"] == "positive completion"
    assert frame.loc[535, "reply_class"] == "permanent negative completion"
    assert frame.loc[454, "category"] == "mail system"   # 454 is x5z by its digits
    assert frame.loc[535, "category"] == "unspecified"
    for code, row in frame.iterrows():
        assert row["reply_class"] == smtplesson.digits.REPLY_CLASSES[code // 100]


def test_commands_use_the_fixed_vocabulary_and_related_codes_exist():
    frame = codes()
    for code, row in frame.iterrows():
        assert set(row["commands"].split()) <= set(COMMANDS), code
        for other in row["related"].split():
            assert int(other) in frame.index, f"{code} relates to unknown {other}"


def test_the_data_files_hold_no_class_or_category_columns():
    # class and category come from the digits, never from the files (no second source of truth)
    text = resources.files("smtplesson").joinpath("data", "codes.csv").read_text("utf-8")
    header = next(csv.reader([text.splitlines()[0]]))
    assert "reply_class" not in header and "category" not in header


@pytest.mark.parametrize("code", ENHANCED)
def test_enhanced_codes_learners_meet(code):
    entry = lookup_enhanced(code)
    assert entry.registered and entry.title.strip()
    assert entry.meaning.strip() and entry.rfc.strip()
    assert entry.registry_code in enhanced_codes().index


def test_every_enhanced_class_and_subject():
    parts = enhanced_parts()
    assert sorted(parts[parts.part == "class"].key.astype(int)) == [2, 4, 5]
    assert sorted(parts[parts.part == "subject"].key.astype(int)) == list(range(8))
    assert parts.meaning.str.strip().astype(bool).all()


@pytest.mark.parametrize("code, vendor", [("5.7.139", "Microsoft"), ("5.7.3", "Microsoft"),
                                          ("5.7.14", "Google")])
def test_vendor_meanings_are_marked(code, vendor):
    entry = lookup_enhanced(code)
    assert vendor in entry.vendor and entry.vendor_meaning


def test_unregistered_vendor_code_says_so():
    assert "Not in the IANA registry" in lookup_enhanced("5.7.139").meaning


def test_registry_codes_hold_in_every_class_and_unregistered_ones_say_so():
    # The registry lists X.7.8 once for every class (RFC 3463 §2), so 4.7.8 decodes like 5.7.8.
    assert lookup_enhanced("4.7.8").meaning == lookup_enhanced("5.7.8").meaning
    assert lookup_enhanced("4.7.8").registered and lookup_enhanced("4.7.8").class_name == "Persistent transient failure"
    unknown = lookup_enhanced("5.7.99")
    assert not unknown.listed and not unknown.registered
    assert "not in the IANA registry" in unknown.meaning and "server's own" in unknown.meaning
    odd = lookup_enhanced("5.9.9")
    assert odd.class_name == "Permanent failure" and "subject 9" in odd.subject_name


@pytest.mark.parametrize("code, first_words", [(559, "No RFC defines 559"), (435, "No RFC defines 435")])
def test_undefined_codes_are_decoded_by_their_digits(code, first_words):
    entry = lookup(code)
    assert not entry.defined
    assert entry.meaning.startswith(first_words)
    assert entry.reply_class in entry.meaning
    assert "none" in entry.rfc


@pytest.mark.parametrize("bad, rule", [(600, "first-digit"), (199, "first-digit"), (260, "second-digit"),
                                       ("25", "three-digits"), ("abc", "three-digits"),
                                       (2500, "three-digits"), (None, "code-type"), (True, "code-type")])
def test_bad_codes_raise_with_the_rule(bad, rule):
    with pytest.raises(ReplyParseError) as caught:
        lookup(bad)
    assert caught.value.rule == rule


def test_lookup_accepts_strings():
    assert lookup("535") == lookup(535)


def test_contrasts_cover_the_pairs_learners_confuse():
    pairs = json.loads(resources.files("smtplesson").joinpath("data", "contrasts.json").read_text("utf-8"))
    for pair in ("250-535", "530-535", "454-535", "534-535", "535-538", "235-535", "250-550"):
        assert pairs[pair]["en"]["key_difference"] and pairs[pair]["en"]["when_to_use_which"]


def test_lookup_enhanced_checks_the_language_and_keeps_the_registry_facts():
    from smtplesson import SmtpLessonError

    english, hindi = lookup_enhanced("5.7.13", "en"), lookup_enhanced("5.7.13", "hi")
    assert (hindi.title, hindi.registered, hindi.basic_codes) == (english.title, True, (525,))
    assert hindi.lang in ("en", "hi")
    with pytest.raises(SmtpLessonError) as caught:
        lookup_enhanced("5.7.13", "xx")
    assert caught.value.rule == "language"


def test_codes_frame_marks_vendor_commands():
    frame = codes()
    assert frame.loc[454, "vendor_commands"] == "RCPT"
    assert "AUTH" in frame.loc[550, "commands"].split() and frame.loc[550, "vendor_commands"] == "AUTH"
    assert frame.loc[535, "vendor_commands"] == ""


# --- enhanced codes in Hindi (enhanced.hi.csv, enhanced_parts.hi.csv) -----------------------------

def test_lookup_enhanced_in_hindi_translates_words_not_facts():
    english, hindi = lookup_enhanced("5.7.8", "en"), lookup_enhanced("5.7.8", "hi")
    assert hindi.lang == "hi" and english.lang == "en"
    assert (hindi.class_name, hindi.subject_name) == ("स्थायी विफलता", "सुरक्षा या नीति का स्टेटस")
    assert (english.class_name, english.subject_name) == ("Permanent failure", "Security or policy status")
    assert hindi.meaning != english.meaning and "AUTH" in hindi.meaning and "क्रेडेंशियल" in hindi.meaning
    # The registry's title is its name for the code: it stays English, like an RFC's name.
    assert hindi.title == english.title == "Authentication credentials invalid"
    assert (hindi.code, hindi.rfc, hindi.basic_codes, hindi.registered) == (
        english.code, english.rfc, english.basic_codes, english.registered)


def test_lookup_enhanced_in_hindi_keeps_vendor_facts_and_quotes():
    entry = lookup_enhanced("5.7.139", "hi")
    assert (entry.vendor, entry.registered, entry.basic_codes, entry.lang) == ("Microsoft", False, (535,), "hi")
    assert "'535 5.7.139 Authentication unsuccessful, ...'" in entry.vendor_meaning
    assert "RFC 3463 §2" in entry.rfc and "none" not in entry.rfc
    gmail = lookup_enhanced("5.7.14", "hi")
    # A vendor's reuse of a registered code: the vendor's fix first, then the registry's, both Hindi.
    assert gmail.advice.startswith("Gmail का '534-5.7.14") and "एडमिन" in gmail.advice
    assert gmail.registered and gmail.title == "Trust relationship required"


def test_unlisted_enhanced_code_in_hindi():
    entry = lookup_enhanced("4.1.99", "hi")
    assert not entry.listed and entry.lang == "hi"
    assert entry.meaning.startswith("4.1.99 IANA की एन्हांस्ड स्टेटस कोड रजिस्ट्री में नहीं है")
    assert "अस्थायी विफलता" in entry.meaning and "पते का स्टेटस" in entry.meaning
    assert lookup_enhanced("5.9.1", "hi").subject_name == "विषय 9 (RFC 3463 में परिभाषित नहीं)"
    assert lookup_enhanced("5.9.1", "en").subject_name == "subject 9 (not defined by RFC 3463)"


def test_enhanced_frames_stay_english():
    """The DataFrames are the registry as published; Hindi is for what a learner reads on a card."""
    parts = enhanced_parts()
    assert set(parts.loc[parts["part"] == "class", "name"]) == {
        "Success", "Persistent transient failure", "Permanent failure"}
    assert enhanced_codes().loc["X.7.8", "meaning"] == lookup_enhanced("5.7.8", "en").meaning
