"""Twenty learners on one machine: twenty kernels run the live-lab notebook at the same time."""

import pytest

from classroom_support import run_many_sync

LEARNERS = 20


@pytest.mark.slow
def test_twenty_kernels_run_the_live_lab_notebook_at_once():
    results = run_many_sync(LEARNERS)
    failures = [(r["learner"], r["error"]) for r in results if r["error"]]
    assert not failures, failures
    ports = [r["ports"][0] for r in results]
    assert all(len(r["ports"]) == 1 for r in results)
    assert len(set(ports)) == LEARNERS, "every learner's lab got its own port"
    for result in results:
        # each learner saw the whole conversation: 235 to the login, 250 after the final dot
        assert "235 2.7.0 Authentication successful" in result["text"]
        assert "The message was accepted: 250 after the final dot" in result["text"]
        assert result["peak_rss_kib"] is not None, f"learner {result['learner']}: no memory figure"
