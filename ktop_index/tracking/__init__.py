"""Stage 5, tracking: the append-only history store of every scoring run and selection, and
what is read from it: trajectories, industry series, the support effect, monitoring.

Modules: ``store`` (the SQLite store) · ``ingest`` (imports into it) · ``history`` (latest
scores, trajectories, industry series) · ``effect`` (the support effect) · ``monitor``
(flags for supported firms) · ``panel`` (the firm-years as one panel, for ``ktop fit --db``)
· ``present`` (the tables in Korean, at the edge).
"""
