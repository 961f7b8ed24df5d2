"""Toygres alert rules: one module per concern, each defining `rules(config)`; no I/O."""
