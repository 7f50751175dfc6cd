"""Unit conversions of incoming labs: factors from molar masses, held to the sources."""

from __future__ import annotations

import pytest

from interop import loinc, units

# CTCAE v5.0 Hypocalcemia prints each corrected-calcium bound in both units
# (docs/sources/reference.md, "Hypocalcemia"): (mg/dL, mmol/L).
CTCAE_CALCIUM_PAIRS = [(8.0, 2.0), (7.0, 1.75), (6.0, 1.5)]


@pytest.mark.parametrize(("mg_dl", "mmol_l"), CTCAE_CALCIUM_PAIRS)
def test_calcium_factor_agrees_with_the_ctcae_pairs(mg_dl, mmol_l):
    converted = units.convert(mmol_l, "mmol/L", units.MG_DL_CALCIUM)
    assert converted == pytest.approx(mg_dl, rel=0.005)  # the printed precision


@pytest.mark.parametrize(
    ("accepted", "unit", "value", "expected"),
    [
        (units.MG_DL_CREATININE, "umol/L", 88.4, 1.0),  # 1 mg/dL = 88.4 µmol/L
        (units.MG_DL_BILIRUBIN, "umol/L", 17.1, 1.0),  # 1 mg/dL = 17.1 µmol/L
        (units.G_DL_ALBUMIN, "g/L", 40, 4.0),
        (units.G_24H, "mg/(24.h)", 3500, 3.5),
        (units.G_PER_G, "mg/g", 1500, 1.5),
        (units.G_PER_G, "mg/mmol", 113.12, 1.0),
        (units.MS, "s", 0.452, 452),
        (units.KG, "[lb_av]", 100, 45.3592),
    ],
)
def test_si_and_other_units_convert_to_the_contracts_unit(accepted, unit, value, expected):
    assert units.convert(value, unit, accepted) == pytest.approx(expected, abs=0.002)


def test_molar_masses_follow_from_the_formulas():
    assert round(units.M_CREATININE, 2) == 113.12
    assert round(units.M_BILIRUBIN, 2) == 584.67


def test_a_unit_not_accepted_is_refused_not_guessed():
    assert units.convert(1.0, "mg/L", units.MG_DL_CREATININE) is None
    assert units.convert(1.0, "umol/L", loinc.CODES["2160-0"].units) is None  # mass code


def test_every_graded_code_names_a_term_and_a_field_and_a_unit():
    for code in loinc.CODES.values():
        if code.kind == loinc.Kind.NOT_GRADED:
            assert code.why_not_graded
            continue
        assert code.term and code.field
        assert code.units or code.kind == loinc.Kind.DIPSTICK
