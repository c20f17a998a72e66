"""ktop_index._threads: results in the tasks' order, work in flight bounded."""

from __future__ import annotations

import threading
import time

from ktop_index._threads import in_order


def test_results_come_in_the_order_of_the_tasks_whichever_finishes_first():
    def task(k):
        def run():
            time.sleep(0.02 * (5 - k))  # the first tasks finish last
            return k
        return run

    assert list(in_order((task(k) for k in range(6)), workers=3, ahead=5)) == list(range(6))


def test_no_more_than_ahead_tasks_beyond_the_one_handed_on_are_taken():
    taken = []
    lock = threading.Lock()

    def tasks():
        for k in range(20):
            with lock:
                taken.append(k)
            yield lambda k=k: k

    results = in_order(tasks(), workers=2, ahead=3)
    assert next(results) == 0
    assert len(taken) == 4  # the first, and 3 ahead of it
    assert list(results) == list(range(1, 20))


def test_a_stage_has_half_the_cores_from_one_to_the_most(monkeypatch):
    """1, 2, 3, 4, 8 and 16 cores (and none known): 1, 1, 1, 2, 4, 4 threads; at most 2: 2."""
    import os

    from ktop_index._threads import stage_threads

    answers = {}
    for cores in (None, 1, 2, 3, 4, 8, 16):
        monkeypatch.setattr(os, "cpu_count", lambda cores=cores: cores)
        answers[cores] = (stage_threads(), stage_threads(most=2))
    assert answers == {None: (1, 1), 1: (1, 1), 2: (1, 1), 3: (1, 1), 4: (2, 2), 8: (4, 2),
                       16: (4, 2)}
