"""Template filters that show stored codes in the user's language."""

from __future__ import annotations

from typing import Any

from django import template

from reunite.matching.labels import run_note as _run_note
from reunite.registry.history import action_label, object_label
from reunite.verification.labels import kinship_relationship as _kinship_relationship
from reunite.verification.labels import verbal

register = template.Library()


@register.filter
def audit_action(action: str) -> str:
    """``update`` → "Changed"."""
    return action_label(action)


@register.filter
def audit_object(object_type: str) -> str:
    """``child`` → "Child"."""
    return object_label(object_type)


@register.filter
def run_note(note: str) -> str:
    return _run_note(note)


@register.filter
def kinship_relationship(name: str) -> str:
    """``full-siblings`` → "Full siblings"."""
    return _kinship_relationship(name)


@register.filter
def kinship_verbal(report: Any) -> str:
    """A kinship report's LR on the ENFSI verbal scale, in the user's language."""
    return verbal(float(report.combined_lr or 0.0), str(report.relationship))
