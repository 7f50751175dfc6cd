"""The fingerprint of a rule set: what a pharmacist's sign-off is for.

Pure Python, no Django. A rule set's content is every field of the rule set and
of each of its rows (conditions, actions, recovery, sources, confirmed flags),
the engine version and the policy settings the engine runs with. Any change to
one of them gives another fingerprint, so a sign-off of the old content no
longer counts (the site needs a new sign-off).

The rows are read generically (every dataclass field, recursively), not field by
field: a new field in the rule data is part of the fingerprint without a change
here.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["plain", "row_fingerprint", "rule_set_content", "rule_set_fingerprint", "rows_of"]


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data with one spelling: dataclasses as dicts of their
    fields, sets sorted, tuples as lists, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((plain(v) for v in value), key=_canonical)
    if isinstance(value, (list, tuple)):
        if hasattr(value, "_asdict"):  # a NamedTuple: its field names matter too
            return plain(value._asdict())
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(value: Any) -> str:
    return hashlib.sha256(_canonical(value).encode()).hexdigest()


def rows_of(rule_set: Any) -> tuple[Any, ...]:
    """The rule set's rows, in their order."""
    return tuple(rule_set.rules)


def row_fingerprint(row: Any) -> str:
    """SHA-256 of one row's content: a pharmacist's confirmation of a row is for this."""
    return _sha256(plain(row))


def rule_set_content(rule_set: Any, *, engine_version: str, policy: Mapping[str, Any]) -> dict:
    """Everything the fingerprint covers, as plain data."""
    return {
        "rule_set": plain(rule_set),
        "engine_version": engine_version,
        "policy": plain(policy),
    }


def rule_set_fingerprint(rule_set: Any, *, engine_version: str, policy: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the rule set's content, the engine version and the policy."""
    return _sha256(rule_set_content(rule_set, engine_version=engine_version, policy=policy))
