"""The one-line check after a learner predicts and acts, against real lab sessions."""

import pytest

from smtplesson import quiz
from smtplesson.errors import SmtpLessonError
from smtplesson.lab import LabServer, dialogue, send_mail
from smtplesson.samples import samples
from smtplesson.yourturn import check_prediction


@pytest.fixture(scope="module")
def lab():
    with LabServer() as server:
        yield server


def test_nothing_done_yet_says_so_and_what_to_do():
    check = check_prediction(..., None, todo="press Send")
    assert check.state == "waiting"
    assert repr(check) == "… Nothing to check yet: press Send, then run this cell again."


def test_a_right_and_a_wrong_prediction_against_a_real_535(lab):
    refused = send_mail(lab, "alice", "not-the-password")
    assert check_prediction(535, refused, todo="-").right
    assert check_prediction("535", refused, todo="-").right  # what a learner may type
    wrong = check_prediction(250, refused, todo="-")
    assert wrong.state == "wrong"
    assert "you predicted 250, but what happened was 535" in repr(wrong)


def test_no_prediction_still_reports_what_happened(lab):
    check = check_prediction(..., send_mail(lab, "alice", "wonderland"), todo="-")
    assert check.state == "no_prediction" and "What happened: 250" in repr(check)


def test_counting_replies_and_reading_a_dialogue(lab):
    two = send_mail(lab, "alice", "wonderland", recipients=["bob@lab.example", "carol@lab.example"])
    assert check_prediction(5, two, count=250, todo="-").right  # EHLO, MAIL, 2 × RCPT, the final dot
    typed = dialogue(lab, ["EHLO learner.example", "AUTH PLAIN AGFsaWNlAHdyb25n", "QUIT"])
    assert check_prediction(535, typed, todo="-").right  # the last reply before QUIT decides


def test_in_hindi():
    assert "अभी जाँचने को कुछ नहीं है" in repr(check_prediction(..., None, todo="x", lang="hi"))


def test_a_notebooks_closing_questions_and_a_bad_notebook_name():
    assert [q.notebook for q in quiz.select(notebook="04")] == ["04"] * len(quiz.select(notebook="04"))
    with pytest.raises(SmtpLessonError) as error:
        quiz.select(notebook="09")
    assert error.value.rule == "quiz-notebook"


def test_samples_hold_real_replies_with_their_source():
    assert {sample.reply[:3] for sample in samples("535")} == {"535"}
    assert all(sample.source for group in ("535", "near-misses") for sample in samples(group))
    with pytest.raises(SmtpLessonError):
        samples("nope")
