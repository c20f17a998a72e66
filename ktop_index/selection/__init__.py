"""Stage 4, selection: a call's rules, eligibility, committee scores, the ranking, the budget
allocation, the robustness of each selection, and the audit record of a decision.

Modules: ``calls`` · ``eligibility`` · ``committee`` · ``allocation`` · ``robustness``
· ``decide`` (``select``) · ``audit``.
"""
