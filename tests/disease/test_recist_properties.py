"""Properties over any valid baseline and follow-ups (hypothesis)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from disease.recist import (
    NonTargetStatus,
    Response,
    Study,
    TargetLesion,
    sum_of_diameters,
    time_point_response,
)
from tests.disease.factories import BASELINE_DATE, lesion

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
ORGANS = ["lung", "liver", "bone", "neck nodes", "adrenal"]
tenths = st.integers(min_value=0, max_value=3000).map(lambda n: Decimal(n) / 10)


@st.composite
def baselines(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    organs = draw(st.permutations(ORGANS + ORGANS))[:count]  # each organ at most twice
    targets = []
    for i, organ in enumerate(organs):
        node = draw(st.booleans())
        smallest = 150 if node else 100  # measurable: node >= 15 mm, lesion >= 10 mm on CT
        size = Decimal(draw(st.integers(min_value=smallest, max_value=2000))) / 10
        targets.append(lesion(f"T{i + 1}", size, organ=organ, node=node))
    non_target = draw(st.sampled_from([NonTargetStatus.ABSENT, NonTargetStatus.PRESENT]))
    return Study(BASELINE_DATE, tuple(targets), non_target, 0)


def remeasured(draw, baseline, on, *, all_measured):
    sizes = st.one_of(tenths, st.none()) if not all_measured else tenths
    return tuple(
        TargetLesion(t.label, t.organ, t.is_lymph_node, draw(sizes), t.modality)
        for t in baseline.targets
    )


def non_target_after(draw, baseline, *, allow_progression):
    if baseline.non_target is NonTargetStatus.ABSENT:
        return draw(st.sampled_from([NonTargetStatus.ABSENT, NonTargetStatus.NOT_EVALUATED]))
    choices = [NonTargetStatus.ABSENT, NonTargetStatus.PRESENT, NonTargetStatus.NOT_EVALUATED]
    if allow_progression:
        choices.append(NonTargetStatus.UNEQUIVOCAL_PROGRESSION)
    return draw(st.sampled_from(choices))


@st.composite
def histories(draw, *, current_all_measured):
    baseline = draw(baselines())
    prior = []
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        on = BASELINE_DATE + dt.timedelta(days=90 * (i + 1))
        prior.append(
            Study(
                on,
                remeasured(draw, baseline, on, all_measured=False),
                non_target_after(draw, baseline, allow_progression=True),
                draw(st.integers(min_value=0, max_value=2)),
            )
        )
    on = BASELINE_DATE + dt.timedelta(days=90 * (len(prior) + 1))
    targets = remeasured(draw, baseline, on, all_measured=current_all_measured)
    return baseline, prior, on, targets


@PROPERTY_SETTINGS
@given(histories(current_all_measured=False), st.data())
def test_a_new_lesion_always_gives_progression(history, data):
    baseline, prior, on, targets = history
    non_target = non_target_after(data.draw, baseline, allow_progression=True)
    new = data.draw(st.integers(min_value=1, max_value=5))
    current = Study(on, targets, non_target, new)
    assert time_point_response(baseline, current, prior=prior).response is Response.PD


@PROPERTY_SETTINGS
@given(histories(current_all_measured=True), st.data())
def test_a_sum_below_the_nadir_never_gives_progression(history, data):
    baseline, prior, on, targets = history
    non_target = non_target_after(data.draw, baseline, allow_progression=False)
    current = Study(on, targets, non_target, 0)
    sums = [sum_of_diameters(s) for s in [baseline, *prior]]
    nadir = min(s for s in sums if s is not None)
    current_sum = sum_of_diameters(current)
    assume(current_sum < nadir)
    point = time_point_response(baseline, current, prior=prior)
    assert point.nadir_mm == nadir
    assert point.response is not Response.PD


@PROPERTY_SETTINGS
@given(histories(current_all_measured=True))
def test_target_progression_only_with_both_the_relative_and_the_absolute_increase(history):
    baseline, prior, on, targets = history
    current = Study(on, targets, baseline.non_target, 0)
    point = time_point_response(baseline, current, prior=prior)
    increase = point.sum_mm - point.nadir_mm
    meets = increase * 100 >= 20 * point.nadir_mm and increase >= 5
    assert (point.target_response is Response.PD) == meets
