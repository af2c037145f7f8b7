"""What a learner reads, checked against expectations written out here (issue 13, part 1).

Nothing below is read from ``smtplesson/data`` or recomputed with the package's own tables: each
expected phrase, name and answer is typed into this file, so a wrong row in a data file, a swapped
column or a flipped answer key fails here even when ``make notebooks`` has re-recorded it.
test_truth.py covers the catalogue (classes, categories, key codes, enhanced codes); this file
covers what is built on it: the 250-vs-535 comparison in English and Hindi, the quiz's answer
key, the verdict of a dialogue, the 512-octet line limit, the smtplib form and the category
words on every card.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from smtplesson import ReplyParseError, compare, explain, lookup, parse_reply, parse_transcript
from smtplesson import digits
from smtplesson.cards import class_line
from smtplesson.quiz import questions

# --- compare(250, 535): every facet, both sides, English and Hindi -------------------------------

#: Phrases that each cell of compare(250, 535) must hold, by language, facet and side ("a" is
#: 250, "b" is 535; the two pair facets have one shared cell, "a"). Each phrase belongs to one
#: cell only, so a cell showing another cell's text fails twice: its own phrases are missing and
#: a foreign one is there.
CELLS = {
    "en": {
        ("description", "a"): ("everyday positive reply", "A successful login is not 250"),
        ("description", "b"): ("checked the credentials sent in the AUTH exchange",
                               "enhanced code 5.7.8"),
        ("when_you_see_it", "a"): ("It never answers AUTH (235)", "the DATA command itself (354)"),
        ("when_you_see_it", "b"): ("After AUTH", "in answer to a 334"),
        ("how_to_fix", "a"): ("Nothing to fix", "queue id"),
        ("how_to_fix", "b"): ("Stop and change what you send", "'apikey'"),
        ("key_difference", "a"): ("never answer the same command",
                                  "the first digit tells you whether it worked"),
        ("when_to_use_which", "a"): ("250 means: send the next command",
                                     "One vendor exception"),
    },
    "hi": {
        ("description", "a"): ("रोज़मर्रा का सफल उत्तर", "AUTH की सफलता 235 है"),
        ("description", "b"): ("AUTH एक्सचेंज में भेजे गए क्रेडेंशियल", "एन्हांस्ड कोड 5.7.8"),
        ("when_you_see_it", "a"): ("यह कभी AUTH (235)", "स्वयं DATA कमांड (354)"),
        ("when_you_see_it", "b"): ("AUTH के बाद", "334 के जवाब में"),
        ("how_to_fix", "a"): ("ठीक करने को कुछ नहीं है", "क्यू आईडी"),
        ("how_to_fix", "b"): ("रुकें और जो भेज रहे हैं उसे बदलें", "'apikey'"),
        ("key_difference", "a"): ("कभी एक ही कमांड का उत्तर नहीं देते", "पहला अंक बताता है"),
        ("when_to_use_which", "a"): ("250 का अर्थ है: अगली कमांड भेजें", "एक वेंडर अपवाद"),
    },
}
HEADINGS = {
    "en": ["Description", "When you see it", "How to fix", "Key difference", "When to use which"],
    "hi": ["विवरण", "जब आप इसे देखें", "कैसे ठीक करें", "मुख्य अंतर", "कब किसका उपयोग करें"],
}
KEYS = ["description", "when_you_see_it", "how_to_fix", "key_difference", "when_to_use_which"]
NAMES = {
    "en": {250: "Requested action done", 535: "Authentication credentials invalid"},
    "hi": {250: "माँगा गया काम हो गया", 535: "प्रमाणीकरण क्रेडेंशियल अमान्य"},
}
CLASS_WORDS = {
    "en": {250: "positive completion", 535: "permanent negative completion"},
    "hi": {250: "सफल (काम पूरा)", 535: "स्थायी विफलता"},
}


def _cell_check(text: str, lang: str, cell: tuple[str, str]) -> list[str]:
    """What is wrong with ``text`` as the cell ``cell``: missing own phrases, present foreign ones."""
    problems = [f"lacks {phrase!r}" for phrase in CELLS[lang][cell] if phrase not in text]
    for other, phrases in CELLS[lang].items():
        if other != cell:
            problems += [f"holds {phrase!r} of {other}" for phrase in phrases if phrase in text]
    return problems


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_compare_250_535_every_facet_on_both_sides(lang):
    card = compare(250, 535, lang=lang)
    assert (card.a.code, card.b.code, card.lang, card.curated) == (250, 535, lang, True)
    assert (card.a.name, card.b.name) == (NAMES[lang][250], NAMES[lang][535])
    assert [facet.key for facet in card.facets] == KEYS
    assert [facet.heading for facet in card.facets] == HEADINGS[lang]
    problems = []
    for facet in card.facets:
        pair = facet.key in ("key_difference", "when_to_use_which")
        assert facet.shared is pair, facet.key
        for side in ("a",) if pair else ("a", "b"):
            text = getattr(facet, side)
            problems += [f"{lang} {facet.key} {side}: {p}" for p in _cell_check(text, lang, (facet.key, side))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_compare_535_250_puts_each_code_in_its_own_column(lang):
    """Asked the other way round, the columns swap with the codes; the pair texts stay."""
    card = compare(535, 250, lang=lang)
    assert (card.a.code, card.b.code) == (535, 250)
    for facet in card.facets:
        if facet.shared:
            assert not _cell_check(facet.a, lang, (facet.key, "a")), facet.key
        else:
            assert not _cell_check(facet.a, lang, (facet.key, "b")), f"{facet.key}: 535's column"
            assert not _cell_check(facet.b, lang, (facet.key, "a")), f"{facet.key}: 250's column"


class _Table(HTMLParser):
    """Rows of the first table in a card: each row as a list of (tag, colspan, text) cells."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, int, str]]] = []
        self._cell: list[str] | None = None
        self._tag = ""
        self._span = 1

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell, self._tag = [], tag
            self._span = int(dict(attrs).get("colspan") or 1)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append((self._tag, self._span, "".join(self._cell).strip()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def card_rows(html: str) -> list[list[tuple[str, int, str]]]:
    parser = _Table()
    parser.feed(html)
    return parser.rows


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_compare_card_html_has_each_text_in_its_column(lang):
    """The card a static page shows: heading column, then 250's column, then 535's."""
    rows = card_rows(compare(250, 535, lang=lang)._repr_html_())
    header, body = rows[0], rows[1:]
    assert [text for _, _, text in header][1:] == [
        f"✔ 250 · {CLASS_WORDS[lang][250]}{NAMES[lang][250]}",
        f"✘ 535 · {CLASS_WORDS[lang][535]}{NAMES[lang][535]}"]
    assert [row[0][2] for row in body] == HEADINGS[lang]
    for key, row in zip(KEYS, body):
        cells = row[1:]
        if key in ("key_difference", "when_to_use_which"):
            assert [(tag, span) for tag, span, _ in cells] == [("td", 2)], key
            assert not _cell_check(cells[0][2], lang, (key, "a")), key
        else:
            assert [(tag, span) for tag, span, _ in cells] == [("td", 1), ("td", 1)], key
            assert not _cell_check(cells[0][2], lang, (key, "a")), f"{key}: 250's column"
            assert not _cell_check(cells[1][2], lang, (key, "b")), f"{key}: 535's column"


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_compare_text_labels_each_side_with_its_code(lang):
    lines = str(compare(250, 535, lang=lang)).splitlines()
    assert lines[0].startswith(f"✔ 250 {NAMES[lang][250]}") and f"✘ 535 {NAMES[lang][535]}" in lines[0]
    for key, heading in zip(KEYS, HEADINGS[lang]):
        at = lines.index(f"{heading}:")
        if key in ("key_difference", "when_to_use_which"):
            assert not _cell_check(lines[at + 1], lang, (key, "a")), key
        else:
            assert lines[at + 1].startswith("  250: ") and lines[at + 2].startswith("  535: ")
            assert not _cell_check(lines[at + 1], lang, (key, "a")), f"{key}: the 250 line"
            assert not _cell_check(lines[at + 2], lang, (key, "b")), f"{key}: the 535 line"


def test_compare_frame_columns_are_the_codes():
    frame = compare(250, 535).to_frame()
    assert list(frame.columns) == [250, 535] and list(frame.index) == HEADINGS["en"]
    for key, heading in zip(KEYS, HEADINGS["en"]):
        first, second = frame.loc[heading, 250], frame.loc[heading, 535]
        if key in ("key_difference", "when_to_use_which"):
            assert first == second and not _cell_check(first, "en", (key, "a"))
        else:
            assert not _cell_check(first, "en", (key, "a")) and not _cell_check(second, "en", (key, "b"))


# --- the quiz's answer key -------------------------------------------------------------------------

#: Question id -> (number of options, words the one correct option holds). The questions are
#: about plain facts, so their ids and answers stay put while the wording around them changes.
#: A flipped key marks another option correct: that option lacks the words and the test fails.
ANSWERS = {
    "classify-gmail-535-multiline": (4, ("One 535 reply", "two lines", "permanent")),
    "classify-microsoft-535-5-7-139": (4, ("5yz permanent negative completion", "unspecified")),
    "classify-postfix-250-rcpt": (3, ("recipient is accepted", "2yz")),
    "classify-exim-435": (4, ("first digit", "transient")),
    "classify-exim-354": (3, ("Not yet", "positive intermediate")),
    "classify-postfix-221": (3, ("2yz positive completion", "x2z (connections)")),
    "classify-postfix-421": (3, ("4yz transient negative completion", "x2z (connections)")),
    "530-ses-authentication-required": (3, ("No:", "without having logged in")),
    "530-microsoft-5-7-57": (4, ("reached MAIL FROM without a successful login",)),
    "530-lab-two-sessions": (4, ("A: 530 5.7.0", "B: 535 5.7.8")),
    "454-gmail-too-many-attempts": (4, ("wait", "try again later")),
    "454-postfix-starttls": (4, ("TLS cannot start right now",)),
    "454-postfix-auth-tempfail": (3, ("Retry later with the same credentials",)),
    "534-rfc-meaning": (4, ("534 (5.7.9)", "too weak", "535 (5.7.8)")),
    "250-auth-success-is-235": (3, ("235, never 250",)),
    "enhanced-class-must-match": (4, ("535 4.7.0",)),
    "enhanced-well-formed": (4, ("5.07.8",)),
}


def test_the_answer_key_questions_are_all_there():
    """A question that is dropped or renamed fails here by name, it is not skipped."""
    ids = {question.id for question in questions()}
    missing = sorted(set(ANSWERS) - ids)
    assert not missing, f"quiz questions gone from quiz.json (update ANSWERS with care): {missing}"


@pytest.mark.parametrize("qid", sorted(ANSWERS))
def test_the_answer_key(qid):
    by_id = {question.id: question for question in questions()}
    assert qid in by_id, f"quiz question {qid!r} is gone from quiz.json"
    question = by_id[qid]
    count, words = ANSWERS[qid]
    assert len(question.options) == count
    correct = [option for option in question.options if option.correct]
    assert len(correct) == 1, f"{qid} has {len(correct)} correct options"
    assert question.options[question.answer] is correct[0]
    for word in words:
        assert word in correct[0].text, f"{qid}: the option marked correct is {correct[0].text!r}"
    for option in question.options:
        if not option.correct:
            assert not all(word in option.text for word in words), f"{qid}: {option.text!r}"
        assert option.why.strip(), f"{qid}: an option without its reason"


# --- the verdict of a dialogue: a refusal that is undone later is not the verdict ----------------

EHLO = "S: 220 lab ESMTP\nC: EHLO me\nS: 250-lab\nS: 250 AUTH PLAIN LOGIN\n"
AUTH = "C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\n"
S538 = "S: 538 5.7.11 Encryption required for requested authentication mechanism\n"
STARTTLS = "C: STARTTLS\nS: 220 2.0.0 Ready to start TLS\nC: EHLO me\nS: 250 AUTH PLAIN LOGIN\n"
QUIT = "C: QUIT\nS: 221 2.0.0 Bye\n"
SUCCEEDED = {"en": "Authentication succeeded", "hi": "प्रमाणीकरण सफल रहा"}
FAILED = {"en": "Authentication failed", "hi": "प्रमाणीकरण विफल रहा"}


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_538_then_starttls_then_235_is_recovered(lang):
    text = EHLO + AUTH + S538 + STARTTLS + AUTH + "S: 235 2.7.0 Authentication successful\n" + QUIT
    verdict = explain(text, lang=lang).verdict
    assert verdict.startswith(SUCCEEDED[lang]) and "(235)" in verdict, verdict
    assert "538" not in verdict


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_538_then_starttls_then_535_is_the_535(lang):
    text = EHLO + AUTH + S538 + STARTTLS + AUTH + "S: 535 5.7.8 Authentication credentials invalid\n" + QUIT
    verdict = explain(text, lang=lang).verdict
    assert verdict.startswith(FAILED[lang]) and "535" in verdict and "538" not in verdict, verdict
    assert NAMES[lang][535] in verdict


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_refusal_not_undone_is_the_verdict(lang):
    """538 and then only other commands succeed (STARTTLS, EHLO, QUIT): the 538 stands."""
    verdict = explain(EHLO + AUTH + S538 + STARTTLS + QUIT, lang=lang).verdict
    assert verdict.startswith(FAILED[lang]) and "538" in verdict, verdict


def test_the_refusal_left_standing_is_named_with_its_command():
    text = (EHLO + "C: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 Authentication credentials invalid\n"
            + AUTH + "S: 235 2.7.0 Authentication successful\n"
            "C: MAIL FROM:<alice@lab.example>\nS: 250 2.1.0 Ok\n"
            "C: RCPT TO:<nobody@lab.example>\nS: 550 5.1.1 No such user\n" + QUIT)
    verdict = explain(text).verdict
    assert verdict.startswith("The server refused with 550 (") and verdict.endswith(
        ") in answer to RCPT TO:<nobody@lab.example>."), verdict


def test_a_refused_recipient_undone_by_a_later_recipient_and_a_delivered_message():
    text = ("S: 220 lab\nC: MAIL FROM:<a@lab.example>\nS: 250 Ok\n"
            "C: RCPT TO:<gone@lab.example>\nS: 550 5.1.1 No such user\n"
            "C: RCPT TO:<bob@lab.example>\nS: 250 Ok\nC: DATA\nS: 354 go ahead\nC: Hi\nC: .\n"
            "S: 250 2.0.0 Ok: queued as 4F2A\n" + QUIT)
    verdict = explain(text).verdict
    assert verdict.startswith("The message was accepted: 250 after the final dot"), verdict


def test_mail_refused_with_530_is_named_with_its_command_not_as_a_login_failure():
    text = ("S: 220 lab\nC: EHLO me\nS: 250 lab\nC: MAIL FROM:<a@lab.example>\n"
            "S: 530 5.7.0 Authentication required\n" + QUIT)
    verdict = explain(text).verdict
    assert verdict.startswith("The server refused with 530 (") and verdict.endswith(
        ") in answer to MAIL FROM:<a@lab.example>."), verdict


def test_a_session_with_no_refusal_and_no_login():
    verdict = explain("S: 220 lab\nC: EHLO me\nS: 250 lab\n" + QUIT).verdict
    assert verdict == "The session ends with no refusal left standing."


# --- the 512-octet reply line (RFC 5321 §4.5.3.1.5) -------------------------------------------------

def _line(octets: int) -> str:
    """A reply line of exactly ``octets`` octets counting its CRLF: '250 xxx…\\r\\n'."""
    line = "250 " + "x" * (octets - 6) + "\r\n"
    assert len(line.encode("ascii")) == octets
    return line


@pytest.mark.parametrize("octets", [511, 512])
def test_a_reply_line_of_up_to_512_octets_parses(octets):
    for text in (_line(octets), _line(octets)[:-2]):       # with its CRLF, or as pasted without
        reply = parse_reply(text)
        assert reply.code == 250 and len(reply.lines[0]) == octets - 6


def test_a_reply_line_of_513_octets_is_refused_by_name():
    for text in (_line(513), _line(513)[:-2], "250-first\r\n" + _line(513)):
        with pytest.raises(ReplyParseError) as caught:
            parse_reply(text)
        assert caught.value.rule == "line-length"
        assert "513 octets" in str(caught.value) and "512" in str(caught.value)
    with pytest.raises(ReplyParseError, match="line 2 is 513 octets"):
        parse_reply("250-first\r\n" + _line(513))


def test_the_limit_holds_for_every_line_of_a_multiline_reply():
    reply = parse_reply("250-" + "a" * 506 + "\r\n" + _line(512))
    assert [len(line) for line in reply.lines] == [506, 506]


def test_the_limit_holds_inside_a_transcript_and_explain():
    with pytest.raises(ReplyParseError) as caught:
        parse_transcript("S: 220 lab\nC: EHLO me\nS: " + _line(513)[:-2])
    assert caught.value.rule == "line-length"
    # explain() is forgiving: it reads an over-long line anyway, and says the server broke the limit.
    fits = explain(_line(512)[:-2]).items[0]
    assert fits.reply.code == 250 and not any("octets" in note for note in fits.notes)
    over = explain(_line(513)[:-2]).items[0]
    assert over.reply.code == 250
    assert [note for note in over.notes if "513 octets" in note and "at most 512" in note], over.notes


# --- smtplib's (code, b'text') form -------------------------------------------------------------------

def test_an_explanation_built_from_an_smtplib_tuple_says_so():
    result = explain((535, b"5.7.8 Username and Password not accepted. Learn more at\n"
                           b"5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp"))
    assert result.kind == "smtplib"
    assert result.reply.code == 535 and result.reply.enhanced == "5.7.8"
    assert result.reply.lines == ("5.7.8 Username and Password not accepted. Learn more at",
                                  "5.7.8  https://support.google.com/mail/?p=BadCredentials x - gsmtp")
    assert explain((250, "2.0.0 OK")).kind == "smtplib"
    assert explain("(535, b'5.7.8 Authentication credentials invalid')").kind == "smtplib"


def test_a_plain_reply_and_a_transcript_are_not_called_smtplib():
    assert explain("535 5.7.8 Authentication credentials invalid").kind == "reply"
    assert explain(535).kind == "reply"
    assert explain("S: 220 lab\nC: QUIT\nS: 221 Bye").kind == "transcript"


# --- the category and class words for each digit, on every card ----------------------------------

#: Second digit -> the category's name in RFC 5321 §4.2.1 and in the Hindi the lesson uses.
CATEGORY_WORDS = {
    0: ("syntax", "सिंटैक्स"),
    1: ("information", "जानकारी"),
    2: ("connections", "कनेक्शन"),
    3: ("unspecified", "अनिर्दिष्ट"),
    4: ("unspecified", "अनिर्दिष्ट"),
    5: ("mail system", "मेल सिस्टम"),
}
#: First digit -> (RFC 5321's class name, the glossary's Hindi).
CLASS_NAMES = {
    2: ("positive completion", "सफल (काम पूरा)"),
    3: ("positive intermediate", "मध्यवर्ती (आगे इनपुट चाहिए)"),
    4: ("transient negative completion", "अस्थायी विफलता"),
    5: ("permanent negative completion", "स्थायी विफलता"),
}


@pytest.mark.parametrize("second", sorted(CATEGORY_WORDS))
def test_the_category_name_for_each_second_digit(second):
    english, hindi = CATEGORY_WORDS[second]
    code = 500 + second * 10 + 4
    assert digits.CATEGORIES[second] == english
    assert digits.category(code) == english and digits.category(str(code)) == english
    assert parse_reply(f"{code} text").category == english
    assert lookup(code).category == english
    assert class_line(code, "en").endswith(f"x{second}z: {english}.")
    assert class_line(code, "hi").endswith(f"x{second}z: {hindi}।")
    assert f"x{second}z: {english}." in str(explain(f"{code} text"))
    assert f"x{second}z: {hindi}।" in str(explain(f"{code} text", lang="hi"))


@pytest.mark.parametrize("first", sorted(CLASS_NAMES))
def test_the_class_name_for_each_first_digit_on_the_card(first):
    english, hindi = CLASS_NAMES[first]
    code = first * 100 + 50 if first != 3 else 354
    assert class_line(code, "en").startswith(f"{first}yz {english}: ")
    assert class_line(code, "hi").startswith(f"{first}yz {hindi}: ")
    assert f"· {english}</span>" in explain(str(code))._repr_html_()
    assert f"· {hindi}</span>" in explain(str(code), lang="hi")._repr_html_()


def test_the_transcript_frame_carries_class_and_category():
    frame = parse_transcript("S: 220 lab\nC: EHLO me\nS: 250 lab\nC: AUTH PLAIN AGFsaWNlAHdyb25n\n"
                             "S: 535 5.7.8 Authentication credentials invalid").to_frame()
    assert list(frame["reply_class"]) == ["positive completion", "positive completion",
                                          "permanent negative completion"]
    assert list(frame["category"]) == ["connections", "mail system", "unspecified"]
    assert list(frame["enhanced"])[2] == "5.7.8" and frame["enhanced"][:2].isna().all()


def test_a_refusal_and_the_refusal_it_causes_name_the_first():
    """535 to AUTH, then 530 to MAIL FROM because the client is not logged in: the 535 is the cause."""
    text = (EHLO + "C: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 Authentication credentials invalid\n"
            "C: MAIL FROM:<alice@lab.example>\nS: 530 5.7.0 Authentication required\n" + QUIT)
    verdict = explain(text).verdict
    assert verdict.startswith("Authentication failed: the server answered 535 ("), verdict
