"""Errors of the names engine.

The lookup and key functions never raise on bad input (they return best-effort results with
flags); these are for programming errors such as an unknown transliteration scheme.
"""


class NamesError(Exception):
    """Base class of every error raised by :mod:`reunite.names`."""


class UnknownSchemeError(NamesError, ValueError):
    """A transliteration scheme name that :func:`reunite.names.schemes` does not list."""
