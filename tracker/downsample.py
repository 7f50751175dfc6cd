"""Thin long series for display without losing what matters. Plain values, no Django.

Min/max per bucket: the series is cut into equal runs of consecutive points and
each run keeps its first, lowest and highest point; the last point is always
kept. Points flagged ``keep`` (a grade >= 3) are never dropped, whatever the
bucket holds.
"""

from __future__ import annotations

from collections.abc import Sequence

MAX_POINTS = 300


def minmax_indices(
    values: Sequence[float | None],
    *,
    max_points: int = MAX_POINTS,
    keep: Sequence[bool] | None = None,
) -> list[int]:
    """Indices of the points to draw, in order. All of them when there are few."""
    n = len(values)
    if keep is not None and len(keep) != n:
        raise ValueError("keep must flag every value")
    if n <= max_points:
        return list(range(n))
    if max_points < 3:
        raise ValueError("max_points must be at least 3")
    chosen: set[int] = {n - 1}
    if keep is not None:
        chosen.update(i for i, flag in enumerate(keep) if flag)
    buckets = max_points // 3
    for b in range(buckets):
        lo = b * n // buckets
        hi = (b + 1) * n // buckets
        chosen.add(lo)
        present = [i for i in range(lo, hi) if values[i] is not None]
        if present:
            chosen.add(min(present, key=lambda i: values[i]))
            chosen.add(max(present, key=lambda i: values[i]))
    return sorted(chosen)


def bucket_bounds(n: int, max_buckets: int) -> list[tuple[int, int]]:
    """Runs [lo, hi) of consecutive items, at most ``max_buckets`` of them."""
    if n <= max_buckets:
        return [(i, i + 1) for i in range(n)]
    return [(b * n // max_buckets, (b + 1) * n // max_buckets) for b in range(max_buckets)]
