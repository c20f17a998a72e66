"""Stage 2, the index: indicators from a firm's fields, the Tech-Index estimator (fit the
reference population once, score forever) and the COINr-compatible composite engine.

Modules: ``indicators`` · ``spec`` (domains, grades) · ``techindex`` (``TechIndex``)
· ``explain`` (reasons and gains) · ``composite``.
"""
