"""Tests written to kill the mutants that survived ``make mutate`` (issue 13, part 4).

Each checks something a learner or a program relies on and the other tests left loose: the rule
and the words of an error message, which language a text comes in, which of two codes a sentence
names. tests/MUTATION.md lists the mutants no test can tell apart from the real code, with why.
"""

from __future__ import annotations

import importlib
import re

import pytest

from smtplesson import ReplyParseError, SmtpLessonError, compare, lookup
from smtplesson.digits import category, check_code, reply_class, split_enhanced

#: The module itself (``smtplesson.compare`` is also the name of the function).
compare_module = importlib.import_module("smtplesson.compare")

# --- digits.py ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("given, code", [(250, 250), ("535", 535), (" 250 ", 250), ("\t421\n", 421)])
def test_check_code_takes_an_int_or_text_with_spaces_around(given, code):
    assert check_code(given) == code
    assert isinstance(check_code(given), int)


@pytest.mark.parametrize("given, name", [(True, "bool"), (2.5, "float"), (None, "NoneType"),
                                         (b"250", "bytes")])
def test_check_code_refuses_what_is_not_a_code_by_its_type(given, name):
    with pytest.raises(ReplyParseError) as caught:
        check_code(given)
    assert caught.value.rule == "code-type"
    assert str(caught.value) == f"a reply code is a number such as 250 or 535, not {name}"


def test_check_code_quotes_at_most_twenty_characters_and_cites_the_rfc():
    with pytest.raises(ReplyParseError) as caught:
        check_code("x" * 30)
    assert caught.value.rule == "three-digits"
    assert str(caught.value) == (f"{'x' * 20!r} is not a reply code: a reply code is exactly three "
                                 "digits (RFC 5321 §4.2)")


def test_an_enhanced_code_given_as_a_reply_code_is_named_and_cited():
    with pytest.raises(ReplyParseError) as caught:
        check_code(" 5.7.8 ")
    assert caught.value.rule == "three-digits"
    assert str(caught.value).startswith("'5.7.8' is an enhanced status code (class.subject.detail, "
                                        "RFC 3463), not a reply code: look it up with "
                                        "lookup_enhanced('5.7.8')")
    assert str(caught.value).endswith("a reply code is three digits such as 535 (RFC 5321 §4.2)")


@pytest.mark.parametrize("given, rule, message", [
    ("150", "first-digit", "150: the first digit must be 2, 3, 4 or 5 (RFC 5321 §4.2); "
                           "SMTP has no 1yz replies"),
    ("260", "second-digit", "260: the second digit must be 0 to 5 (RFC 5321 §4.2), not 6"),
])
def test_digit_errors_are_worded_exactly(given, rule, message):
    with pytest.raises(ReplyParseError) as caught:
        check_code(given)
    assert (caught.value.rule, str(caught.value)) == (rule, message)


def test_reply_class_and_category_check_the_code_first():
    assert reply_class("454") == "transient negative completion" and category("454") == "mail system"
    for function in (reply_class, category):
        with pytest.raises(ReplyParseError):
            function(199)


@pytest.mark.parametrize("given, parts", [("5.7.8", (5, 7, 8)), (" 4.7.0 ", (4, 7, 0)),
                                          ("2.1.123", (2, 1, 123))])
def test_split_enhanced(given, parts):
    assert split_enhanced(given) == parts


@pytest.mark.parametrize("given, quoted", [
    ("5.07.8", "'5.07.8'"), ("535", "'535'"), (578, "'578'"), (None, "'None'"),
    ("5.7.8 and a long tail of text", "'5.7.8 and a long tai'"),
])
def test_split_enhanced_refuses_with_the_rule_and_the_format(given, quoted):
    with pytest.raises(ReplyParseError) as caught:
        split_enhanced(given)
    assert caught.value.rule == "enhanced-format"
    assert str(caught.value) == (
        f"{quoted} is not an enhanced status code: it is class.subject.detail, class 2, 4 or 5, "
        "subject and detail 1-3 digits without leading zeros (RFC 3463 §2)")


# --- compare.py: pairs nobody has written up ------------------------------------------------------

#: What the worked-out texts say, in each language: the words around the codes' own facts.
DERIVED = {
    "en": {"differ": "{a} and {b} differ in their first digit, so in their class. ",
           "is": "{code} is {klass}: {gist}.",
           "share": "{a} and {b} share their first digit: both are {klass}.",
           "says": '{code} says "{name}"',
           "after": "After {code} ({name}): {advice}"},
    "hi": {"differ": "{a} और {b} का पहला अंक अलग है, इसलिए इनका वर्ग भी अलग है। ",
           "is": "{code} {klass} है: {gist}।",
           "share": "{a} और {b} का पहला अंक एक ही है, इसलिए दोनों का वर्ग भी एक है: {klass}।",
           "says": "{code} कहता है '{name}'",
           "after": "{code} ({name}) के बाद: {advice}"},
}
#: The class words, gist and advice of 2yz and 5yz, in each language (messages.json, written out).
CLASS_TEXT = {
    "en": {2: ("positive completion", "the action was done; go on with the next command",
               "Nothing to fix: send the next command."),
           5: ("permanent negative completion",
               "not done, and the same request sent again unchanged will fail again",
               "Change something first (the command, an address, the credentials or a setting); "
               "the same request will fail again.")},
    "hi": {2: ("सफल (काम पूरा)", "कार्रवाई पूरी हुई; अगली कमांड के साथ आगे बढ़ें",
               "ठीक करने को कुछ नहीं है: अगली कमांड भेजें।"),
           5: ("स्थायी विफलता", "नहीं हुआ, और वही अनुरोध बिना बदले दोबारा भेजने पर फिर विफल होगा",
               "पहले कुछ बदलें (कमांड, कोई पता, क्रेडेंशियल या कोई सेटिंग); वही अनुरोध बिना बदले "
               "भेजने पर फिर विफल होगा।")},
}


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_pair_from_two_classes_is_worked_out_from_the_digits(lang):
    card = compare(221, 559, lang=lang)
    assert not card.curated
    words, (klass2, gist2, advice2), (klass5, gist5, advice5) = (
        DERIVED[lang], CLASS_TEXT[lang][2], CLASS_TEXT[lang][5])
    difference = card.facet("key_difference").a
    assert difference.startswith(words["differ"].format(a=221, b=559))
    assert words["is"].format(code=221, klass=klass2, gist=gist2) in difference
    assert words["is"].format(code=559, klass=klass5, gist=gist5) in difference
    use = card.facet("when_to_use_which").a
    assert words["after"].format(code=221, name=lookup(221, lang).name, advice=advice2) in use
    assert words["after"].format(code=559, name=lookup(559, lang).name, advice=advice5) in use
    assert use.index("221") < use.index("559") and "None" not in difference + use


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_pair_from_one_class_names_each_situation(lang):
    card = compare(550, 553, lang=lang)
    assert not card.curated
    words, (klass5, _, advice5) = DERIVED[lang], CLASS_TEXT[lang][5]
    difference = card.facet("key_difference").a
    assert difference.startswith(words["share"].format(a=550, b=553, klass=klass5))
    assert words["says"].format(code=550, name=lookup(550, lang).name) in difference
    assert words["says"].format(code=553, name=lookup(553, lang).name) in difference
    use = card.facet("when_to_use_which").a
    assert words["after"].format(code=550, name=lookup(550, lang).name, advice=advice5) in use
    assert words["after"].format(code=553, name=lookup(553, lang).name, advice=advice5) in use
    assert "None" not in difference + use


def test_a_code_compared_with_itself_is_worked_out_not_curated():
    card = compare(535, 535)
    assert not card.curated
    assert card.facet("key_difference").a.startswith("535 and 535 share their first digit")


def test_a_curated_pair_without_the_language_falls_back_to_english(monkeypatch):
    english = {"key_difference": "English difference.", "when_to_use_which": "English use."}
    monkeypatch.setattr(compare_module, "contrasts", lambda: {"250-535": {"en": english}})
    card = compare(535, 250, lang="hi")
    assert card.curated and card.lang == "hi"
    assert card.facet("key_difference").a == "English difference."
    assert card.facet("when_to_use_which").a == "English use."
    assert card.facet("description").heading == "विवरण"


# --- reply.py: transcripts, their notes and their renderings ---------------------------------------

from smtplesson import parse_reply, parse_transcript, set_language  # noqa: E402
from smtplesson.reply import CONNECTION, END_OF_DATA, command_verb  # noqa: E402

LOGIN = """S: 220 lab ESMTP
C: EHLO me
S: 250-lab
S: 250 AUTH PLAIN LOGIN
c: auth login
S: 334 VXNlcm5hbWU6
C: YWxpY2U=
S: 334 UGFzc3dvcmQ6
C: d29uZGVybGFuZA==
s: 235 2.7.0 Authentication successful
C: MAIL FROM:<alice@lab.example>
S: 250 2.1.0 Ok
"""


@pytest.mark.parametrize("command, verb", [
    (None, ""), (CONNECTION, "(connection)"), (END_OF_DATA, "(end of data)"),
    ("(AUTH) YWxpY2U=", "AUTH"), ("mail FROM:<a@b>", "MAIL"), ("EHLO", "EHLO"),
    ("rcpt TO:<a@b> NOTIFY=NEVER", "RCPT"), ("AUTH PLAIN AGFsaWNl", "AUTH"),
    ("", ""), ("  \t", ""),  # an empty client line (e.g. XOAUTH2's answer to an error) has no verb
])
def test_command_verb(command, verb):
    assert command_verb(command) == verb


XOAUTH2_REFUSED = (
    "S: 220 lab.example ESMTP\nC: EHLO laptop\nS: 250 AUTH XOAUTH2\n"
    "C: AUTH XOAUTH2 dXNlcj1hbGljZQFhdXRoPUJlYXJlciB5YTI5LmV4cGlyZWQBAQ==\n"
    "S: 334 eyJzdGF0dXMiOiI0MDEifQ==\nC: \nS: 535 5.7.8 Authentication credentials invalid\n"
    "C: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: *\nS: 501 5.7.0 Authentication cancelled\n"
    "C: AUTH PLAIN =\nS: 535 5.7.8 Authentication credentials invalid"
)


def test_auth_payloads_are_shown_in_clear_with_their_separators_and_empty_answers_named():
    notes = {text: note for side, text, note in parse_transcript(XOAUTH2_REFUSED).annotated()}
    token_line = next(text for text in notes if text.startswith("AUTH XOAUTH2"))
    # XOAUTH2's 0x01 separators as ^A, as Google's description of the format writes them
    assert notes[token_line] == "base64 → user=alice^Aauth=Bearer ya29.expired^A^A"
    assert notes[""] == "(empty line)"        # the client's empty answer to the error is named
    assert notes["*"] == "* = cancel"
    assert notes["AUTH PLAIN ="] == "= : empty response"


def test_a_challenge_that_is_not_base64_is_named_and_the_exchange_goes_on():
    transcript = parse_transcript("S: 220 x\nC: AUTH LOGIN\nS: 334 ?\nC: YWxpY2U=\n"
                                  "S: 535 5.7.8 Authentication credentials invalid")
    notes = [note for side, text, note in transcript.annotated()]
    assert notes == ["", "", "not base64", "base64 → alice", ""]


def test_a_login_dialogue_is_paired_and_annotated():
    transcript = parse_transcript(LOGIN)
    assert [e.command for e in transcript.exchanges] == [
        "(connection)", "EHLO me", "auth login", "(AUTH) YWxpY2U=", "(AUTH) d29uZGVybGFuZA==",
        "MAIL FROM:<alice@lab.example>"]
    assert [e.verb for e in transcript.exchanges] == [
        "(connection)", "EHLO", "AUTH", "AUTH", "AUTH", "MAIL"]
    assert [line.side for line in transcript.lines] == list("SCSSCSCSCSCS")
    assert transcript.annotated() == (
        ("S", "220 lab ESMTP", ""), ("C", "EHLO me", ""), ("S", "250-lab", ""),
        ("S", "250 AUTH PLAIN LOGIN", ""), ("C", "auth login", ""),
        ("S", "334 VXNlcm5hbWU6", "base64 → Username:"), ("C", "YWxpY2U=", "base64 → alice"),
        ("S", "334 UGFzc3dvcmQ6", "base64 → Password:"), ("C", "d29uZGVybGFuZA==", "base64 → wonderland"),
        ("S", "235 2.7.0 Authentication successful", ""),
        ("C", "MAIL FROM:<alice@lab.example>", ""), ("S", "250 2.1.0 Ok", ""))


@pytest.mark.parametrize("client, note", [
    ("*", "* = cancel"), ("=", "= : empty response"), ("not-base64!", "not base64"),
    ("AGFsaWNlAHdyb25n", "base64 → \\0alice\\0wrong"), ("/w==", "base64 → \ufffd"),
])
def test_each_client_line_inside_auth_gets_its_note(client, note):
    transcript = parse_transcript(f"S: 220 lab\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: {client}\n"
                                  "S: 501 5.7.0 cancelled")
    assert transcript.annotated()[3] == ("C", client, note)


def test_auth_with_an_initial_response_is_decoded_on_the_same_line():
    transcript = parse_transcript("S: 220 lab\nC: Auth Plain AGFsaWNlAHdyb25n\n"
                                  "S: 535-5.7.8 Authentication\nS: 535 5.7.8 failed\nC: QUIT\nS: 221 Bye")
    notes = [note for _, _, note in transcript.annotated()]
    assert notes == ["", "base64 → \\0alice\\0wrong", "", "", "", ""]


def test_the_auth_notes_stop_at_the_final_line_of_the_reply_that_ends_auth():
    """A multi-line refusal ends the AUTH exchange on its last line, not on its first."""
    transcript = parse_transcript("S: 220 lab\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\n"
                                  "S: 535-5.7.8 Username and Password not accepted.\n"
                                  "S: 535 5.7.8 More at https://support.google.com\n"
                                  "C: YWxpY2U=\nS: 500 5.5.2 Error: bad syntax")
    assert transcript.annotated()[-2] == ("C", "YWxpY2U=", "")
    assert transcript.exchanges[-1].command == "YWxpY2U="


def test_a_transcript_prints_as_written_and_says_what_it_holds():
    transcript = parse_transcript("  S: 220 lab\n\n   C:EHLO me\ns:250 lab\nC: AUTH PLAIN\nS: 334 \n"
                                  "C: *\nS: 501 5.7.0 Authentication aborted\n")
    assert str(transcript) == ("S: 220 lab\nC: EHLO me\nS: 250 lab\nC: AUTH PLAIN\nS: 334\nC: *\n"
                               "S: 501 5.7.0 Authentication aborted")
    assert repr(transcript) == "<Transcript: 7 lines; replies 220 250 334 501>"
    assert [e.command for e in transcript.exchanges] == ["(connection)", "EHLO me", "AUTH PLAIN", "(AUTH) *"]


def test_a_transcript_frame_has_one_row_per_reply():
    frame = parse_transcript(LOGIN).to_frame()
    assert list(frame.columns) == ["command", "code", "enhanced", "reply_class", "category", "text"]
    assert list(frame["command"]) == ["(connection)", "EHLO me", "auth login", "(AUTH) YWxpY2U=",
                                      "(AUTH) d29uZGVybGFuZA==", "MAIL FROM:<alice@lab.example>"]
    assert list(frame["code"]) == [220, 250, 334, 334, 235, 250]
    assert list(frame["enhanced"])[4:] == ["2.7.0", "2.1.0"]
    assert list(frame["reply_class"])[2:5] == ["positive intermediate", "positive intermediate",
                                               "positive completion"]
    assert list(frame["category"]) == ["connections", "mail system", "unspecified", "unspecified",
                                       "unspecified", "mail system"]
    assert list(frame["text"])[:2] == ["lab ESMTP", "lab\nAUTH PLAIN LOGIN"]


@pytest.mark.parametrize("lang, who", [("en", "server"), ("hi", "सर्वर")])
def test_a_transcript_card_follows_the_current_language(lang, who):
    transcript = parse_transcript(LOGIN)
    try:
        set_language(lang)
        html = transcript._repr_html_()
    finally:
        set_language("en")
    assert html.startswith(f'<div class="smtplesson smtplesson-transcript" lang="{lang}"')
    assert f">{who}<" in html
    # what base64 decodes to is marked as English inside a Hindi card: <span lang="en">
    assert re.search(r"base64 → (<span lang=\"en\">)?wonderland", html), html
    assert "S: 235 2.7.0 Authentication successful" in html


#: Every parse error as a learner reads it: the input, the rule, the whole message.
MESSAGES = [
    ("", "empty", "the reply is empty: a reply has at least a three-digit code (RFC 5321 §4.2)"),
    (" 250 OK", "leading-space", "line 1 starts with white space: a reply line must begin with its "
                                 "three-digit code (RFC 5321 §4.2)"),
    ("b'535 x'", "bytes-literal", "line 1 looks like a Python bytes literal (b'…'): decode it to text "
                                  "first (explain() does this for you)"),
    ("5.7.8 Username", "three-digits",
     "line 1 starts with '5.7.8', an enhanced status code, not a reply code. smtplib's error text drops "
     "the three-digit code; a reply starts with it, e.g. '535 5.7.8 …' (RFC 5321 §4.2)"),
    ("XOAUTH2 is not a reply code here", "three-digits",
     "line 1 does not start with a three-digit reply code: it starts 'XOAUTH2 is n' (RFC 5321 §4.2)"),
    ("2500 and more text", "three-digits", "line 1 starts with more than three digits ('2500 and'); "
                                           "a reply code is exactly three digits (RFC 5321 §4.2)"),
    ("250:OK", "separator", "line 1: after the code 250 comes a space, a hyphen or the end of the "
                            "line, not U+003A (':') (RFC 5321 §4.2)"),
    ("250 caf\u00e9", "text-characters", "line 1 contains U+00E9 ('é'): reply text is printable "
                                         "US-ASCII, spaces and tabs only (RFC 5321 §4.2, textstring)"),
    ("250 a\x00b", "text-characters", "line 1 contains U+0000: reply text is printable US-ASCII, "
                                      "spaces and tabs only (RFC 5321 §4.2, textstring)"),
    ("250-a\n251 b", "same-code", "line 2 has code 251 but line 1 has 250: all lines of a multi-line "
                                  "reply carry the same code (RFC 5321 §4.2.1)"),
    ("250-a\n250-b", "no-final-line",
     "line 2 ends with '250-', so more lines must follow, but the reply ends there with no final "
     "line: the final line of a multi-line reply is '250 …' (RFC 5321 §4.2.1)"),
    ("250 a\n250 b", "text-after-final-line",
     "line 1 is a final line ('250 …', no hyphen) but more text follows: only the last line of a "
     "reply may lack the hyphen (RFC 5321 §4.2.1). Is this two replies? parse_transcript() reads a "
     "whole dialogue."),
    ("250-a\n\n", "empty-line", "line 2 is empty: every line of a reply starts with the three-digit "
                                "code (RFC 5321 §4.2)"),
    ("250 " + "x" * 600, "line-length", "line 1 is 606 octets with its CRLF; a reply line may be at "
                                        "most 512 (RFC 5321 §4.5.3.1.5)"),
    (b"250 \xff", "text-characters", "byte 4 is 0xff: a reply is US-ASCII (RFC 5321 §4.2)"),
    (None, "reply-type", "a reply is text, not NoneType"),
]


@pytest.mark.parametrize("text, rule, message", MESSAGES)
def test_each_parse_error_reads_exactly(text, rule, message):
    with pytest.raises(ReplyParseError) as caught:
        parse_reply(text)
    assert (caught.value.rule, str(caught.value)) == (rule, message)


TRANSCRIPT_MESSAGES = [
    ("S: 220 x\nX: what is this line", "transcript-side",
     "transcript line 2 starts 'X: what is t': each line must start with 'S: ' (server) or 'C: ' "
     "(client), as in RFC 5321's examples (Appendix D)"),
    ("S: 220 x\nC: EHLO\nS: 250-a\nC: QUIT", "no-final-line",
     "transcript line 4: the client speaks in the middle of a multi-line reply; the reply before it "
     "has no final line (RFC 5321 §4.2.1)"),
    ("S: 220 x\nS: 250-a", "no-final-line",
     "transcript reply starting at line 2 has no final line: the last line of a reply has a space, "
     "not a hyphen, after its code (RFC 5321 §4.2.1)"),
    ("S: 220 x\nS: 25O y", "three-digits",
     "transcript reply starting at line 2: line 1 does not start with a three-digit reply code: it "
     "starts '25O y' (RFC 5321 §4.2)"),
    ("", "empty", "the transcript is empty: it needs at least one 'S: ' line"),
    (5, "transcript-type", "a transcript is text, not int"),
]


@pytest.mark.parametrize("text, rule, message", TRANSCRIPT_MESSAGES)
def test_each_transcript_error_reads_exactly(text, rule, message):
    with pytest.raises(ReplyParseError) as caught:
        parse_transcript(text)
    assert (caught.value.rule, str(caught.value)) == (rule, message)


@pytest.mark.parametrize("text, rule", [
    ("2500", "three-digits"),             # four digits and nothing else
    ("X-Mailer: 250", "three-digits"),    # a header line is not a reply, nor white space
    ("XYZ", "three-digits"),
])
def test_lines_that_are_not_replies_break_the_three_digit_rule(text, rule):
    with pytest.raises(ReplyParseError) as caught:
        parse_reply(text)
    assert caught.value.rule == rule


@pytest.mark.parametrize("text, enhanced", [("535 5.7.8X", None), ("535 5.7.8\tx", "5.7.8"),
                                            ("535 5.7.8 x", "5.7.8"), ("535 5.7.8", "5.7.8")])
def test_an_enhanced_code_ends_at_white_space_or_the_end(text, enhanced):
    assert parse_reply(text).enhanced == enhanced


def test_a_base64_line_with_junk_is_not_base64():
    transcript = parse_transcript("S: 220 lab\nC: AUTH PLAIN YWxpY2U=!\nS: 501 5.5.2 bad base64")
    assert transcript.annotated()[1][2] == "not base64"


def test_a_client_line_sent_ahead_after_an_auth_step_is_a_command_again():
    """Pipelined: the answer to 334 and QUIT arrive together; only the first is an AUTH step."""
    transcript = parse_transcript("S: 220 lab\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\n"
                                  "C: QUIT\nS: 501 5.5.2 cancelled\nS: 221 Bye")
    assert [e.command for e in transcript.exchanges] == ["(connection)", "AUTH LOGIN",
                                                         "(AUTH) YWxpY2U=", "QUIT"]


def test_a_reply_no_command_asked_for_has_no_command():
    transcript = parse_transcript("S: 220 lab\nC: NOOP\nS: 250 Ok\nS: 421 4.4.2 Timeout, closing")
    assert transcript.exchanges[-1].command is None and transcript.exchanges[-1].verb == ""


def test_only_a_354_to_data_starts_the_message_text():
    transcript = parse_transcript("S: 220 lab\nC: NOOP\nS: 354 odd server\nC: QUIT\nS: 221 Bye")
    assert [e.command for e in transcript.exchanges] == ["(connection)", "NOOP", "QUIT"]


# --- cli.py, in the test's own process (a subprocess would run the code mutmut did not change) ------

import io  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from smtplesson import cli  # noqa: E402
from smtplesson.check import Check  # noqa: E402
from smtplesson.workspace import pristine_notebooks  # noqa: E402

check_module = importlib.import_module("smtplesson.check")
explain_module = importlib.import_module("smtplesson.explain")


def test_cli_explains_a_reply(capsys):
    assert cli.main(["explain", "535", "5.7.8", "Authentication", "credentials", "invalid"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("✘ 535 Authentication credentials invalid\n") and err == ""
    assert "  Enhanced code: 5.7.8" in out and "permanent negative completion" in out


def test_cli_explains_in_hindi_when_asked(capsys):
    assert cli.main(["explain", "--lang", "hi", "535 5.7.8 Authentication credentials invalid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("✘ 535 प्रमाणीकरण क्रेडेंशियल अमान्य\n")
    assert "स्थायी विफलता" in out and "permanent" not in out


def test_cli_reads_standard_input_for_a_dash(capsys, monkeypatch):
    data = "S: 220 lab\nC: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 no\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert cli.main(["explain", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Verdict: Authentication failed: the server answered 535")


def test_cli_reads_undecodable_standard_input_as_replaced_text(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"250 caf\xe9")))
    assert cli.main(["explain", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("✔ 250 ") and "U+FFFD" in out


def test_a_dash_among_other_words_is_just_a_word(capsys):
    assert cli.main(["explain", "250", "-", "ok"]) == 0
    assert capsys.readouterr().out.startswith("✔ 250 ")


@pytest.mark.parametrize("args, message", [
    (["explain", "2500 OK"], "smtplesson: line 1 starts with more than three digits ('2500 OK'); "
                             "a reply code is exactly three digits (RFC 5321 §4.2)\n"),
    (["explain", "--lang", "xx", "250 OK"], "smtplesson: unknown language 'xx': choose one of en, hi\n"),
])
def test_cli_bad_input_is_one_line_on_stderr_and_status_2(capsys, args, message):
    assert cli.main(args) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == message


@pytest.mark.parametrize("args, prog, words", [
    (["explain"], "smtplesson explain", "the following arguments are required: text"),
    (["frobnicate"], "smtplesson", "invalid choice: 'frobnicate'"),
    ([], "smtplesson", "the following arguments are required: command"),
])
def test_cli_usage_mistakes_exit_2_with_one_line(capsys, args, prog, words):
    with pytest.raises(SystemExit) as caught:
        cli.main(args)
    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith(f"{prog}: error: ") and err.endswith(" (try --help)\n")
    assert words in err and err.count("\n") == 1


def test_cli_help_names_each_command(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: smtplesson ") and "Learn SMTP reply codes: 250 versus 535." in out
    for command in ("explain", "start", "reset", "check"):
        assert command in out
    with pytest.raises(SystemExit):
        cli.main(["explain", "--help"])
    out = capsys.readouterr().out
    assert "Explain an SMTP reply. Use - to read it from standard input." in out
    assert "--lang LANG" in out and "language of the answer: en or hi" in out


def test_cli_output_survives_a_terminal_that_cannot_show_hindi(monkeypatch):
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(raw, encoding="ascii"))
    assert cli.main(["explain", "--lang", "hi", "250 OK"]) == 0
    sys.stdout.flush()
    assert raw.getvalue().startswith(b"? 250 ")


def test_cli_ctrl_c_is_status_130(monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(explain_module, "explain", interrupted)
    assert cli.main(["explain", "250 OK"]) == 130


@pytest.mark.parametrize("results, status", [
    ([Check("Python 3.10 or newer", True, "3.11"), Check("a font", False, "none", required=False)], 0),
    ([Check("Python 3.10 or newer", True, "3.11"), Check("aiosmtpd", False, "missing")], 1),
])
def test_cli_check_prints_a_line_per_check_and_fails_only_on_what_is_required(
        monkeypatch, capsys, results, status):
    monkeypatch.setattr(check_module, "run", lambda: results)
    assert cli.main(["check"]) == status
    assert capsys.readouterr().out == "".join(result.line() + "\n" for result in results)


class _Exec(Exception):
    """Raised in place of exec and subprocess.call, carrying the command the CLI would run."""


def _no_exec(monkeypatch):
    """Make every way the CLI could start JupyterLab raise _Exec instead (never start it here)."""
    import subprocess

    def fake_execve(path, command, env):
        raise _Exec(path, command, env)

    def fake_execv(path, command):
        raise _Exec(path, command, None)

    def fake_call(command, **kwargs):
        raise _Exec(None, command, kwargs.get("env"))

    monkeypatch.setattr(os, "execve", fake_execve)
    monkeypatch.setattr(os, "execv", fake_execv)
    monkeypatch.setattr(subprocess, "call", fake_call)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_start_copies_the_lesson_then_becomes_jupyterlab(monkeypatch, capsys, tmp_path):
    _no_exec(monkeypatch)
    folder, port = tmp_path / "lesson", _free_port()
    with pytest.raises(_Exec) as caught:
        cli.main(["start", str(folder), "--no-browser", "--port", str(port)])
    path, command, env = caught.value.args
    count = len(pristine_notebooks())
    assert capsys.readouterr().out == (
        f"The lesson is in {folder.resolve()} ({count} copied, 0 already there).\n"
        f"Opening JupyterLab at http://127.0.0.1:{port}/lab/tree/00-start-here.ipynb (it prints the "
        "same address with its token below; Ctrl+C stops it).\n")
    assert path == sys.executable
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    for part in ("--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                 f"--ServerApp.root_dir={folder.resolve()}",
                 "--LabApp.default_url=/lab/tree/00-start-here.ipynb", "--LabApp.news_url=None",
                 "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                 "--LabApp.extension_manager=readonly", "--no-browser"):
        assert part in command, part
    assert ("--ServerApp.allow_root=True" in command) == (os.geteuid() == 0)
    assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0] == cli.jupyter_config_dir()
    assert Path(cli.jupyter_config_dir()).is_dir()


def test_cli_start_keeps_a_jupyter_config_path_already_set(monkeypatch, capsys, tmp_path):
    _no_exec(monkeypatch)
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", "/somewhere/else")
    with pytest.raises(_Exec) as caught:
        cli.main(["start", str(tmp_path), "--port", str(_free_port())])
    command, env = caught.value.args[1:]
    assert env["JUPYTER_CONFIG_PATH"] == cli.jupyter_config_dir() + os.pathsep + "/somewhere/else"
    assert "--no-browser" not in command


def test_cli_start_without_a_folder_uses_smtp_lesson_here(monkeypatch, capsys, tmp_path):
    _no_exec(monkeypatch)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(_Exec) as caught:
        cli.main(["start", "--port", str(_free_port())])
    assert f"--ServerApp.root_dir={(tmp_path / 'smtp-lesson').resolve()}" in caught.value.args[1]


def test_cli_start_no_copy_opens_a_lesson_folder_as_it_is(monkeypatch, capsys, tmp_path):
    _no_exec(monkeypatch)
    assert cli.main(["start", str(tmp_path), "--no-copy"]) == 2
    assert capsys.readouterr().err == (f"smtplesson: no lesson found in {tmp_path}: --no-copy opens a "
                                       "folder that already holds the lesson notebooks\n")
    first = pristine_notebooks()[0].name
    (tmp_path / first).write_text("{}")
    with pytest.raises(_Exec):
        cli.main(["start", str(tmp_path), "--no-copy", "--port", str(_free_port())])
    assert capsys.readouterr().out.startswith(
        f"The lesson is in {tmp_path.resolve()} (opened as it is, nothing copied).\n")
    assert [path.name for path in tmp_path.iterdir()] == [first]


def test_choose_port_keeps_a_free_port():
    port = _free_port()
    assert cli.choose_port(port) == (port, "")


def test_choose_port_moves_off_a_busy_port_and_says_why():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        port, note = cli.choose_port(taken)
    assert port != taken and 1 <= port <= 65535
    assert note == (f"Port {taken} is busy (another program, or another JupyterLab, listens there), "
                    f"so JupyterLab uses port {port} instead.")


def test_choose_port_starts_from_jupyters_own_default():
    port, note = cli.choose_port(None)
    assert port == cli.DEFAULT_PORT == 8888 if not note else note.startswith("Port 8888 ")


@pytest.mark.parametrize("port, words", [("0", "not 0"), ("65536", "not 65536"), ("http", "not 'http'")])
def test_cli_refuses_a_port_that_is_not_one(monkeypatch, capsys, port, words):
    _no_exec(monkeypatch)
    with pytest.raises(SystemExit) as caught:
        cli.main(["start", "--port", port, "--copy-only"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert f"the port is a number from 1 to 65535, {words}" in err and err.count("\n") == 1


def test_cli_start_copy_only_keeps_the_learners_edits(monkeypatch, capsys, tmp_path):
    _no_exec(monkeypatch)
    first = pristine_notebooks()[0].name
    assert cli.main(["start", str(tmp_path), "--copy-only"]) == 0
    (tmp_path / first).write_text("{}")
    capsys.readouterr()
    assert cli.main(["start", str(tmp_path), "--copy-only"]) == 0
    count = len(pristine_notebooks())
    assert capsys.readouterr().out == (
        f"The lesson is in {tmp_path.resolve()} (0 copied, {count - 1} already there).\n"
        f"  kept your edited {first} (smtplesson reset {first[:2]} restores the original)\n")


def test_cli_reset_restores_a_notebook_and_keeps_the_learners_copy(monkeypatch, capsys, tmp_path):
    _no_exec(monkeypatch)
    first = pristine_notebooks()[0]
    assert cli.main(["start", str(tmp_path), "--copy-only"]) == 0
    capsys.readouterr()
    assert cli.main(["reset", first.stem[:2], "--dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"{tmp_path / first.name} is now the original version.\n"
    (tmp_path / first.name).write_text("{}")
    assert cli.main(["reset", first.stem[:2], "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    backups = list(tmp_path.glob(f"{first.stem}.backup-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == "{}"
    assert out == (f"{tmp_path / first.name} is now the original version; "
                   f"yours is kept as {backups[0].name}.\n")


def test_cli_reset_of_an_unknown_notebook_is_one_line_and_status_2(capsys, tmp_path):
    assert cli.main(["reset", "99", "--dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("smtplesson: no single lesson notebook matches '99'") and err.count("\n") == 1


# --- catalogue.py: the data files read afresh, and the frames -------------------------------------

from smtplesson import codes, enhanced_codes, enhanced_parts, lookup_enhanced  # noqa: E402
from smtplesson.catalogue import all_codes, registered_enhanced_codes  # noqa: E402

catalogue_module = importlib.import_module("smtplesson.catalogue")
i18n_module = importlib.import_module("smtplesson.i18n")


@pytest.fixture
def fresh_data():
    """Forget what was read from the data files, so this test reads them again (the readers are
    cached, and a cache filled before a test would hide a broken reader)."""
    cached = (catalogue_module._codes, catalogue_module._parts, catalogue_module._enhanced,
              catalogue_module._entry, compare_module.contrasts, i18n_module.catalog)
    for function in cached:
        function.cache_clear()
    yield
    for function in cached:
        function.cache_clear()


def test_the_catalogue_read_afresh_from_its_files(fresh_data):
    refused = lookup(535)
    assert refused.name == "Authentication credentials invalid" and refused.commands == ("AUTH",)
    assert 235 in refused.related and all(isinstance(code, int) for code in refused.related)
    assert lookup(454).vendor_commands == ("RCPT",) and "Postfix" in lookup(454).note
    assert lookup(535, "hi").name == "प्रमाणीकरण क्रेडेंशियल अमान्य" and lookup(535, "hi").lang == "hi"
    assert lookup(535, "hi").commands == ("AUTH",)       # facts stay; only the words change


def test_the_enhanced_codes_read_afresh_from_their_files(fresh_data):
    entry = lookup_enhanced("5.7.8")
    assert (entry.title, entry.class_name, entry.subject_name) == (
        "Authentication credentials invalid", "Permanent failure", "Security or policy status")
    hindi = lookup_enhanced("5.7.8", "hi")
    assert (hindi.class_name, hindi.subject_name, hindi.lang) == (
        "स्थायी विफलता", "सुरक्षा या नीति का स्टेटस", "hi")
    assert hindi.title == "Authentication credentials invalid"   # registry titles stay English
    assert lookup_enhanced("5.7.139").vendor == "Microsoft"


def test_the_codes_frame(fresh_data):
    frame = codes()
    assert frame.index.name == "code" and list(frame.index) == [entry.code for entry in all_codes()]
    assert list(frame.columns) == ["reply_class", "category", "name", "meaning", "when_you_see_it",
                                   "how_to_fix", "related", "commands", "vendor_commands", "rfc", "note"]
    row = frame.loc[535]
    entry = lookup(535)
    assert (row["reply_class"], row["category"]) == ("permanent negative completion", "unspecified")
    assert (row["name"], row["note"], row["rfc"]) == (entry.name, entry.note, entry.rfc)
    assert row["related"] == " ".join(map(str, entry.related)) and row["commands"] == "AUTH"
    assert frame.loc[454, "vendor_commands"] == "RCPT"
    assert frame.loc[220, "commands"] == " ".join(lookup(220).commands) and " " in frame.loc[220, "commands"]
    hindi = codes("hi")
    assert hindi.loc[250, "name"] == "माँगा गया काम हो गया" and hindi.loc[250, "reply_class"] == "positive completion"


def test_every_catalogued_code_in_order_in_each_language():
    english, hindi = all_codes(), all_codes("hi")
    assert [e.code for e in english] == sorted(e.code for e in english) == [e.code for e in hindi]
    assert {e.lang for e in english} == {"en"} and {e.lang for e in hindi} == {"hi"}
    assert {250, 535, 530, 454} <= {e.code for e in english}


def test_the_enhanced_codes_frame(fresh_data):
    frame = enhanced_codes()
    assert list(frame.columns) == ["title", "meaning", "advice", "rfc", "registered", "subject_name",
                                   "class_name", "vendor", "vendor_meaning", "basic_codes"]
    assert set(registered_enhanced_codes()) <= set(frame.index)
    registered = frame.loc["X.7.8"]
    assert registered["title"] == "Authentication credentials invalid" and registered["registered"]
    assert registered["class_name"] == "" and registered["basic_codes"] == "535 554"
    assert registered["subject_name"] == "Security or policy status" and registered["advice"] == ""
    assert registered["rfc"] == "RFC 4954 §6" and registered["meaning"] == lookup_enhanced("5.7.8").meaning
    vendor = frame.loc["5.7.139"]
    assert (vendor["vendor"], vendor["class_name"], vendor["registered"]) == ("Microsoft", "Permanent failure", False)
    assert vendor["vendor_meaning"].startswith("Microsoft 365: '535 5.7.139")
    assert vendor["advice"] and vendor["basic_codes"] == "535" and vendor["title"] == ""
    # A vendor's reuse of a registered code keeps the registry's meaning and reference.
    reuse = frame.loc["5.7.14"]
    assert reuse["vendor"] == "Google" and reuse["meaning"] == lookup_enhanced("5.7.14").meaning != ""
    assert reuse["rfc"] == lookup_enhanced("5.7.14").rfc != "" and reuse["registered"]


def test_the_enhanced_parts_frame(fresh_data):
    frame = enhanced_parts()
    assert list(frame.columns) == ["part", "key", "name", "meaning", "rfc"]
    classes = frame[frame["part"] == "class"]
    assert list(classes["key"]) == ["2", "4", "5"]
    assert list(classes["name"]) == ["Success", "Persistent transient failure", "Permanent failure"]
    assert len(frame[frame["part"] == "subject"]) == 8


@pytest.mark.parametrize("a, b", [(501, 250), (250, 501), (550, 501), (300, 221)])
def test_the_class_of_a_worked_out_pair_is_the_first_digit(a, b):
    """Codes just past a hundred (300, 501) keep their class: it is the first digit, nothing else."""
    card = compare(a, b)
    classes = {2: "positive completion", 3: "positive intermediate", 5: "permanent negative completion"}
    difference = card.facet("key_difference").a
    if a // 100 == b // 100:
        assert f"both are {classes[a // 100]}" in difference
    else:
        assert f"{a} is {classes[a // 100]}:" in difference and f"{b} is {classes[b // 100]}:" in difference


# --- i18n.py: the language switch and who hears of it ------------------------------------------------

@pytest.mark.parametrize("typed, lang", [("hi", "hi"), (" HI ", "hi"), ("Hindi", "hi"), ("हिन्दी", "hi"),
                                         ("हिंदी", "hi"), ("English", "en"), ("EN", "en")])
def test_a_language_can_be_named_as_a_learner_types_it(typed, lang):
    assert i18n_module.check_language(typed) == lang


@pytest.mark.parametrize("typed, shown", [("fr", "'fr'"), ("", "''"), (5, "5"), ("hindi!", "'hindi!'")])
def test_an_unknown_language_is_refused_by_name(typed, shown):
    with pytest.raises(SmtpLessonError) as caught:
        i18n_module.check_language(typed)
    assert caught.value.rule == "language"
    assert str(caught.value) == f"unknown language {shown}: choose one of en, hi"


class _Follower:
    def __init__(self):
        self.heard = []

    def hear(self, lang):
        self.heard.append(lang)


def test_set_language_tells_every_live_listener_and_forgets_the_dead(monkeypatch, caplog):
    import gc

    monkeypatch.setattr(i18n_module, "_listeners", [])
    gone, kept, heard = _Follower(), _Follower(), []

    def broken(lang):
        raise RuntimeError("boom")

    def plain(lang):
        heard.append(lang)

    i18n_module.on_language_change(gone.hear)        # a bound method, held weakly
    i18n_module.on_language_change(broken)
    i18n_module.on_language_change(kept.hear)
    i18n_module.on_language_change(plain)            # a plain function, held weakly too
    assert i18n_module.listener_count() == 4
    del gone
    gc.collect()
    assert i18n_module.listener_count() == 3
    try:
        with caplog.at_level("WARNING", logger="smtplesson.i18n"):
            set_language("hi")
        assert i18n_module.get_language() == "hi"
        assert kept.heard == ["hi"] and heard == ["hi"]
        assert [record.getMessage() for record in caplog.records] == [
            "a language listener failed and was dropped: RuntimeError: boom"]
        assert i18n_module.listener_count() == 2 and len(i18n_module._listeners) == 2
        set_language("en")
        assert kept.heard == ["hi", "en"] and heard == ["hi", "en"]
    finally:
        set_language("en")


def test_t_formats_only_when_given_values():
    assert i18n_module.t("card.class_line", "en", first=5, reply_class="x", gist="y", second=3,
                         category="z") == "5yz x: y. x3z: z."
    assert i18n_module.t("facet.description", "hi") == "विवरण"
    with pytest.raises(KeyError):
        i18n_module.t("no.such.key", "en")


# --- cli.py: what --help says, the port, the JupyterLab command -------------------------------------

#: Each command's help: (the summary in the command list, the description, each argument's help).
HELP = {
    "explain": ("explain a reply, a bare code or an S:/C: transcript",
                "Explain an SMTP reply. Use - to read it from standard input.",
                ['the reply, e.g. "535 5.7.8 Authentication credentials invalid"',
                 "language of the answer: en or hi"]),
    "start": ("copy the lesson into a folder and open it in JupyterLab",
              "Copy the lesson notebooks into DIR (your edited files are never overwritten) and open "
              "JupyterLab there at 00-start-here, on 127.0.0.1 only. Without DIR: this folder if it "
              "holds the lesson, else ./smtp-lesson.",
              ["the lesson folder (default: this folder if it holds the lesson, else ./smtp-lesson)",
               "do not open a browser (hubs, tests)",
               "the port for JupyterLab, 1-65535 (default: 8888); if it is busy, the next free one, "
               "and the command says so",
               "copy the notebooks, do not start JupyterLab",
               "open DIR as it is, copying nothing (make lab opens the repository's own notebooks this way)"]),
    "reset": ("restore a pristine copy of one notebook, keeping yours as a backup",
              "Restore NOTEBOOK (e.g. 03 or 03-authentication) in the lesson folder: the one given with "
              "--dir, else this folder if it holds the lesson, else ./smtp-lesson (where start puts it). "
              "Your version is kept next to it as NAME.backup-DATE-TIME.ipynb.",
              ["which notebook: 03, 03-authentication or the file name",
               "the lesson folder (default: this folder if it holds the lesson, else ./smtp-lesson)"]),
    "check": ("check that this machine is ready for the lesson",
              "One line per thing the lesson needs; exit status 1 if something required is missing.",
              []),
}


def _help(capsys, monkeypatch, *args) -> str:
    monkeypatch.setenv("COLUMNS", "1000")      # one line per paragraph: nothing wraps
    with pytest.raises(SystemExit) as caught:
        cli.main([*args, "--help"])
    assert caught.value.code == 0
    return capsys.readouterr().out


def test_the_command_list_says_what_each_command_does(capsys, monkeypatch):
    out = _help(capsys, monkeypatch)
    assert "\nLearn SMTP reply codes: 250 versus 535.\n" in out
    for command, (summary, _, _) in HELP.items():
        assert re.search(rf"\n\s+{command}\s+{re.escape(summary)}\n", out), command


@pytest.mark.parametrize("command", sorted(HELP))
def test_each_commands_help_reads_exactly(capsys, monkeypatch, command):
    _, description, arguments = HELP[command]
    out = _help(capsys, monkeypatch, command)
    assert f"\n\n{description}\n\n" in out
    for text in arguments:
        assert re.search(rf"\n  \S.*?  {re.escape(text)}\n", out), text


def test_explain_answers_in_english_unless_asked_whatever_the_notebook_language(capsys):
    try:
        set_language("hi")
        assert cli.main(["explain", "250 OK"]) == 0
    finally:
        set_language("en")
    assert capsys.readouterr().out.startswith("✔ 250 Requested action done\n")


@pytest.mark.parametrize("text, port", [("1", 1), ("8888", 8888), ("65535", 65535)])
def test_every_port_from_1_to_65535_is_a_port(text, port):
    assert cli._port(text) == port


class _FakeSocket:
    """A socket whose bind fails as told; used to reach the messages a real machine rarely gives."""

    error: OSError | None = None

    def __init__(self, *args):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def setsockopt(self, *args):
        pass

    def bind(self, address):
        if self.error is not None:
            raise self.error


@pytest.mark.parametrize("error, problem", [
    (PermissionError(13, "Permission denied"), "needs administrator rights (ports below 1024 do)"),
    (OSError(98, "Address already in use"),
     "is busy (another program, or another JupyterLab, listens there)"),
    (OSError(99, "Cannot assign requested address"), "cannot be used (Cannot assign requested address)"),
    (OSError("odd"), "cannot be used (odd)"),
    (None, None),
])
def test_why_a_port_cannot_be_used(monkeypatch, error, problem):
    import socket

    monkeypatch.setattr(_FakeSocket, "error", error)
    monkeypatch.setattr(socket, "socket", _FakeSocket)
    assert cli._port_problem(80) == problem


def _busy_except(monkeypatch, free: set[int]):
    monkeypatch.setattr(cli, "_port_problem", lambda port: None if port in free else "is busy (x)")


def test_choose_port_takes_the_next_free_port_after_the_wanted_one(monkeypatch):
    _busy_except(monkeypatch, {8887, 8890, 8891})
    assert cli.choose_port(8888) == (8890, "Port 8888 is busy (x), so JupyterLab uses port 8890 instead.")
    assert cli.choose_port(8889) == (8890, "Port 8889 is busy (x), so JupyterLab uses port 8890 instead.")


def test_choose_port_tries_fifty_ports_then_lets_the_system_pick(monkeypatch):
    _busy_except(monkeypatch, {8888 + 50})
    assert cli.choose_port(8888)[0] == 8938                  # the fiftieth port after it is tried
    _busy_except(monkeypatch, {8888 + 51})
    port, note = cli.choose_port(8888)                       # the fifty-first is not
    assert port not in range(8888, 8940) and port > 1024
    assert note == f"Port 8888 is busy (x), so JupyterLab uses port {port} instead."
    _busy_except(monkeypatch, {65536})
    assert cli.choose_port(65530)[0] <= 65535                # never past the last port


def test_the_jupyterlab_command(monkeypatch, tmp_path):
    command = cli.jupyterlab_command(tmp_path, 8899)
    assert "--no-browser" not in command and f"--ServerApp.root_dir={tmp_path}" in command
    assert "--no-browser" in cli.jupyterlab_command(tmp_path, 8899, browser=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--ServerApp.allow_root=True" not in cli.jupyterlab_command(tmp_path, 8899)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert "--ServerApp.allow_root=True" in cli.jupyterlab_command(tmp_path, 8899)


def test_the_lessons_jupyter_settings_turn_the_news_off():
    folder = Path(cli.jupyter_config_dir())
    assert folder.name == "jupyter-config"
    assert "fetchNews" in (folder / "labconfig" / "page_config.json").read_text() or any(folder.rglob("*.json"))


def test_start_says_when_the_port_moved(monkeypatch, capsys, tmp_path):
    _no_exec(monkeypatch)
    monkeypatch.setattr(cli, "choose_port", lambda wanted: (8890, "Port 8888 is busy (x), so JupyterLab uses port 8890 instead."))
    with pytest.raises(_Exec):
        cli.main(["start", str(tmp_path)])
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "Port 8888 is busy (x), so JupyterLab uses port 8890 instead."
    assert lines[2].startswith("Opening JupyterLab at http://127.0.0.1:8890/lab/tree/00-start-here.ipynb")


def test_start_no_copy_refuses_by_the_no_lesson_rule(tmp_path):
    import argparse

    args = argparse.Namespace(dir=str(tmp_path), no_copy=True, copy_only=False, port=None, no_browser=True)
    with pytest.raises(SmtpLessonError) as caught:
        cli._start(args)
    assert caught.value.rule == "no-lesson"


# --- catalogue.py: codes no RFC defines, and how advice is put together ------------------------------

UNDEFINED = {
    "en": ("Not defined by any RFC",
           "No RFC defines 435, but its digits still say what it means: transient negative completion "
           "(not done this time, but the same command may work later, unchanged), in the unspecified "
           "category. A client that meets a code it does not know acts on the first digit.",
           "No RFC says which command gets 435. Some servers use codes of their own, such as Exim's 435.",
           "Wait, then send the same command again later; nothing has to change on your side.",
           "none: decoded from its digits (RFC 5321 §4.2, §4.2.1)"),
    "hi": ("किसी भी RFC में परिभाषित नहीं",
           "कोई भी RFC 435 को परिभाषित नहीं करता, फिर भी इसके अंक बताते हैं कि इसका अर्थ क्या है: "
           "अस्थायी विफलता (इस बार नहीं हुआ, लेकिन वही कमांड बिना बदले बाद में सफल हो सकती है), "
           "अनिर्दिष्ट श्रेणी में। जब किसी क्लाइंट को कोई अनजाना कोड मिलता है, तो वह पहले अंक के अनुसार "
           "काम करता है।",
           "कोई भी RFC यह नहीं बताता कि 435 किस कमांड के उत्तर में आता है। कुछ सर्वर अपने ही कोड का "
           "उपयोग करते हैं, जैसे Exim का 435।",
           "प्रतीक्षा करें, फिर वही कमांड बाद में दोबारा भेजें; आपकी ओर से कुछ भी बदलने की ज़रूरत नहीं है।",
           "कोई नहीं: अर्थ इसके अंकों से निकाला गया है (RFC 5321 §4.2, §4.2.1)"),
}


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_code_no_rfc_defines_is_decoded_from_its_digits_in_the_asked_language(lang):
    name, meaning, when, fix, rfc = UNDEFINED[lang]
    entry = lookup(435, lang)
    assert (entry.code, entry.name, entry.meaning, entry.when_you_see_it, entry.how_to_fix, entry.rfc) == (
        435, name, meaning, when, fix, rfc)
    assert entry.related == () and entry.commands == () and entry.note == ""
    assert entry.defined is False and entry.lang == lang
    assert entry.reply_class == "transient negative completion" and entry.category == "unspecified"


def test_an_unlisted_enhanced_code_is_decoded_by_its_parts():
    entry = lookup_enhanced(" 5.1.99 ")
    assert entry.code == "5.1.99" and entry.rfc == "RFC 3463 §2"
    assert entry.listed is False and entry.registered is False
    assert entry.meaning.startswith("5.1.99 is not in the IANA registry")
    assert (entry.class_name, entry.subject_name) == ("Permanent failure", "Addressing status")
    assert (entry.vendor, entry.vendor_meaning, entry.advice, entry.title, entry.basic_codes) == ("", "", "", "", ())


def test_advice_is_the_vendors_then_the_registrys():
    frame = enhanced_codes()
    reuse = lookup_enhanced("5.7.14")                       # Google's reuse of a registered code
    assert reuse.advice == frame.loc["5.7.14", "advice"] + " " + frame.loc["X.7.14", "advice"]
    registered = lookup_enhanced("5.7.9")                   # registered, no vendor row
    assert registered.advice == frame.loc["X.7.9", "advice"] and registered.vendor_meaning == ""
    vendor_only = lookup_enhanced("5.7.139")                # a vendor code the registry lacks
    assert vendor_only.advice == frame.loc["5.7.139", "advice"]


# --- explain.py: everything an explanation says comes in the asked language --------------------------

from test_hindi import devanagari_share, without_latin_allowed  # noqa: E402
from test_pastes import PASTES  # noqa: E402


def _hindi_enough(text: str, where: str, share: float = 0.8) -> None:
    found = devanagari_share(text)
    assert found is None or found >= share, f"{where} is not Hindi ({found}): {without_latin_allowed(text)[:200]!r}"


@pytest.mark.parametrize("paste", PASTES, ids=[paste.id for paste in PASTES])
def test_every_paste_is_explained_in_hindi_when_asked(paste):
    """Hindi all through: the card, the verdict, what was read, each note and each piece of advice.
    (A verdict or detail that quotes a library's own English message may hold more Latin.)"""
    result = explain_module.explain(paste.text, lang="hi")
    assert result.lang == "hi"
    _hindi_enough(str(result), f"{paste.id}: the card", 0.5)
    for name in ("verdict", "detail"):
        _hindi_enough(getattr(result, name), f"{paste.id}: {name}", 0.5)
    for name in ("advice", "detail_advice", "source"):
        _hindi_enough(getattr(result, name), f"{paste.id}: {name}")
    for note in result.notes:
        _hindi_enough(note, f"{paste.id}: a note")
    for item in result.items:
        assert item.entry.lang == "hi"
        for note in item.notes:
            _hindi_enough(note, f"{paste.id}: a note on {item.reply.code}")
        _hindi_enough(item.advice, f"{paste.id}: the advice for {item.reply.code}")
        if item.enhanced is not None:
            assert item.enhanced.lang == "hi"
    if result.enhanced is not None:
        assert result.enhanced.lang == "hi"


from test_pastes import BY_ID  # noqa: E402


def test_an_enhanced_code_alone_says_what_it_tells_and_what_it_cannot():
    result = explain_module.explain(BY_ID["dotnet-enhanced-only"].text)
    assert (result.kind, result.items, result.lang, result.provider) == ("enhanced", (), "en", None)
    assert result.enhanced.code == "5.5.1" and result.notes == ()
    assert result.detail == (
        "The paste holds only the enhanced status code 5.5.1, not the three-digit reply code. What it "
        "tells: class 5 is permanent negative completion (not done, and the same request sent again "
        "unchanged will fail again), and the code means: " + lookup_enhanced("5.5.1").meaning + " What it "
        "cannot tell: the reply code (the registry pairs 5.5.1 with 430 500 501 503 530 550 554 555), so "
        "not which rule of RFC 5321 or RFC 4954 the server applied or which command it answered.")
    assert result.advice == ("Change something first (the command, an address, the credentials or a "
                             "setting); the same request will fail again.")


def test_an_enhanced_code_with_no_registered_pairs_and_a_known_provider():
    result = explain_module.explain(BY_ID["mailkit-auth-5-7-3"].text)
    assert result.kind == "enhanced" and result.provider.id == "ms-5-7-3-unsuccessful"
    assert "(the registry pairs 5.7.3 with any 5yz code)" in result.detail
    assert result.advice == result.provider.fix("en") != ""
    assert result.notes == ("A program acts on the reply code alone (RFC 5321 §4.2); the text is for a "
                            "person, and here it tells which of the code's causes applies.",)


def test_an_enhanced_code_with_its_own_advice_gives_it():
    result = explain_module.explain("MailKit.Net.Smtp.SmtpCommandException: 5.7.9 Please log in "
                                    "with your web browser first")
    if result.provider is None:
        assert result.advice == lookup_enhanced("5.7.9").advice != ""


def test_a_transcript_with_no_server_line_is_refused_by_name():
    with pytest.raises(ReplyParseError) as caught:
        explain_module.explain("C: EHLO me\nC: QUIT")
    assert caught.value.rule == "no-reply"
    assert str(caught.value) == "the transcript has no server reply ('S: ' line) to explain"


# --- rule names for errors other files check only by type or by words ---------------------------------

from smtplesson import quiz as quiz_module  # noqa: E402
from smtplesson.workspace import find_notebook  # noqa: E402


@pytest.mark.parametrize("call, rule", [
    (lambda: compare(250, 600), "first-digit"),
    (lambda: compare(270, 250), "second-digit"),
    (lambda: compare("5.7.8", 535), "three-digits"),
    (lambda: set_language("fr"), "language"),
    (lambda: compare(250, 535, lang="fr"), "language"),
    (lambda: quiz_module.select(topics=["nope"]), "quiz-topic"),
    (lambda: quiz_module.select(ids=["no-such-question"]), "quiz-id"),
    (lambda: find_notebook("99"), "notebook-name"),
])
def test_each_refusal_names_its_rule(call, rule):
    with pytest.raises(SmtpLessonError) as caught:
        call()
    assert caught.value.rule == rule and isinstance(caught.value, ValueError)
    assert i18n_module.get_language() == "en"


# --- explain.py: notes, sources and the paths a plain paste takes -----------------------------------

MISMATCH = ("{enhanced} looks like an enhanced code, but its class does not match the reply's first "
            "digit ({code}), so it is not read as one (RFC 2034 §4).")
CHALLENGE = "334 is a question, not a verdict: the client must answer with its next base64 line."


@pytest.mark.parametrize("text, enhanced, code", [
    ("250 5.7.8 odd server", "5.7.8", 250), ("250 5.2.1 odd server", "5.2.1", 250),
    ("501 4.5.1 odd server", "4.5.1", 501), ("500 4.0.0 odd", "4.0.0", 500),
])
def test_an_enhanced_code_of_the_wrong_class_is_noted_not_read(text, enhanced, code):
    item = explain_module.explain(text).items[0]
    assert item.enhanced is None and item.notes == (MISMATCH.format(enhanced=enhanced, code=code),)


def test_a_334_inside_auth_is_a_question_and_a_bare_334_has_no_such_note():
    result = explain_module.explain("S: 220 x\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\nC: YWxpY2U=\n"
                                    "S: 334 UGFzc3dvcmQ6")
    assert [item.notes for item in result.items] == [(), (CHALLENGE,), (CHALLENGE,)]
    assert explain_module.explain("334 VXNlcm5hbWU6").items[0].notes == ()


@pytest.mark.parametrize("text", [
    "250 OK", "'535 5.7.8 Authentication credentials invalid'", '"535 5.7.8 Authentication credentials invalid"',
    "`250 OK`", "S: 220 x\nC: QUIT\nS: 221 bye", "  S: 220 x\n  C: QUIT\n  S: 221 bye",
    "c: ehlo x\ns: 250 x", "   C: EHLO x\nS: 250 x",
])
def test_a_plain_reply_or_dialogue_is_read_as_it_is_with_no_source_and_no_repair(text):
    result = explain_module.explain(text)
    assert result.source == "" and result.kind in ("reply", "transcript")
    assert all(item.notes == () for item in result.items)
    if result.kind == "reply":
        assert result.reply.code in (250, 535) and not result.reply.lines[0].endswith(("'", '"', "`"))
        assert result.reply.lines[0] in ("OK", "5.7.8 Authentication credentials invalid")


def test_a_reply_without_an_enhanced_code_gets_the_codes_own_advice():
    assert explain_module.explain("250 OK").advice == lookup(250).how_to_fix
    assert explain_module.explain("221 Bye").advice == lookup(221).how_to_fix


def test_a_dialogue_with_no_reply_yet_has_an_empty_frame_with_its_columns():
    frame = parse_transcript("C: EHLO me").to_frame()
    assert list(frame.columns) == ["command", "code", "enhanced", "reply_class", "category", "text"]
    assert len(frame) == 0


def test_a_dialogue_that_starts_with_the_client_has_no_base64_notes_before_auth():
    assert parse_transcript("C: EHLO me\nS: 250 x\nC: MAIL FROM:<a@b>\nS: 250 ok").annotated() == (
        ("C", "EHLO me", ""), ("S", "250 x", ""), ("C", "MAIL FROM:<a@b>", ""), ("S", "250 ok", ""))


@pytest.mark.parametrize("text, commands", [
    ("S: 535 5.7.8 x", ["(AUTH) …"]),                      # a log that starts inside AUTH
    ("S: 235 2.7.0 ok", ["(AUTH) …"]),
    ("C: EHLO me\nS: 334 VXNlcm5hbWU6", ["(AUTH) EHLO me"]),   # 334 answers only AUTH steps
    ("C: NOOP\nS: 235 odd", ["NOOP"]),                       # a known command keeps its reply
    ("C: NOOP\nS: 535 odd", ["NOOP"]),
    ("S: 250 ok", [None]),                                   # not a greeting, not AUTH's
])
def test_replies_only_auth_gives_are_counted_as_auth(text, commands):
    assert [e.command for e in parse_transcript(text).exchanges] == commands


# --- explain.py: every kind of thing explain() accepts, and every refusal's words ---------------------

@pytest.mark.parametrize("lang", ["en", "hi"])
def test_explain_takes_a_parsed_reply_and_a_parsed_transcript_in_the_asked_language(lang):
    reply = parse_reply("535 5.7.8 Authentication credentials invalid")
    result = explain_module.explain(reply, lang=lang)
    assert (result.kind, result.lang, len(result.items), result.reply) == ("reply", lang, 1, reply)
    assert result.items[0].entry.lang == lang and result.items[0].command is None
    transcript = parse_transcript(LOGIN)
    told = explain_module.explain(transcript, lang=lang)
    assert told.kind == "transcript" and told.lang == lang and told.transcript is transcript
    assert all(item.entry.lang == lang for item in told.items)
    assert told.verdict == i18n_module.t("verdict.auth_ok", lang)


@pytest.mark.parametrize("lang, source, detail, advice", [
    ("en", "a Python exception",
     "No reply code: the client could not talk to the server at all (ConnectionRefusedError: [Errno "
     "111] Connection refused), so no SMTP reply came back.",
     "Check the host name and the port, that a server listens there, and the TLS mode"),
    ("hi", "पाइथन (Python) का एक एक्सेप्शन",
     "कोई उत्तर कोड नहीं: क्लाइंट सर्वर से बात ही नहीं कर सका (ConnectionRefusedError:",
     "होस्ट का नाम और पोर्ट जाँचें"),
])
def test_a_connection_error_has_no_code_and_says_what_to_check(lang, source, detail, advice):
    result = explain_module.explain(ConnectionRefusedError(111, "Connection refused"), lang=lang)
    assert (result.kind, result.items, result.lang, result.source) == ("no-code", (), lang, source)
    assert result.detail.startswith(detail) and result.detail_advice.startswith(advice)


@pytest.mark.parametrize("lang, source", [("en", "a Python smtplib error"),
                                          ("hi", "पाइथन (Python) की smtplib लाइब्रेरी की एक त्रुटि")])
def test_an_smtplib_tuple_says_where_it_came_from(lang, source):
    result = explain_module.explain((535, b"5.7.8 Authentication credentials invalid"), lang=lang)
    assert (result.kind, result.source, result.lang) == ("smtplib", source, lang)
    assert result.items[0].entry.lang == lang


@pytest.mark.parametrize("given, rule, message", [
    (ValueError("x"), "explain-type",
     "explain() takes a reply, a transcript, a code or an smtplib error, not a ValueError"),
    (b"\xff", "text-characters", "the reply is not text: a reply is US-ASCII (RFC 5321 §4.2)"),
    (3.5, "explain-type", "explain() takes a reply, a transcript or a code as text, not float"),
    ("(535, b'\\xzz')", "smtplib-form",
     "this looks like Python's (code, b'text') form but is not a valid literal"),
    ("x" * 100_001, "too-long", "the text is 100,001 characters; paste one reply or one dialogue (a "
                                "reply line is at most 512 octets, RFC 5321 §4.5.3.1.5)"),
])
def test_each_refusal_of_explain_reads_exactly(given, rule, message):
    with pytest.raises(ReplyParseError) as caught:
        explain_module.explain(given)
    assert (caught.value.rule, str(caught.value)) == (rule, message)


def test_a_paste_of_exactly_the_size_limit_is_read():
    assert explain_module.explain("250 " + "x" * 99_996).kind == "reply"     # 100,000 characters


def test_explain_returns_an_explanation_as_it_is():
    result = explain_module.explain("250 OK")
    assert explain_module.explain(result) is result


def test_a_refusal_after_an_earlier_success_of_the_same_command_stands():
    text = ("S: 220 lab\nC: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQ=\nS: 235 2.7.0 ok\n"
            "C: AUTH PLAIN AGFsaWNlAHdyb25n\nS: 535 5.7.8 Authentication credentials invalid\n")
    assert explain_module.explain(text).verdict.startswith("Authentication failed: the server answered 535")


def test_any_4yz_is_a_refusal_even_400():
    verdict = explain_module.explain("S: 220 lab\nC: NOOP\nS: 400 odd\n").verdict
    assert verdict.startswith("The server refused with 400 (") and verdict.endswith("in answer to NOOP.")


def test_smtplib_text_is_rebuilt_line_by_line_without_repairs():
    result = explain_module.explain((535, b"5.7.8 first\n5.7.8 second"))
    assert result.reply.lines == ("5.7.8 first", "5.7.8 second") and result.items[0].notes == ()
    empty = explain_module.explain((250, b""))
    assert empty.reply.lines == ("",) and empty.items[0].notes == ()
    with pytest.raises(ReplyParseError) as caught:
        explain_module.explain((535, b"\xff\xfe"))
    assert (caught.value.rule, str(caught.value)) == (
        "text-characters", "the reply text is not text: reply text is US-ASCII (RFC 5321 §4.2)")


def test_a_dialogue_of_server_lines_only_in_lower_case_is_a_transcript():
    result = explain_module.explain("s: 220 lab\ns: 421 4.3.2 closing")
    assert result.kind == "transcript" and result.source == "" and len(result.items) == 2


# --- explain.py: pastes written for the paths only one kind of paste takes ---------------------------

t = i18n_module.t

#: A session log a learner copies from a terminal on Windows (CRLF), with a line of their own on top,
#: so the strict transcript reader refuses it and the debug-log reader takes the S:/C: lines.
ZOHO_SESSION = ("Connecting to smtp.zoho.in:587\r\n"
                "S: 220 mx.zohomail.in SMTP Server ready\r\nC: AUTH LOGIN\r\nS: 334 VXNlcm5hbWU6\r\n"
                "C: YXNoYQ==\r\nS: 334 UGFzc3dvcmQ6\r\nC: d3Jvbmc=\r\nS: 535 Authentication Failed\r\n")


@pytest.mark.parametrize("code", [500, 501, 502, 503, 504])
def test_a_5yz_reply_just_above_a_hundred_is_still_permanent(code):
    """500-504 sit where code // 101 would give 4: the verdict must still say 5yz's gist."""
    verdict = explain_module.explain(f"{code} 5.5.2 Syntax error, command unrecognized").verdict
    assert verdict == f"{code} {lookup(code).name}: not done, and the same request sent again unchanged will fail again"


def test_a_334_whose_text_is_not_base64_is_only_a_question():
    result = explain_module.explain("S: 220 x\nC: AUTH PLAIN\nS: 334 go ahead")
    assert result.items[-1].notes == (CHALLENGE,)


def test_the_wrong_class_note_comes_in_hindi_when_asked():
    item = explain_module.explain("250 5.7.8 odd server", lang="hi").items[0]
    assert item.notes == (t("note.enhanced_mismatch", "hi", enhanced="5.7.8", code=250),)
    assert "एन्हांस्ड कोड" in item.notes[0]


@pytest.mark.parametrize("text", ['""', "''", "``", "b''"])
def test_an_empty_quoted_paste_is_refused_as_empty(text):
    """Copying an empty string gives two quotes (or Python's b''): the learner is told it is empty."""
    with pytest.raises(ReplyParseError) as caught:
        explain_module.explain(text)
    assert (caught.value.rule, str(caught.value)) == (
        "empty", "the reply is empty: a reply has at least a three-digit code (RFC 5321 §4.2)")


def test_a_placeholder_code_is_refused_quoting_what_was_typed():
    with pytest.raises(ReplyParseError) as caught:
        explain_module.explain("XXX")
    assert caught.value.rule == "three-digits" and "it starts 'XXX'" in str(caught.value)


def test_a_bytes_literal_with_utf8_text_is_read_with_a_note_like_smtplibs_tuple():
    """b'…' as Python prints it: UTF-8 bytes are text that breaks the US-ASCII rule, not a bad literal."""
    bare = explain_module.explain("b'535 5.7.8 Mot de passe refus\\xc3\\xa9'")
    tuple_form = explain_module.explain("(535, b'5.7.8 Mot de passe refus\\xc3\\xa9')")
    for result in (bare, tuple_form):
        assert result.reply.code == 535 and result.reply.lines == ("5.7.8 Mot de passe refusé",)
        assert any("'é' (U+00E9), which is not US-ASCII" in note for note in result.items[0].notes)
    with pytest.raises(ReplyParseError) as caught:
        explain_module.explain("b'535 5.7.8 \\xff'")
    assert (caught.value.rule, str(caught.value)) == (
        "text-characters", "the reply text is not text: reply text is US-ASCII (RFC 5321 §4.2)")


def test_a_reply_that_names_a_windows_path_is_a_reply_not_a_dialogue():
    result = explain_module.explain("451 4.3.0 Error writing C:\\Program Files\\hMailServer\\Data\\x.eml")
    assert (result.kind, result.reply.code, result.items[0].enhanced.code) == ("reply", 451, "4.3.0")


def test_client_lines_under_a_note_are_refused_as_a_dialogue():
    """Only the learner's own line and C: lines: the refusal speaks of S:/C: lines, not of a reply code."""
    with pytest.raises(ReplyParseError) as caught:
        explain_module.explain("Here is what I sent:\nC: EHLO me\nC: AUTH LOGIN")
    assert caught.value.rule == "transcript-side"
    assert str(caught.value).startswith("transcript line 1 starts 'Here is what': each line must start with 'S: '")


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_crlf_session_under_a_note_is_read_as_a_debug_log_with_its_provider(lang):
    result = explain_module.explain(ZOHO_SESSION, lang=lang)
    assert (result.kind, result.source) == ("transcript", t("paste.source.debug_log", lang))
    assert [item.reply.code for item in result.items] == [220, 334, 334, 535]
    assert result.verdict == t("verdict.auth_failed", lang, code=535, name=lookup(535, lang).name)
    last = result.items[-1]
    assert last.provider.id == "zoho-authentication-failed"     # "zoho" is only in the line on top
    assert result.advice == last.provider.fix(lang) != last.entry.how_to_fix


def test_one_server_line_under_a_note_is_enough_for_a_debug_log():
    result = explain_module.explain("Connecting to smtp.example.org:587\n"
                                    "S: 535 5.7.8 Authentication credentials invalid")
    assert (result.kind, result.source, result.reply.code) == ("transcript", t("paste.source.debug_log"), 535)
    assert result.verdict == "Authentication failed: the server answered 535 (Authentication credentials invalid)."


#: A Nodemailer debug log cut short: the server's 535- never got its final line before QUIT, so the
#: dialogue cannot be read; the reply inside it still can, and the host on top names the provider.
ZOHO_CUT_LOG = ("[2025-11-16 11:57:21] INFO  [cDYfWw5r] Connection established to smtp.zoho.in:465\n"
                "[2025-11-16 11:57:21] DEBUG [cDYfWw5r] S: 535-Authentication Failed\n"
                "[2025-11-16 11:57:21] DEBUG [cDYfWw5r] C: QUIT\n")


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_a_debug_log_whose_dialogue_breaks_is_read_for_its_reply(lang):
    result = explain_module.explain(ZOHO_CUT_LOG, lang=lang)
    assert (result.kind, result.source, result.lang) == ("paste", t("paste.source.embedded", lang), lang)
    assert (result.reply.code, result.reply.lines) == (535, ("Authentication Failed",))
    item = result.items[0]
    assert item.provider.id == "zoho-authentication-failed" and item.entry.lang == lang
    assert result.advice == item.provider.fix(lang) != item.entry.how_to_fix
    assert result.verdict == f"535 {lookup(535, lang).name}: {t('gist.5', lang)}"


@pytest.mark.parametrize("paste_id, code, pairs, advice", [
    ("dotnet-enhanced-only", "5.5.1", "430 500 501 503 530 550 554 555", "class"),
    ("mailkit-auth-5-7-3", "5.7.3", "कोई भी 5yz कोड", "provider"),
    ("dsn-status-only", "5.1.1", "451 550", "enhanced"),
])
def test_an_enhanced_code_alone_is_told_all_in_hindi(paste_id, code, pairs, advice):
    """Each piece of the card: the class's name, the code's meaning, the codes it pairs with, the advice."""
    result = explain_module.explain(BY_ID[paste_id].text, lang="hi")
    assert (result.kind, result.enhanced.code, result.enhanced.lang) == ("enhanced", code, "hi")
    meaning = lookup_enhanced(code, "hi").meaning
    assert f"वर्ग 5 स्थायी विफलता है ({t('gist.5', 'hi')}), और कोड का अर्थ है: {meaning} " in result.detail
    assert f"(रजिस्ट्री {code} को {pairs} के साथ जोड़ती है)" in result.detail
    expected = {"class": t("advice.5", "hi"), "enhanced": lookup_enhanced(code, "hi").advice,
                "provider": result.provider and result.provider.fix("hi")}[advice]
    assert result.advice == expected and _hindi_enough(result.advice, "advice") is None


#: The same session as ZOHO_SESSION, written as a clean dialogue: only the greeting names Zoho.
ZOHO_DIALOGUE = ("S: 220 mx.zohomail.in SMTP Server ready\nC: AUTH LOGIN\nS: 334 VXNlcm5hbWU6\n"
                 "C: YXNoYQ==\nS: 334 UGFzc3dvcmQ6\nC: d3Jvbmc=\nS: 535 Authentication Failed")


@pytest.mark.parametrize("given", [ZOHO_DIALOGUE, parse_transcript(ZOHO_DIALOGUE), ZOHO_SESSION],
                         ids=["text", "parsed", "debug-log"])
def test_a_dialogue_names_its_provider_from_the_greeting_however_it_is_given(given):
    """Zoho's 535 does not say 'Zoho'; its greeting does. A clean dialogue, a parsed one and the same
    lines in a debug log all name the provider and give its fix."""
    result = explain_module.explain(given)
    assert result.kind == "transcript" and result.reply.code == 535
    assert result.items[-1].provider.id == "zoho-authentication-failed"
    assert result.advice.startswith("Generate an application-specific password in Zoho's security settings")


def _session(*rcpts: tuple[str, str]) -> str:
    """A session up to the recipients, then QUIT: each pair is an RCPT TO line and its reply."""
    lines = ["S: 220 mx.example.org ESMTP", "C: EHLO laptop", "S: 250 mx.example.org",
             "C: MAIL FROM:<asha@example.in>", "S: 250 2.1.0 Ok"]
    for command, reply in rcpts:
        lines += [f"C: {command}", f"S: {reply}"]
    return "\n".join(lines + ["C: QUIT", "S: 221 2.0.0 Bye"])


@pytest.mark.parametrize("first, again", [
    # typed by hand without the angle brackets, refused, typed again with them
    (("RCPT TO:ravi@example.org", "501 5.1.3 Bad recipient address syntax"), "RCPT TO:<ravi@example.org>"),
    # DSN parameters the server does not support, then the same recipient without them
    (("RCPT TO:<ravi@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;ravi@example.org",
      "555 5.5.4 Unsupported option: NOTIFY"), "RCPT TO:<ravi@example.org>"),
    # Caps Lock on, then off: the same mailbox, compared without case
    (("RCPT TO:<XAVIER@EXAMPLE.ORG>", "550 5.1.1 <XAVIER@EXAMPLE.ORG>: Recipient address rejected"),
     "RCPT TO:<xavier@example.org>"),
])
def test_a_recipient_refused_then_accepted_is_recovered(first, again):
    result = explain_module.explain(_session(first, (again, "250 2.1.5 Ok")))
    assert result.verdict == "The session ends with no refusal left standing."
    assert result.deciding.reply.code == 221


def test_another_recipient_at_the_same_address_literal_does_not_undo_a_refusal():
    """An address literal holds colons (RFC 5321 §4.1.3); only the mailbox after 'TO:' is compared."""
    result = explain_module.explain(_session(
        ("RCPT TO:<ravi@[IPv6:2001:db8::25]>", "550 5.1.1 <ravi@[IPv6:2001:db8::25]>: User unknown"),
        ("RCPT TO:<meera@[IPv6:2001:db8::25]>", "250 2.1.5 Ok")))
    assert result.verdict == ("The server refused with 550 (Mailbox unavailable or action refused) "
                              "in answer to RCPT TO:<ravi@[IPv6:2001:db8::25]>.")
