"""Work handed to threads, its results taken in order: for work that runs mostly outside
Python's lock (arrow, numpy on large arrays), so that a second core takes part.

>>> list(in_order((lambda k=k: k * k for k in range(5)), workers=2))
[0, 1, 4, 9, 16]
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor


def in_order(tasks: Iterable[Callable], workers: int, ahead: int = 2) -> Iterator:
    """The results of ``tasks`` (functions of no argument), run by ``workers`` threads up to
    ``ahead`` beyond the one handed on, in the order of the tasks: what the tasks hold in
    memory is bounded by ``ahead + 1`` of them."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.submit(task))
            if len(pending) > ahead:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def stage_threads(most: int = 4) -> int:
    """Threads for one stage of a pipeline whose stages run side by side (a streamed file is
    read and validated, scored, formatted and written at once): half the cores, at least
    one, at most ``most``. On 2 cores, one each: a second scoring thread and a second
    formatter only added hand-offs of Python's lock (1M rows, fresh ``ktop score``
    processes: 2-5 % less CPU time, 1-5 % less wall time with one each).

    >>> 1 <= stage_threads() <= 4
    True
    """
    return max(1, min(most, (os.cpu_count() or 1) // 2))
