"""ktop_index: an open, reproducible Tech-Index (기업혁신역량지수) for SME selection and tracking.

The package is organised one module per pipeline stage (see docs/architecture.md):

contract -> io -> validate -> synth -> indicators -> composite -> index -> ...

Example
-------
>>> import ktop_index as kt
>>> kt.is_valid_brn("124-81-00998")
True
"""

__version__ = "0.1.0"

from ktop_index.data.brn import is_valid_brn, normalise_brn  # after __version__, which it may need

__all__ = ["__version__", "is_valid_brn", "normalise_brn"]
