"""Toygres dashboards: one module per dashboard, each defining `dashboard(config)`; no I/O."""
