"""Properties of every computable grading function.

A worse measurement never gives a lower grade, and the grade is always an int
within the term's range (0 or one of the grades that exist for the term, and
never above what numbers alone can give).
"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from toxicity.ctcae.grading import (
    DIPSTICK_VALUES,
    Grade,
    grade_bilirubin,
    grade_creatinine,
    grade_diarrhea,
    grade_ejection_fraction,
    grade_hypertension,
    grade_hypocalcemia,
    grade_proteinuria,
    grade_qtc,
    grade_transaminase,
    grade_weight_loss,
)
from toxicity.ctcae.terms import TERMS


def _finite(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def assert_in_range(result: Grade, term: str, numeric_max: int) -> None:
    assert type(result.grade) is int
    assert result.grade == 0 or result.grade in TERMS[term].grades
    assert 0 <= result.grade <= numeric_max


bp = st.tuples(_finite(50, 300), _finite(20, 200)).filter(lambda r: r[1] <= r[0])


@given(st.lists(bp, min_size=1, max_size=4), _finite(0, 60), _finite(0, 60))
def test_hypertension_never_improves_when_pressures_rise(readings, d_sys, d_dia):
    worse = [(s + d_sys, d + d_dia) for s, d in readings]
    assume(all(d <= s for s, d in worse))
    before, after = grade_hypertension(readings), grade_hypertension(worse)
    assert_in_range(before, "hypertension", 3)
    assert_in_range(after, "hypertension", 3)
    assert after.grade >= before.grade


@given(_finite(0, 40), _finite(0, 20), _finite(0, 20))
def test_diarrhea_never_improves_with_more_stools(stools, baseline, extra):
    before = grade_diarrhea(stools, baseline)
    after = grade_diarrhea(stools + extra, baseline)
    assert_in_range(after, "diarrhea", 3)
    assert after.grade >= before.grade


@given(_finite(20, 200), _finite(20, 200), _finite(0, 1))
def test_weight_loss_never_improves_with_lower_weight(weight, baseline, fraction_lost):
    lower = weight * (1 - fraction_lost * 0.99)
    before = grade_weight_loss(weight, baseline)
    after = grade_weight_loss(lower, baseline)
    assert_in_range(after, "weight_loss", 3)
    assert after.grade >= before.grade


@given(_finite(0, 20), _finite(0, 10), st.none() | _finite(0.01, 0.5))
def test_proteinuria_never_improves_with_more_protein(grams, extra, uln):
    before = grade_proteinuria(urine_protein_g_24h=grams, uln_g_24h=uln)
    after = grade_proteinuria(urine_protein_g_24h=grams + extra, uln_g_24h=uln)
    assert_in_range(after, "proteinuria", 3)
    assert after.grade >= before.grade


def test_dipstick_grades_rise_with_the_dipstick_scale():
    grades = [grade_proteinuria(dipstick=d).grade for d in DIPSTICK_VALUES]
    assert grades == sorted(grades)
    assert all(g in (0, *TERMS["proteinuria"].grades) for g in grades)


@given(_finite(0, 5000), _finite(0, 5000), _finite(1, 200), _finite(1, 2000))
def test_transaminase_never_improves_with_a_higher_value(value, extra, uln, baseline):
    before = grade_transaminase(value, uln, baseline)
    after = grade_transaminase(value + extra, uln, baseline)
    assert_in_range(after, "alanine_aminotransferase_increased", 4)
    assert after.grade >= before.grade


@given(_finite(0, 50), _finite(0, 50), _finite(0.1, 3), _finite(0.1, 10))
def test_bilirubin_never_improves_with_a_higher_value(value, extra, uln, baseline):
    before = grade_bilirubin(value, uln, baseline)
    after = grade_bilirubin(value + extra, uln, baseline)
    assert_in_range(after, "blood_bilirubin_increased", 4)
    assert after.grade >= before.grade


@given(_finite(0, 20), _finite(0, 20), _finite(0.3, 2), st.none() | _finite(0.2, 5))
def test_creatinine_never_improves_with_a_higher_value(value, extra, uln, baseline):
    before = grade_creatinine(value, uln, baseline)
    after = grade_creatinine(value + extra, uln, baseline)
    assert_in_range(after, "creatinine_increased", 4)
    assert after.grade >= before.grade


@given(_finite(300, 700), _finite(0, 200), st.none() | _finite(300, 600))
def test_qtc_never_improves_with_a_longer_interval(qtc, extra, baseline):
    before = grade_qtc(qtc, baseline)
    after = grade_qtc(qtc + extra, baseline)
    assert_in_range(after, "electrocardiogram_qt_corrected_interval_prolonged", 3)
    assert after.grade >= before.grade


@given(_finite(4, 12), _finite(0, 3), _finite(1, 6), st.none() | _finite(7, 10))
def test_corrected_calcium_never_improves_with_a_lower_value(calcium, drop, albumin, lln):
    assume(calcium - drop > 0)
    before = grade_hypocalcemia(calcium_mg_dl=calcium, albumin_g_dl=albumin, lln=lln)
    after = grade_hypocalcemia(calcium_mg_dl=calcium - drop, albumin_g_dl=albumin, lln=lln)
    assert_in_range(after, "hypocalcemia", 4)
    assert after.grade >= before.grade


@given(_finite(4, 12), _finite(1, 5), _finite(0, 1), st.none() | _finite(7, 10))
def test_corrected_calcium_never_improves_with_a_higher_albumin(calcium, albumin, more, lln):
    before = grade_hypocalcemia(calcium_mg_dl=calcium, albumin_g_dl=albumin, lln=lln)
    after = grade_hypocalcemia(calcium_mg_dl=calcium, albumin_g_dl=albumin + more, lln=lln)
    assert after.grade >= before.grade


@given(_finite(0.3, 1.6), _finite(0, 0.25), st.none() | _finite(1.0, 1.3))
def test_ionized_calcium_never_improves_with_a_lower_value(ionized, drop, lln):
    before = grade_hypocalcemia(ionized_calcium_mmol_l=ionized, lln=lln)
    after = grade_hypocalcemia(ionized_calcium_mmol_l=ionized - drop, lln=lln)
    assert_in_range(after, "hypocalcemia", 4)
    assert after.grade >= before.grade


@given(_finite(5, 90), _finite(0, 4), st.none() | _finite(5, 90))
def test_ejection_fraction_never_improves_with_a_lower_ef(ef, drop, baseline):
    before = grade_ejection_fraction(ef, baseline)
    after = grade_ejection_fraction(ef - drop, baseline)
    assert_in_range(after, "ejection_fraction_decreased", 4)
    assert after.grade >= before.grade


@given(_finite(50, 90), _finite(50, 90), _finite(0, 20))
def test_ejection_fraction_never_improves_with_a_higher_baseline(ef, baseline, more):
    before = grade_ejection_fraction(ef, baseline)
    after = grade_ejection_fraction(ef, min(100.0, baseline + more))
    assert after.grade >= before.grade
