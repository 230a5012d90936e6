"""Django app reunite.matching."""
