"""Unit conversions for incoming lab results. PURE: no Django import.

The tracker grades in the units of the evaluation contract
(docs/sources/evaluate-contract.md): bilirubin and creatinine in mg/dL (the
patient's baselines are stored in mg/dL), calcium in mg/dL with albumin in g/dL,
urine protein in g/24 h and g/g. A laboratory that reports in SI units is
converted here; any other unit is refused, never guessed.

Where the factors come from
---------------------------
mg/dL <-> µmol/L (and mmol/L) is fixed by the molar mass M (g/mol = mg/mmol):
    µmol/L = mg/dL x 10 (dL per L) x 1000 (µmol per mmol) / M
    mg/dL  = mmol/L x M / 10
The molar masses are computed below from each molecule's formula and the IUPAC
abridged standard atomic weights (Prohaska T. et al., "Standard atomic weights
of the elements 2021 (IUPAC Technical Report)", Pure Appl. Chem. 2022;94(5):573-600).
Neither the formulas nor the atomic weights are in docs/sources/: this citation
is UNCONFIRMED against a local copy and the factors are marked so in
`Conversion.source`.

A cross-check that is in docs/sources/: CTCAE v5.0 Hypocalcemia prints each
calcium bound in both units (docs/sources/reference.md, "Hypocalcemia": 8.0 mg/dL
with 2.0 mmol/L, 7.0 with 1.75, 6.0 with 1.5), i.e. 4.0 mg/dL per mmol/L to the
printed precision; tests/interop/test_units.py holds the factor below to that.

g/L -> g/dL (x 0.1), mg -> g (x 0.001), s -> ms (x 1000) follow from the SI
prefixes; [lb_av] -> kg is exact by definition (0.45359237 kg, the 1959
international yard and pound agreement; not in docs/sources, UNCONFIRMED locally).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# IUPAC 2021 abridged standard atomic weights (see the module docstring).
ATOMIC_WEIGHT = {"H": 1.0080, "C": 12.011, "N": 14.007, "O": 15.999, "Ca": 40.078}


def molar_mass(formula: dict[str, int]) -> float:
    """g/mol of a molecule given as {element: count}."""
    return sum(ATOMIC_WEIGHT[element] * count for element, count in formula.items())


CREATININE = {"C": 4, "H": 7, "N": 3, "O": 1}  # C4H7N3O
BILIRUBIN = {"C": 33, "H": 36, "N": 4, "O": 6}  # C33H36N4O6
CALCIUM = {"Ca": 1}

M_CREATININE = molar_mass(CREATININE)  # 113.12 g/mol
M_BILIRUBIN = molar_mass(BILIRUBIN)  # 584.67 g/mol
M_CALCIUM = molar_mass(CALCIUM)  # 40.078 g/mol

MOLAR_SOURCE = (
    "molar mass from IUPAC 2021 standard atomic weights (Pure Appl. Chem. 2022;94:573-600); "
    "not in docs/sources (unconfirmed)"
)
PREFIX_SOURCE = "SI prefixes (exact)"


@dataclass(frozen=True)
class Conversion:
    """value in `unit` x factor = value in the contract's unit."""

    unit: str  # UCUM code as it arrives in Quantity.code (or .unit)
    factor: float
    source: str


def _same(unit: str) -> Conversion:
    return Conversion(unit, 1.0, "the contract's own unit")


def per_umol(molar: float) -> float:
    """mg/dL per µmol/L: 1 µmol/L = M / 10,000 mg/dL."""
    return molar / 10_000


# Accepted units per quantity the contract knows, with the factor into its unit.
MG_DL_CREATININE = (
    _same("mg/dL"),
    Conversion("umol/L", per_umol(M_CREATININE), MOLAR_SOURCE),  # 1 mg/dL = 88.4 µmol/L
)
MG_DL_BILIRUBIN = (
    _same("mg/dL"),
    Conversion("umol/L", per_umol(M_BILIRUBIN), MOLAR_SOURCE),  # 1 mg/dL = 17.1 µmol/L
)
MG_DL_CALCIUM = (
    _same("mg/dL"),
    Conversion("mmol/L", M_CALCIUM / 10, MOLAR_SOURCE),  # 1 mmol/L = 4.008 mg/dL
)
G_DL_ALBUMIN = (_same("g/dL"), Conversion("g/L", 0.1, PREFIX_SOURCE))
U_L = (_same("U/L"),)
G_24H = (
    _same("g/(24.h)"),
    Conversion("g/d", 1.0, "a day is 24 h"),
    Conversion("mg/(24.h)", 0.001, PREFIX_SOURCE),
    Conversion("mg/d", 0.001, PREFIX_SOURCE),
)
G_PER_G = (
    _same("g/g"),
    Conversion("mg/mg", 1.0, "the same ratio"),
    Conversion("mg/g", 0.001, PREFIX_SOURCE),
    # mg protein per mmol creatinine -> mg/mg: divide by creatinine's mg per mmol.
    Conversion("mg/mmol", 1 / M_CREATININE, MOLAR_SOURCE),
)
MS = (_same("ms"), Conversion("s", 1000.0, PREFIX_SOURCE))
MM_HG = (_same("mm[Hg]"),)
KG = (
    _same("kg"),
    Conversion("g", 0.001, PREFIX_SOURCE),
    Conversion("[lb_av]", 0.45359237, "international avoirdupois pound, exact (unconfirmed)"),
)


def convert(value: Decimal | float, unit: str, accepted: tuple[Conversion, ...]) -> float | None:
    """The value in the contract's unit, or None when the unit is not one accepted."""
    for conversion in accepted:
        if conversion.unit == unit:
            return round(float(value) * conversion.factor, 4)
    return None


def unit_names(accepted: tuple[Conversion, ...]) -> str:
    return ", ".join(c.unit for c in accepted)
