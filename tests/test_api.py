"""The curated top-level API: every public name resolves to the object its stage owns, and
``import ktop_index`` loads none of the heavy libraries until a name is used."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

import ktop_index


def test_every_public_name_resolves_to_its_owner():
    for name in ktop_index.__all__:
        value = getattr(ktop_index, name)
        if name != "__version__":
            owner = importlib.import_module(ktop_index._API[name])
            assert value is getattr(owner, name), name
    assert set(ktop_index.__all__) == {"__version__", *ktop_index._API}


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'score'"):
        ktop_index.score  # noqa: B018 - the lookup is the test


def test_importing_the_package_loads_no_heavy_library():
    code = ("import sys, ktop_index; ktop_index.is_valid_brn('124-81-00998'); "
            "print(sorted(m for m in ('pandas', 'numpy', 'sklearn', 'matplotlib', 'pyarrow') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    assert out.strip() == "[]"


def test_every_error_is_a_ktop_error_and_a_value_error():
    for name in ("InputError", "DataError", "CallError", "SpecError", "StoreError",
                 "UsageError"):
        error = getattr(ktop_index, name)
        assert issubclass(error, ktop_index.KtopError) and issubclass(error, ValueError)


@pytest.mark.parametrize("module", ["ktop_index.errors", "ktop_index.labels",
                                    "ktop_index._files", "ktop_index._threads",
                                    "ktop_index.reference",
                                    "ktop_index.data.contract", "ktop_index.data.io",
                                    "ktop_index.data.brn"])
def test_the_examples_in_the_docstrings_run(module, tmp_path, monkeypatch):
    """The leaf and data modules' docstring examples are true (they write to a temp folder)."""
    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
