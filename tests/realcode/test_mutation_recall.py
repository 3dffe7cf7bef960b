"""Recall on real code: every mutant of a bug class the plugin checks is flagged with its code.

mutate.py injects each bug class into the corpora of this environment; this test holds the
classes whose status is "checked" to a full score (the others are in the report of
``python3 tasks.py mutate``, with their misses, until their checks land).
"""

from __future__ import annotations

import corpus
import mutate
import pytest

CHECKED = [key for key, bug in mutate.CLASSES.items() if bug.status == "checked"]


@pytest.fixture(scope="module")
def tallies() -> dict[str, mutate.Tally]:
    totals = {key: mutate.Tally() for key in mutate.CLASSES}
    for sdist in corpus.installed():
        for key, tally in mutate.evaluate(sdist)[0].items():
            totals[key].add(tally)
    return totals


@pytest.mark.parametrize("key", CHECKED)
def test_every_mutant_of_a_checked_class_is_flagged(tallies: dict[str, mutate.Tally], key: str) -> None:
    tally = tallies[key]
    assert tally.mutants > 0, f"no {key} mutant generated: the operator no longer finds its sites"
    assert tally.flagged == tally.mutants, f"{key}: {tally.flagged} of {tally.mutants} mutants flagged"
