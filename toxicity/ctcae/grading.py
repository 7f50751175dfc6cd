"""CTCAE v5.0 grades computed from measurements.

Plain functions over plain numbers: no Django, no I/O. Every threshold cites the
CTCAE v5.0 text it comes from (docs/sources/reference.md sections 1.2
and 1.4). Project decisions (policy.md) are marked as such.

Conventions used throughout
---------------------------
* Inputs are already validated by the caller (evaluate contract); these
  functions still raise ``ValueError`` for values that make the arithmetic
  meaningless (a zero ULN, a baseline <= 0, a negative count ...).
* Ratios and differences are compared with a tolerance of ``_EPS`` (1e-9):
  a value within 1e-9 of an edge counts as ON the edge. So a value that is
  exactly on an edge in decimal (e.g. 0.3/0.1 = 3.0 x ULN, 70.0 -> 63.0 kg =
  10.0 %) is not pushed to the wrong side by binary floating-point error.
  (A tolerance costs a few ns; ``round(x, 9)`` costs ~200 ns on this hot path.)
* Where CTCAE writes bands as whole numbers with a gap between them (QTc
  "450 - 480" then "481 - 500"; EF "50 - 40%" then "39 - 20%"; diarrhea
  "4 - 6" then ">=7"), a real value strictly inside the gap (e.g. a mean QTc of
  480.5 ms) gets the HIGHER of the two grades: the conservative reading. The one
  exception is hypertension, where the bands are half-open (see
  ``grade_hypertension``).
* Numbers alone never produce the grades that CTCAE defines only by clinical
  criteria (e.g. hypertension G4, diarrhea G4, QTc G4): policy.md point 5 and
  reference.md 1.4 "needs judgement".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

__all__ = [
    "DIPSTICK_VALUES",
    "Grade",
    "corrected_calcium_mg_dl",
    "final_grade",
    "grade_bilirubin",
    "grade_creatinine",
    "grade_diarrhea",
    "grade_ejection_fraction",
    "grade_hypertension",
    "grade_hypocalcemia",
    "grade_proteinuria",
    "grade_qtc",
    "grade_transaminase",
    "grade_weight_loss",
    "mean_bp",
    "needs_24h_collection",
]

_EPS = 1e-9  # tolerance for comparisons against CTCAE edges (float error)


# A named tuple rather than a frozen dataclass: every evaluation builds one or
# two, and a frozen dataclass's __init__ (a call to object.__setattr__ per field)
# cost about 4 % of an evaluation (docs/benchmarks.md). Fields and immutability
# are the same.
class Grade(NamedTuple):
    """A CTCAE grade with how it was obtained.

    ``provisional`` is True when the grade rests on weaker evidence than the
    criterion asks for (one BP reading, a dipstick, no ULN/LLN given).
    ``basis`` is a short human sentence of what was computed.
    """

    grade: int
    provisional: bool = False
    basis: str = ""


# ---------------------------------------------------------------------------
# Hypertension
# ---------------------------------------------------------------------------


def mean_bp(readings: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Mean systolic and mean diastolic BP of a visit's readings (policy.md point 5)."""
    n = len(readings)
    if n == 0:
        raise ValueError("hypertension needs at least one (systolic, diastolic) reading")
    s_sum = 0.0
    d_sum = 0.0
    for sbp, dbp in readings:
        if sbp <= 0 or dbp <= 0:
            raise ValueError(f"blood pressure must be positive, got {sbp}/{dbp} mm Hg")
        if dbp > sbp:
            raise ValueError(f"diastolic {dbp} is above systolic {sbp}")
        s_sum += sbp
        d_sum += dbp
    return s_sum / n, d_sum / n


def grade_hypertension(readings: Sequence[tuple[float, float]]) -> Grade:
    """Grade adult hypertension from the mean of the visit's readings.

    SBP and DBP are graded separately and the worse grade is taken
    (reference.md 1.4). A single reading gives a provisional grade and numbers
    never give grade 4 (policy.md point 5).

    Bands are treated as half-open intervals on the real line, because CTCAE
    writes them in whole mm Hg ("120 - 139", "140 - 159", ">=160") and the EU
    lenvatinib table writes the same bands with strict upper bounds
    ("SBP >=140 up to <160 or DBP >=90 up to <100"; verification.md 5.8):
    G1 is 120 <= SBP < 140, G2 is 140 <= SBP < 160, G3 is SBP >= 160. So a mean
    of 159.5 is G2 and a mean of 139.5 is G1.
    """
    sbp, dbp = mean_bp(readings)
    # CTCAE v5.0 Hypertension, grade 3: SBP >=160 or DBP >=100
    if sbp >= 160 - _EPS or dbp >= 100 - _EPS:
        g = 3
    # CTCAE v5.0 Hypertension, grade 2: SBP 140 - 159 or DBP 90 - 99
    elif sbp >= 140 - _EPS or dbp >= 90 - _EPS:
        g = 2
    # CTCAE v5.0 Hypertension, grade 1: SBP 120 - 139 or DBP 80 - 89
    elif sbp >= 120 - _EPS or dbp >= 80 - _EPS:
        g = 1
    # reference.md 1.4: G0 = SBP <120 and DBP <80
    else:
        g = 0
    # CTCAE v5.0 Hypertension, grade 4 (malignant hypertension, neurologic
    # deficit, hypertensive crisis) is clinical only: never from numbers.
    n = len(readings)
    if n == 1:
        return Grade(g, True, f"single reading {sbp:g}/{dbp:g} mm Hg (provisional)")
    return Grade(g, False, f"mean of {n} readings {sbp:g}/{dbp:g} mm Hg")


# ---------------------------------------------------------------------------
# Diarrhea
# ---------------------------------------------------------------------------


def grade_diarrhea(stools_per_day: float, baseline_stools_per_day: float) -> Grade:
    """Grade diarrhea from the increase in stools per day over the pre-treatment baseline.

    Ostomy output, ADL, hospitalisation and grade 4 need a clinician
    (reference.md 1.4). A fractional increase strictly between 6 and 7 (only
    possible with averaged counts) is G3: the conservative reading of the gap
    between "4 - 6" and ">=7".
    """
    if stools_per_day < 0 or baseline_stools_per_day < 0:
        raise ValueError(
            "stools per day cannot be negative, got "
            f"{stools_per_day} (baseline {baseline_stools_per_day})"
        )
    inc = stools_per_day - baseline_stools_per_day
    # CTCAE v5.0 Diarrhea, grade 3: increase of >=7 stools per day over baseline
    if inc > 6 + _EPS:
        g = 3
    # CTCAE v5.0 Diarrhea, grade 2: increase of 4 - 6 stools per day over baseline
    elif inc >= 4 - _EPS:
        g = 2
    # CTCAE v5.0 Diarrhea, grade 1: increase of <4 stools per day over baseline
    elif inc > _EPS:
        g = 1
    # reference.md 1.4: no increase over baseline = G0
    else:
        g = 0
    return Grade(
        g,
        False,
        f"{stools_per_day:g} stools/day vs baseline {baseline_stools_per_day:g} (increase {inc:g})",
    )


# ---------------------------------------------------------------------------
# Weight loss
# ---------------------------------------------------------------------------


def grade_weight_loss(weight_kg: float, baseline_weight_kg: float) -> Grade:
    """Grade weight loss as % of the pre-treatment weight (reference.md 1.4).

    % = (baseline - current) / baseline x 100, compared with the ``_EPS``
    tolerance so that a loss of exactly 10.0 % in decimal (70.0 -> 63.0 kg,
    40.1 -> 36.09 kg) is G2 even where binary floating point gives 9.999...
    """
    if baseline_weight_kg <= 0:
        raise ValueError(f"baseline weight must be > 0 kg, got {baseline_weight_kg}")
    if weight_kg <= 0:
        raise ValueError(f"weight must be > 0 kg, got {weight_kg}")
    pct = (baseline_weight_kg - weight_kg) * 100.0 / baseline_weight_kg
    # CTCAE v5.0 Weight loss, grade 3: >=20% from baseline
    if pct >= 20 - _EPS:
        g = 3
    # CTCAE v5.0 Weight loss, grade 2: 10 - <20% from baseline
    elif pct >= 10 - _EPS:
        g = 2
    # CTCAE v5.0 Weight loss, grade 1: 5 to <10% from baseline
    elif pct >= 5 - _EPS:
        g = 1
    # reference.md 1.4: G0 = <5 %
    else:
        g = 0
    return Grade(
        g,
        False,
        f"{weight_kg:g} kg vs baseline {baseline_weight_kg:g} kg ({pct:g} % loss)",
    )


# ---------------------------------------------------------------------------
# Proteinuria
# ---------------------------------------------------------------------------

# CTCAE v5.0 Proteinuria: G1 1+; G2 (adult) 2+ and 3+; G3 (adult) 4+.
# Negative and trace are not a CTCAE grade: G0.
DIPSTICK_VALUES: dict[str, int] = {
    "negative": 0,
    "trace": 0,
    "1+": 1,  # CTCAE v5.0 Proteinuria, grade 1: 1+ proteinuria
    "2+": 2,  # CTCAE v5.0 Proteinuria, grade 2: Adult: 2+ and 3+ proteinuria
    "3+": 2,  # CTCAE v5.0 Proteinuria, grade 2: Adult: 2+ and 3+ proteinuria
    "4+": 3,  # CTCAE v5.0 Proteinuria, grade 3: Adult: 4+ proteinuria
}

# policy.md point 6: a dipstick of 2+ or more prompts a 24-hour collection.
_DIPSTICK_NEEDS_24H = frozenset({"2+", "3+", "4+"})


def _dipstick_grade(dipstick: str) -> int:
    try:
        return DIPSTICK_VALUES[dipstick]
    except KeyError:
        key = dipstick.strip().lower() if isinstance(dipstick, str) else dipstick
        if key in DIPSTICK_VALUES:
            return DIPSTICK_VALUES[key]
        raise ValueError(
            f"unknown dipstick value {dipstick!r}; expected one of {', '.join(DIPSTICK_VALUES)}"
        ) from None


def grade_proteinuria(
    urine_protein_g_24h: float | None = None,
    dipstick: str | None = None,
    upcr_g_per_g: float | None = None,
    uln_g_24h: float | None = None,
) -> Grade | None:
    """Grade proteinuria from a 24-h urine protein or, failing that, a dipstick.

    * A 24-h value takes precedence over the dipstick (CTCAE v5.0 note).
    * A dipstick-only grade is provisional.
    * UPCR is not a CTCAE criterion (reference.md 1.4): with only a UPCR the
      function returns ``None`` (no CTCAE grade), and ``needs_24h_collection``
      tells the caller to order a 24-h collection (policy.md point 6).
    * There is no grade 4.
    """
    if urine_protein_g_24h is not None:
        v = urine_protein_g_24h
        if v < 0:
            raise ValueError(f"24-h urine protein cannot be negative, got {v} g")
        if uln_g_24h is not None and uln_g_24h <= 0:
            raise ValueError(f"ULN for 24-h urine protein must be > 0 g, got {uln_g_24h}")
        # CTCAE v5.0 Proteinuria, grade 3: Adult: urinary protein >=3.5 g/24 hrs
        if v >= 3.5 - _EPS:
            return Grade(3, False, f"24-h urine protein {v:g} g")
        # CTCAE v5.0 Proteinuria, grade 2: Adult: urinary protein 1.0 - <3.5 g/24 hrs
        if v >= 1.0 - _EPS:
            return Grade(2, False, f"24-h urine protein {v:g} g")
        # CTCAE v5.0 Proteinuria, grade 1: urinary protein >=ULN - <1.0 g/24 hrs
        if uln_g_24h is None:
            if v > 0:
                return Grade(1, True, f"24-h urine protein {v:g} g; no ULN given")
            return Grade(0, False, "24-h urine protein 0 g")
        if v >= uln_g_24h - _EPS:
            return Grade(1, False, f"24-h urine protein {v:g} g (ULN {uln_g_24h:g} g)")
        return Grade(0, False, f"24-h urine protein {v:g} g (< ULN {uln_g_24h:g} g)")
    if dipstick is not None:
        g = _dipstick_grade(dipstick)
        return Grade(g, True, f"dipstick {dipstick} only (24-h collection takes precedence)")
    if upcr_g_per_g is not None:
        if upcr_g_per_g < 0:
            raise ValueError(f"UPCR cannot be negative, got {upcr_g_per_g} g/g")
        # reference.md 1.4: UPCR is not an adult CTCAE criterion; screening only.
        return None
    raise ValueError("proteinuria needs urine_protein_g_24h, dipstick or upcr_g_per_g")


def needs_24h_collection(dipstick: str | None = None, upcr_g_per_g: float | None = None) -> bool:
    """True when a 24-h urine protein collection should be ordered (policy.md point 6).

    A dipstick of 2+ or more, or any urine protein/creatinine ratio, prompts a
    24-h collection; neither changes a dose by itself.
    """
    if upcr_g_per_g is not None:
        return True
    if dipstick is None:
        return False
    _dipstick_grade(dipstick)  # validates
    key = dipstick if dipstick in DIPSTICK_VALUES else dipstick.strip().lower()
    return key in _DIPSTICK_NEEDS_24H


# ---------------------------------------------------------------------------
# Liver: ALT, AST, bilirubin
# ---------------------------------------------------------------------------


def _check_lab(value: float, uln: float, baseline: float | None, name: str) -> None:
    if uln is None or uln <= 0:
        raise ValueError(f"{name}: ULN must be > 0, got {uln}")
    if value < 0:
        raise ValueError(f"{name}: value cannot be negative, got {value}")
    if baseline is not None and baseline <= 0:
        raise ValueError(f"{name}: baseline must be > 0, got {baseline}")


def grade_transaminase(value: float, uln: float, baseline: float) -> Grade:
    """Grade ALT or AST increased (same CTCAE v5.0 text for both).

    Baseline <= ULN (normal): multiples of ULN. Baseline > ULN (abnormal, e.g.
    liver metastases): multiples of the baseline value, and below 1.5 x
    baseline no new AE is graded (reference.md 1.4).
    """
    if baseline is None:
        raise ValueError("transaminase grading needs the patient's baseline value")
    _check_lab(value, uln, baseline, "ALT/AST")
    if baseline <= uln:
        r = value / uln
        # CTCAE v5.0 ALT/AST increased, grade 4: >20.0 x ULN if baseline was normal
        if r > 20.0 + _EPS:
            g = 4
        # CTCAE v5.0 ALT/AST increased, grade 3: >5.0 - 20.0 x ULN if baseline was normal
        elif r > 5.0 + _EPS:
            g = 3
        # CTCAE v5.0 ALT/AST increased, grade 2: >3.0 - 5.0 x ULN if baseline was normal
        elif r > 3.0 + _EPS:
            g = 2
        # CTCAE v5.0 ALT/AST increased, grade 1: >ULN - 3.0 x ULN if baseline was normal
        elif r > 1.0 + _EPS:
            g = 1
        else:
            g = 0
        return Grade(g, False, f"{value:g} = {r:g} x ULN {uln:g} (normal baseline)")
    r = value / baseline
    # CTCAE v5.0 ALT/AST increased, grade 4: >20.0 x baseline if baseline was abnormal
    if r > 20.0 + _EPS:
        g = 4
    # CTCAE v5.0 ALT/AST increased, grade 3: >5.0 - 20.0 x baseline if baseline was abnormal
    elif r > 5.0 + _EPS:
        g = 3
    # CTCAE v5.0 ALT/AST increased, grade 2: >3.0 - 5.0 x baseline if baseline was abnormal
    elif r > 3.0 + _EPS:
        g = 2
    # CTCAE v5.0 ALT/AST increased, grade 1: 1.5 - 3.0 x baseline if baseline was abnormal
    elif r >= 1.5 - _EPS:
        g = 1
    # reference.md 1.4: below 1.5 x an abnormal baseline, do not grade a new AE
    else:
        g = 0
    return Grade(g, False, f"{value:g} = {r:g} x abnormal baseline {baseline:g} (ULN {uln:g})")


def grade_bilirubin(value: float, uln: float, baseline: float) -> Grade:
    """Grade blood bilirubin increased; abnormal baseline -> multiples of baseline."""
    if baseline is None:
        raise ValueError("bilirubin grading needs the patient's baseline value")
    _check_lab(value, uln, baseline, "bilirubin")
    if baseline <= uln:
        ref = uln
        what = "ULN"
    else:
        ref = baseline
        what = "abnormal baseline"
    r = value / ref
    # CTCAE v5.0 Blood bilirubin increased, grade 4: >10.0 x ULN (normal baseline);
    # >10.0 x baseline (abnormal baseline)
    if r > 10.0 + _EPS:
        g = 4
    # CTCAE v5.0 Blood bilirubin increased, grade 3: >3.0 - 10.0 x ULN / x baseline
    elif r > 3.0 + _EPS:
        g = 3
    # CTCAE v5.0 Blood bilirubin increased, grade 2: >1.5 - 3.0 x ULN / x baseline
    elif r > 1.5 + _EPS:
        g = 2
    # CTCAE v5.0 Blood bilirubin increased, grade 1: >ULN - 1.5 x ULN (normal baseline);
    # > 1.0 - 1.5 x baseline (abnormal baseline)
    elif r > 1.0 + _EPS:
        g = 1
    else:
        g = 0
    return Grade(g, False, f"{value:g} = {r:g} x {what} {ref:g}")


# ---------------------------------------------------------------------------
# Creatinine
# ---------------------------------------------------------------------------


def grade_creatinine(value: float, uln: float, baseline: float | None = None) -> Grade:
    """Grade creatinine increased on the ULN basis and the baseline basis; the higher wins.

    reference.md 1.4: "Compute the grade on both the ULN basis and the baseline
    basis, and take the higher." The baseline basis only has G2 and G3.
    """
    _check_lab(value, uln, baseline, "creatinine")
    r = value / uln
    # CTCAE v5.0 Creatinine increased, grade 4: >6.0 x ULN
    if r > 6.0 + _EPS:
        g = 4
    # CTCAE v5.0 Creatinine increased, grade 3: >3.0 - 6.0 x ULN
    elif r > 3.0 + _EPS:
        g = 3
    # CTCAE v5.0 Creatinine increased, grade 2: >1.5 - 3.0 x ULN
    elif r > 1.5 + _EPS:
        g = 2
    # CTCAE v5.0 Creatinine increased, grade 1: >ULN - 1.5 x ULN
    elif r > 1.0 + _EPS:
        g = 1
    else:
        g = 0
    if baseline is None:
        return Grade(g, False, f"{value:g} = {r:g} x ULN {uln:g}; no baseline given")
    rb = value / baseline
    # CTCAE v5.0 Creatinine increased, grade 3: >3.0 x baseline
    if rb > 3.0 + _EPS:
        gb = 3
    # CTCAE v5.0 Creatinine increased, grade 2: >1.5 - 3.0 x baseline
    elif rb > 1.5 + _EPS:
        gb = 2
    else:
        gb = 0
    return Grade(
        g if g >= gb else gb,
        False,
        f"{value:g} = {r:g} x ULN {uln:g} (G{g}), {rb:g} x baseline {baseline:g} (G{gb})",
    )


# ---------------------------------------------------------------------------
# QTc
# ---------------------------------------------------------------------------


def grade_qtc(qtc_ms: float, baseline_qtc_ms: float | None = None) -> Grade:
    """Grade ECG QT corrected interval prolonged from the average QTc of replicate ECGs.

    CTCAE writes the bands in whole ms ("450 - 480", "481 - 500", ">=501"). A
    real average strictly inside a gap gets the HIGHER grade (conservative):
    G1 is 450 <= x <= 480, G2 is 480 < x <= 500, G3 is x > 500. So 480.5 ms is G2
    and 500.5 ms is G3 (which also matches the label action "QTc >500 ms").
    Grade 4 (torsade de pointes, polymorphic VT) is clinical only.
    """
    if qtc_ms <= 0:
        raise ValueError(f"QTc must be > 0 ms, got {qtc_ms}")
    if baseline_qtc_ms is not None and baseline_qtc_ms <= 0:
        raise ValueError(f"baseline QTc must be > 0 ms, got {baseline_qtc_ms}")
    q = qtc_ms
    # CTCAE v5.0 ECG QT corrected interval prolonged, grade 3: Average QTc >=501 ms
    if q > 500 + _EPS:
        g = 3
    # CTCAE v5.0 ECG QT corrected interval prolonged, grade 2: Average QTc 481 - 500 ms
    elif q > 480 + _EPS:
        g = 2
    # CTCAE v5.0 ECG QT corrected interval prolonged, grade 1: Average QTc 450 - 480 ms
    elif q >= 450 - _EPS:
        g = 1
    else:
        g = 0
    if baseline_qtc_ms is None:
        return Grade(g, False, f"average QTc {qtc_ms:g} ms; no baseline given")
    inc = qtc_ms - baseline_qtc_ms
    # CTCAE v5.0 ECG QT corrected interval prolonged, grade 3: >60 ms change from baseline
    if inc > 60 + _EPS and g < 3:
        g = 3
    return Grade(g, False, f"average QTc {qtc_ms:g} ms ({inc:+.4g} ms from {baseline_qtc_ms:g})")


# ---------------------------------------------------------------------------
# Hypocalcemia
# ---------------------------------------------------------------------------


def corrected_calcium_mg_dl(calcium_mg_dl: float, albumin_g_dl: float) -> float:
    """Albumin-corrected serum calcium in mg/dL.

    corrected = measured + 0.8 x (4.0 - albumin g/dL). The formula is NOT part
    of CTCAE; reference.md 1.4 calls it "the usual one" and tags it [U]
    (unconfirmed): a pharmacist must confirm it before go-live.
    """
    if calcium_mg_dl <= 0:
        raise ValueError(f"calcium must be > 0 mg/dL, got {calcium_mg_dl}")
    if albumin_g_dl <= 0:
        raise ValueError(f"albumin must be > 0 g/dL, got {albumin_g_dl}")
    # [U] reference.md 1.4: corrected Ca = measured Ca + 0.8 x (4.0 - albumin g/dL)
    return calcium_mg_dl + 0.8 * (4.0 - albumin_g_dl)


def _grade_corrected_ca(c: float, lln: float | None) -> Grade:
    # CTCAE v5.0 Hypocalcemia, grade 4: corrected serum calcium of <6.0 mg/dL
    if c < 6.0 - _EPS:
        return Grade(4, False, f"corrected calcium {c:g} mg/dL")
    # CTCAE v5.0 Hypocalcemia, grade 3: corrected serum calcium of <7.0 - 6.0 mg/dL
    if c < 7.0 - _EPS:
        return Grade(3, False, f"corrected calcium {c:g} mg/dL")
    # CTCAE v5.0 Hypocalcemia, grade 2: corrected serum calcium of <8.0 - 7.0 mg/dL
    if c < 8.0 - _EPS:
        return Grade(2, False, f"corrected calcium {c:g} mg/dL")
    # CTCAE v5.0 Hypocalcemia, grade 1: corrected serum calcium of <LLN - 8.0 mg/dL
    if lln is None:
        return Grade(0, True, f"corrected calcium {c:g} mg/dL; no LLN given")
    if c < lln - _EPS:
        return Grade(1, False, f"corrected calcium {c:g} mg/dL (< LLN {lln:g})")
    return Grade(0, False, f"corrected calcium {c:g} mg/dL (LLN {lln:g})")


def _grade_ionized_ca(i: float, lln: float | None) -> Grade:
    # CTCAE v5.0 Hypocalcemia, grade 4: ionized calcium <0.8 mmol/L
    if i < 0.8 - _EPS:
        return Grade(4, False, f"ionized calcium {i:g} mmol/L")
    # CTCAE v5.0 Hypocalcemia, grade 3: ionized calcium <0.9 - 0.8 mmol/L
    if i < 0.9 - _EPS:
        return Grade(3, False, f"ionized calcium {i:g} mmol/L")
    # CTCAE v5.0 Hypocalcemia, grade 2: ionized calcium <1.0 - 0.9 mmol/L
    if i < 1.0 - _EPS:
        return Grade(2, False, f"ionized calcium {i:g} mmol/L")
    # CTCAE v5.0 Hypocalcemia, grade 1: ionized calcium <LLN - 1.0 mmol/L
    if lln is None:
        return Grade(0, True, f"ionized calcium {i:g} mmol/L; no LLN given")
    if i < lln - _EPS:
        return Grade(1, False, f"ionized calcium {i:g} mmol/L (< LLN {lln:g})")
    return Grade(0, False, f"ionized calcium {i:g} mmol/L (LLN {lln:g})")


def grade_hypocalcemia(
    calcium_mg_dl: float | None = None,
    albumin_g_dl: float | None = None,
    ionized_calcium_mmol_l: float | None = None,
    lln: float | None = None,
) -> Grade:
    """Grade hypocalcemia from albumin-corrected calcium (mg/dL) or ionized calcium (mmol/L).

    ``lln`` is in the unit of the measurement given (mg/dL for total calcium,
    mmol/L for ionized). Without an LLN, a value at or above the G1 upper limit
    (8.0 mg/dL or 1.0 mmol/L) is G0 and provisional. If both measurements are
    given, both are graded and the higher grade is returned (the highest grade
    for which a criterion is met, reference.md 1.1); an ``lln`` is then
    ambiguous and refused. "Symptomatic" (G2) and "hospitalization" (G3) are
    clinician criteria.
    """
    if lln is not None and lln <= 0:
        raise ValueError(f"LLN must be > 0, got {lln}")
    if calcium_mg_dl is not None:
        if albumin_g_dl is None:
            raise ValueError(
                "hypocalcemia is graded on corrected calcium: albumin_g_dl is needed "
                "with calcium_mg_dl"
            )
        if ionized_calcium_mmol_l is not None and lln is not None:
            raise ValueError(
                "lln is ambiguous when both total and ionized calcium are given; "
                "give one measurement with its LLN"
            )
        c = corrected_calcium_mg_dl(calcium_mg_dl, albumin_g_dl)
        result = _grade_corrected_ca(c, lln)
        if ionized_calcium_mmol_l is None:
            return result
        other = _grade_ionized_ca(_check_ionized(ionized_calcium_mmol_l), lln)
        if other.grade > result.grade:
            return other
        if other.grade == result.grade and result.provisional and not other.provisional:
            return other
        return result
    if ionized_calcium_mmol_l is not None:
        return _grade_ionized_ca(_check_ionized(ionized_calcium_mmol_l), lln)
    raise ValueError(
        "hypocalcemia needs calcium_mg_dl with albumin_g_dl, or ionized_calcium_mmol_l"
    )


def _check_ionized(i: float) -> float:
    if i <= 0:
        raise ValueError(f"ionized calcium must be > 0 mmol/L, got {i}")
    return i


# ---------------------------------------------------------------------------
# Ejection fraction
# ---------------------------------------------------------------------------


def grade_ejection_fraction(ef_percent: float, baseline_ef_percent: float | None = None) -> Grade:
    """Grade ejection fraction decreased (there is no grade 1 for this term).

    PROJECT CONVENTION (not CTCAE text): the "drop from baseline" is measured
    in absolute percentage points of EF (baseline 60 %, now 48 % = a 12-point
    drop), not as a relative percentage of the baseline value.

    CTCAE writes the bands in whole percent ("50 - 40%", "39 - 20%", "<20%";
    "10 - 19% drop", ">=20% drop"). A real value strictly inside a gap gets the
    higher grade (conservative): EF 39.5 % is G3, a drop of 19.5 points is G3.
    EF above 50 % with no qualifying drop is G0.
    """
    if not 0 < ef_percent <= 100:
        raise ValueError(f"EF must be in (0, 100] %, got {ef_percent}")
    if baseline_ef_percent is not None and not 0 < baseline_ef_percent <= 100:
        raise ValueError(f"baseline EF must be in (0, 100] %, got {baseline_ef_percent}")
    ef = ef_percent
    # CTCAE v5.0 Ejection fraction decreased, grade 4: resting EF <20%
    if ef < 20 - _EPS:
        g = 4
    # CTCAE v5.0 Ejection fraction decreased, grade 3: resting EF 39 - 20%
    elif ef < 40 - _EPS:
        g = 3
    # CTCAE v5.0 Ejection fraction decreased, grade 2: resting EF 50 - 40%
    elif ef <= 50 + _EPS:
        g = 2
    else:
        g = 0
    if baseline_ef_percent is None:
        return Grade(g, False, f"EF {ef_percent:g} %; no baseline given")
    drop = baseline_ef_percent - ef_percent
    # CTCAE v5.0 Ejection fraction decreased, grade 3: >=20% drop from baseline
    if drop > 19 + _EPS:
        gd = 3
    # CTCAE v5.0 Ejection fraction decreased, grade 2: 10 - 19% drop from baseline
    elif drop >= 10 - _EPS:
        gd = 2
    else:
        gd = 0
    return Grade(
        g if g >= gd else gd,
        False,
        f"EF {ef_percent:g} % (baseline {baseline_ef_percent:g} %, drop {drop:g} points)",
    )


# ---------------------------------------------------------------------------
# Clinician and computed grades
# ---------------------------------------------------------------------------


def final_grade(computed: Grade | None, clinician_grade: int | None) -> Grade:
    """Combine a computed grade with a clinician's grade (policy.md point 7).

    The higher of the two counts. A clinician grade never lowers a computed
    grade here: lowering needs a written reason and is audited elsewhere. When
    the clinician's grade is at least the computed one, the result is the
    clinician's judgement and is not provisional.
    """
    if clinician_grade is None:
        if computed is None:
            raise ValueError("final_grade needs a computed grade or a clinician grade")
        return computed
    if (
        isinstance(clinician_grade, bool)
        or not isinstance(clinician_grade, int)
        or not 0 <= clinician_grade <= 5
    ):
        raise ValueError(f"clinician grade must be an integer 0-5, got {clinician_grade!r}")
    if computed is None:
        return Grade(clinician_grade, False, f"clinician grade {clinician_grade}")
    if clinician_grade > computed.grade:
        return Grade(
            clinician_grade,
            False,
            f"clinician grade {clinician_grade} raises computed grade {computed.grade} "
            f"({computed.basis})",
        )
    if clinician_grade == computed.grade:
        if not computed.provisional:
            return computed
        return Grade(
            clinician_grade,
            False,
            f"clinician grade {clinician_grade} confirms computed grade ({computed.basis})",
        )
    # policy.md point 7: never silently lowered; the computed grade stands.
    return Grade(
        computed.grade,
        computed.provisional,
        f"{computed.basis}; clinician grade {clinician_grade} is lower and does not "
        "lower the computed grade without a written reason",
    )
