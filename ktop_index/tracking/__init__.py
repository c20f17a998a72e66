"""Stage 5, tracking: the append-only history store of every scoring run and selection, and
what is read from it: trajectories, industry series, the support effect, monitoring.

Modules: ``store`` · ``ingest`` · ``history`` · ``effect`` · ``monitor``.
"""
