"""The synthetic firm panel and applicant files, with their documented generative model
(docs/synth.md): the project's test instrument, with a known truth.

Modules, in the order the generator uses them: ``world`` (regions, industries, year
effects), ``identity`` (BRNs and company names), ``panel`` (the simulation in named steps:
firms, latent capability, fields year by year, exits, panel and truth; :func:`generate`,
:func:`write`) and ``applicants`` (applicant files for the 2025 calls,
:func:`make_applicants`).

Example
-------
>>> from ktop_index import synth
>>> sp = synth.generate(n_firms=100, years=(2022, 2024), seed=0)
>>> len(sp.panel) == len(sp.truth)
True
"""

from ktop_index.synth.applicants import APPLICANT_EXTRA_COLUMNS, CALLS, make_applicants
from ktop_index.synth.panel import (
    DOMAINS,
    MISSING_RATES,
    PANEL_COLUMNS,
    TRUE_GROWTH_WEIGHTS,
    TRUTH_COLUMNS,
    GenerativeParams,
    SyntheticPanel,
    generate,
    generate_panel,
    generate_truth,
    write,
)

__all__ = [
    "APPLICANT_EXTRA_COLUMNS",
    "CALLS",
    "DOMAINS",
    "MISSING_RATES",
    "PANEL_COLUMNS",
    "TRUE_GROWTH_WEIGHTS",
    "TRUTH_COLUMNS",
    "GenerativeParams",
    "SyntheticPanel",
    "generate",
    "generate_panel",
    "generate_truth",
    "make_applicants",
    "write",
]
