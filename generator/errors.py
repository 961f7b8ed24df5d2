"""Specific exception classes; the CLI turns each into one clear line and a non-zero exit."""

from __future__ import annotations


class DashgenError(Exception):
    """Base class: the message is the single line shown to the user (it names the place)."""


class ConfigError(DashgenError):
    """A configuration or environment file is invalid."""


class DefinitionError(DashgenError):
    """A dashboard or alert definition module cannot be loaded or is invalid."""


class ParseError(DashgenError):
    """A PromQL or LogQL query does not parse."""


class BuildError(DashgenError):
    """Compiling failed (lint errors, duplicate uids, ...); nothing was written."""


class ImportFailure(DashgenError):
    """A file given to `dashgen import` is not a dashboard it can import."""
