"""scikit-learn's estimator contract without importing scikit-learn.

``import sklearn`` takes about a second (it loads scipy.stats), which every ``ktop score``
would pay before reading a row. :class:`Estimator` gives what the contract asks of an
estimator: parameters are the ``__init__`` arguments, stored as given; ``get_params`` and
``set_params`` read and set them (so ``sklearn.base.clone`` makes an unfitted copy);
``fit`` returns ``self`` and fitted attributes end in ``_``; ``fit_transform`` is ``fit``
then ``transform``. :func:`check_fitted` raises scikit-learn's own ``NotFittedError``,
imported only then.

>>> class Scaler(Estimator):
...     def __init__(self, factor=1.0):
...         self.factor = factor
>>> Scaler(2.0).get_params()
{'factor': 2.0}
>>> Scaler()
Scaler()
"""

from __future__ import annotations

import inspect


class Estimator:
    """The parameter handling of ``sklearn.base.BaseEstimator`` and ``fit_transform`` of
    ``TransformerMixin``."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(p.name for p in signature.parameters.values()
                      if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))

    def get_params(self, deep: bool = True) -> dict:
        """The parameters by name (``deep``: also those of parameters that are estimators)."""
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{k}", v) for k, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set parameters by name; returns the estimator."""
        valid = self._get_param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator {self!r}. "
                                 f"Valid parameters are: {valid!r}.")
            setattr(self, name, value)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """``fit`` then ``transform`` of the same data."""
        return self.fit(X, y, **fit_params).transform(X)

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in
                    inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params(deep=False).items()
                   if not (defaults.get(k) is v or _same(defaults.get(k), v))]
        return f"{type(self).__name__}({', '.join(changed)})"


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - arrays and the like: shown as changed
        return False


def check_fitted(estimator, attribute: str, msg: str) -> None:
    """Raise scikit-learn's ``NotFittedError`` (``msg % {'name': class name}``) when
    ``estimator`` lacks the fitted ``attribute``."""
    if not hasattr(estimator, attribute):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(msg % {"name": type(estimator).__name__})
