"""The synthetic firm panel and applicant files, with their documented generative model
(docs/synth.md): the project's test instrument, with a known truth."""

from ktop_index.synth.panel import *
from ktop_index.synth.panel import __all__  # noqa: F401
