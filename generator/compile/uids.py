"""Dashboard uids derive from the definition module's name; links and alerts rely on them."""

from __future__ import annotations

UID_PREFIX = "toygres-"
MAX_UID = 40


def uid_for(slug: str) -> str:
    """The stable dashboard uid for a definition module's slug (dashboards/<slug>.py)."""
    return UID_PREFIX + slug
