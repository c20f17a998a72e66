"""Small sampling helpers shared by the generator's steps (each takes the generator it draws
from, so the caller decides which stream a draw comes out of).

Example
-------
>>> import numpy as np
>>> choice(np.random.default_rng(0), 4, (0.0, 1.0)).tolist()
[1, 1, 1, 1]
"""

from __future__ import annotations

import numpy as np


def sigmoid(x):
    """The logistic function, elementwise."""
    return 1.0 / (1.0 + np.exp(-x))


def categorical(rng, probs):
    """One draw per row of ``probs`` (rows sum to 1): the column index."""
    cdf = np.cumsum(probs, axis=1)
    u = rng.random(probs.shape[0]) * cdf[:, -1]
    return np.minimum((cdf <= u[:, None]).sum(axis=1), probs.shape[1] - 1)


def choice(rng, n, weights):
    """``n`` category indices drawn with the given (unnormalised) weights."""
    w = np.asarray(weights, dtype=float)
    return categorical(rng, np.broadcast_to(w / w.sum(), (n, len(w))))


def pick(rng, pool, n):
    """``n`` items of ``pool``, drawn uniformly with replacement."""
    arr = np.asarray(pool)
    return arr[rng.integers(0, len(arr), n)]
