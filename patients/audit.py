"""The one way a service names who changed a clinical record, and why.

django-simple-history reads these two attributes when the record is saved and
writes them on its history row (who, when, what, why). Every service of every
app calls `audit` just before `save()`; nothing else sets them.
"""

from __future__ import annotations


def audit(instance, *, actor, reason: str) -> None:
    """Marks the next save of `instance` as made by `actor` for `reason`."""
    instance._history_user = actor
    instance._change_reason = reason
