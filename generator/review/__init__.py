"""Review dashboard changes: one semantic differ over compiled output (dashboards matched by uid,
panels by a stable identity, alert rules by uid) and its text, markdown and JSON reporters."""

from generator.review.differ import diff_snapshots
from generator.review.model import Change, ItemDiff, Report, Snapshot

__all__ = ["Change", "ItemDiff", "Report", "Snapshot", "diff_snapshots"]
