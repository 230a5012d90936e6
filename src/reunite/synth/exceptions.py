"""Errors raised by :mod:`reunite.synth`."""

from __future__ import annotations

__all__ = ["SynthError"]


class SynthError(ValueError):
    """Bad generator arguments (sizes out of range, unknown difficulty, bad output path)."""
