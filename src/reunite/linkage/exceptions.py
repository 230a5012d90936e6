"""Errors of the matching engine; every one derives from ``LinkageError``."""

from __future__ import annotations


class LinkageError(Exception):
    """Base class: anything the matching engine refuses or cannot do."""


class ModelError(LinkageError):
    """A model file is unreadable, of another version, or does not fit the data."""


class TrainingError(LinkageError):
    """The data are too small or too uniform to estimate a model from."""


class BackendError(LinkageError):
    """A database back-end (DuckDB, Spark) is missing or failed."""
