"""Every bundled reference table, loaded in one place (sources: SOURCES.md beside this file)."""
