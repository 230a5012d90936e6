"""Django app reunite.verification."""
