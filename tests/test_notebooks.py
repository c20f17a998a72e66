"""Every notebook in notebooks/ runs top to bottom without an error, and is committed clean
(no outputs, no execution counts) so that diffs stay readable."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def _kernel_name() -> str:
    """python3, which jupyter_client starts with this very interpreter (sys.executable), so
    the kernel sees the installed package; skip if no such kernel is installed."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().get_all_specs()
    if "python3" not in specs:
        pytest.skip("no python3 Jupyter kernel installed")
    return "python3"


def test_there_are_notebooks():
    """The tutorial notebooks exist."""
    assert NOTEBOOKS, "no notebooks in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_committed_without_outputs(path):
    """No code cell carries outputs or an execution count."""
    notebook = nbformat.read(path, as_version=4)
    dirty = [k for k, cell in enumerate(notebook.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert dirty == [], f"{path.name}: clear the outputs of cells {dirty}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_without_error(path, tmp_path):
    """Executing every cell in order raises no error (nbclient, the venv's python3 kernel)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name=_kernel_name(),
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError naming the cell on any error
    errors = [out for cell in notebook.cells if cell.cell_type == "code"
              for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert errors == []
