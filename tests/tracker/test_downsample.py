"""Long series are thinned for display, never losing a grade >= 3 point."""

from __future__ import annotations

from tracker.downsample import bucket_bounds, minmax_indices


def test_a_short_series_is_drawn_whole():
    assert minmax_indices([1.0, 2.0, 3.0], max_points=10) == [0, 1, 2]


def test_a_long_series_is_thinned_to_about_the_limit():
    values = [float(i % 17) for i in range(5000)]
    shown = minmax_indices(values, max_points=300)
    assert len(shown) <= 301
    assert shown == sorted(set(shown))


def test_the_extremes_of_each_bucket_survive():
    values = [0.0] * 1000
    values[500] = 99.0
    values[501] = -99.0
    shown = minmax_indices(values, max_points=30)
    assert 500 in shown and 501 in shown


def test_a_flagged_point_is_never_dropped():
    values = [120.0] * 2000
    keep = [False] * 2000
    for i in (7, 8, 1333):
        values[i] = 121.0  # not an extreme of its bucket
        keep[i] = True
    values[9] = 200.0
    shown = minmax_indices(values, max_points=30, keep=keep)
    assert {7, 8, 1333} <= set(shown)


def test_the_last_point_is_always_shown():
    assert minmax_indices([1.0] * 1000, max_points=30)[-1] == 999


def test_buckets_cover_every_item_once():
    bounds = bucket_bounds(1003, 100)
    assert len(bounds) == 100
    covered = [i for lo, hi in bounds for i in range(lo, hi)]
    assert covered == list(range(1003))
