"""Properties of the Tg doubling time (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from disease.thyroglobulin import doubling_time
from tests.disease.factories import tg

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
START = dt.date(2020, 1, 1)

tg_values = st.integers(min_value=1, max_value=100_000).map(lambda n: Decimal(n) / 100)
factors = st.integers(min_value=1, max_value=1_000_000).map(lambda n: Decimal(n) / 1000)


@st.composite
def series(draw):
    days = draw(st.lists(st.integers(0, 3650), min_size=4, max_size=10, unique=True))
    return [(START + dt.timedelta(days=d), draw(tg_values)) for d in sorted(days)]


@PROPERTY_SETTINGS
@given(series(), factors)
def test_doubling_time_is_the_same_when_every_tg_is_scaled_by_one_constant(values, factor):
    # A change of unit or a calibration factor moves ln(Tg) by a constant: the slope stays.
    plain = doubling_time([tg(day, value) for day, value in values])
    scaled = doubling_time([tg(day, value * factor) for day, value in values])
    assert scaled.status is plain.status
    assert scaled.slope_per_year == pytest.approx(plain.slope_per_year, rel=1e-9, abs=1e-12)
    if plain.doubling_time_years is None:
        assert scaled.doubling_time_years is None
    else:
        assert scaled.doubling_time_years == pytest.approx(
            plain.doubling_time_years, rel=1e-9, abs=2e-9
        )


@PROPERTY_SETTINGS
@given(series())
def test_a_doubling_time_is_reported_only_for_a_rising_tg(values):
    result = doubling_time([tg(day, value) for day, value in values])
    assert (result.doubling_time_years is not None) == (result.slope_per_year > 0)
