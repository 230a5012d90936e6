"""The acting-user context used by this app (one import to change when it moves)."""

from reunite.registry.actions import Acting

__all__ = ["Acting"]
