"""Plotly figures from selector output. Plain values in, plain dicts out; no Django.

Each figure is the JSON plotly.js draws (``{"data": [...], "layout": {...}}``),
built as dicts rather than through ``plotly.graph_objects`` so a 2,000-course
cohort renders without the validation cost; the tests validate every figure
with ``go.Figure``. Every trace has a stable ``uid`` that the page tests read back.

Thresholds drawn on the charts cite their source:
- CTCAE v5.0 Hypertension (reference.md 1.4): G1 SBP 120-139 or DBP 80-89,
  G2 SBP 140-159 or DBP 90-99, G3 SBP >=160 or DBP >=100.
- CTCAE v5.0 Weight loss (reference.md 1.4): G1 5 to <10 %, G2 10 to <20 %,
  G3 >=20 % from the pre-treatment baseline.
- CTCAE v5.0 Proteinuria (reference.md 1.4): G2 1.0 - <3.5 g/24 h, G3 >=3.5 g/24 h.
- CTCAE v5.0 Hypocalcemia (reference.md 1.4), corrected serum calcium: G2 <8.0,
  G3 <7.0, G4 <6.0 mg/dL.

What patients report from home (reports app) is drawn apart from the clinic's own
figures: home blood pressure as open diamonds beside the visit readings, and the
PRO-CTCAE composites (0-3, reference.md 3.5) on a track of their own in purple
squares with the number in them, never on the CTCAE grade heatmap: a composite is
not a CTCAE grade. The words of these traces come in ``TimelineLabels``, translated
by the caller.

Urine protein and calcium have panels of their own: a 24-h urine protein is read in
g/24 h against the grade lines (as a multiple of a normal 0.15 g it looks like a
liver test five times its limit), and calcium is toxic when low, so it is drawn in
mg/dL against its lower limits, never on the "× ULN" axis.

The disease course (tracker/disease_timeline.py builds its inputs) is drawn above the
toxicity on the same time axis, each track only when it has data: the sum of target
diameters with each study's RECIST 1.1 response as its label and the baseline sum
dashed, thyroglobulin on a log axis with the doubling time and its category over it
(reference.md 3.3), the lines of therapy as bars and the tumour board's signed
decisions as stars. The figures are the disease app's; nothing is judged here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from django.utils.translation import gettext, gettext_noop

from toxicity.names import generic_drug_name, language
from tracker.downsample import MAX_POINTS, bucket_bounds, minmax_indices
from tracker.wording import term_heading

Figure = dict[str, Any]

# Grade colours, grade 0 to 4 (5 = death is shown as 4's colour, never expected here):
# each step darker than the one before by a luminance ratio of at least 1.4, so that
# grade 0 and grade 1 differ without colour vision (tests/tracker/test_charts.py).
GRADE_COLOURS = ("#e2e8f0", "#eab308", "#ea580c", "#b91c1c", "#450a0a")
GRADE_WORDS = (
    gettext_noop("0 · none"),
    gettext_noop("1 · mild"),
    gettext_noop("2 · moderate"),
    gettext_noop("3 · severe"),
    gettext_noop("4 · life-threatening"),
)
LEVEL_COLOURS = ("#1d4ed8", "#60a5fa", "#a78bfa", "#f472b6", "#94a3b8")
HOLD_COLOUR = "#9ca3af"
# The time axis's dates for a Chinese reader: the full date, as Chinese clinical systems
# print it (plotly drops a custom format's second line, so the year goes in the one line);
# plotly's own English dates otherwise.
DATE_TICK_FORMATS = {"zh-hans": "%Y-%m-%d"}
SBP_BANDS = ((120, 140, 1), (140, 160, 2), (160, None, 3))  # CTCAE v5.0 Hypertension
DBP_BANDS = ((80, 90, 1), (90, 100, 2), (100, None, 3))  # CTCAE v5.0 Hypertension
BAND_COLOURS = {1: "rgba(253,230,138,0.35)", 2: "rgba(251,146,60,0.25)", 3: "rgba(220,38,38,0.18)"}
WEIGHT_LOSS_LINES = ((5, 1), (10, 2), (20, 3))  # CTCAE v5.0 Weight loss: % loss, grade
URINE_PROTEIN_LINES = ((1.0, 2), (3.5, 3))  # CTCAE v5.0 Proteinuria: g/24 h, grade from
CALCIUM_LINES = ((8.0, 2), (7.0, 3), (6.0, 4))  # CTCAE v5.0 Hypocalcemia: corrected, mg/dL
MAX_HEATMAP_COLUMNS = 200
# The patient timeline's rows: a panel of weight 1 and the gap between two, in pixels;
# a line of an 11 px tick label with its leading, and the room the legend under the
# figure takes from the rows (three or four lines of it on a tablet).
ROW_PX = 134
ROW_GAP_PX = 33
LABEL_LINE_PX = 15
LEGEND_PX = 90
LEGEND_GAP_PX = 40
# PRO-CTCAE composite 0-3: purples, none of them a CTCAE grade colour; the number is
# written in each square (white on the two darker ones), so no colour needs telling apart.
PRO_COLOURS = ("#ede9fe", "#c4b5fd", "#8b5cf6", "#4c1d95")
PRO_TEXT_COLOURS = ("#3b0764", "#3b0764", "#ffffff", "#ffffff")
HOME_COLOUR = "#7c3aed"
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


# --- inputs --------------------------------------------------------------------------
class BpVisit(NamedTuple):
    at: datetime
    readings: tuple[tuple[float, float], ...]
    grade: int | None = None


class GradePoint(NamedTuple):
    at: datetime
    term: str  # display name
    grade: int
    provisional: bool = False


class DoseStep(NamedTuple):
    start: datetime
    end: datetime
    dose_mg: float
    held: bool


class DoseNote(NamedTuple):
    """A ledger change worth a note on the dose chart (reduce, hold, resume, stop)."""

    at: datetime
    kind: str
    dose_before_mg: float | None
    dose_after_mg: float
    reason: str
    recommendation_id: int | None = None


class ValuePoint(NamedTuple):
    at: datetime
    value: float
    grade: int | None = None


class LabPoint(NamedTuple):
    at: datetime
    value: float
    uln: float
    grade: int | None = None


class HomeBpPoint(NamedTuple):
    """One sitting of home readings (reports.HomeBloodPressure), at the clinic's time."""

    at: datetime  # local
    readings: tuple[tuple[float, float], ...]
    grade: int  # CTCAE hypertension grade of the readings, as the clinic grades a visit's
    provisional: bool = False
    period: str = ""  # "morning" / "evening", in the reader's words


class ProPoint(NamedTuple):
    """One item's PRO-CTCAE composite grade (0-3) in a weekly report: not a CTCAE grade."""

    at: datetime  # local
    item: str  # display name
    composite: int


class ImagingPoint(NamedTuple):
    """One imaging study: its sum of target diameters and RECIST 1.1 response, as
    disease/recist.py computed and the study stored them."""

    on: date
    sum_mm: float | None  # None: a target lesion was not measured
    response: str  # "CR", "PR", "SD", "PD", "NE"; "" on a baseline
    baseline_on: date  # the series' baseline (a baseline's own date)
    change_from_baseline_pct: float | None = None
    change_from_nadir_pct: float | None = None


class TgPoint(NamedTuple):
    """One thyroglobulin value, and whether the doubling time used it."""

    on: date
    tg_ng_ml: float
    assay: str
    used: bool
    why_not: str = ""  # translated: why the doubling time left it out


class TgSummary(NamedTuple):
    """The doubling time the Tg track names (disease.thyroglobulin.doubling_time)."""

    status: str  # "doubling", "not_doubling", "not_computed"
    doubling_time_years: float | None = None
    category: str = ""  # translated category, e.g. "< 1 year"
    reason: str = ""  # translated: why it was not computed


class TherapyLine(NamedTuple):
    """One course of systemic therapy: an MKI or a targeted drug."""

    line: int  # line of therapy, 1 = first
    drug: str  # display name
    start: date
    end: date  # the day it ended, or today while it runs
    ongoing: bool
    targeted: bool = False


class BoardMark(NamedTuple):
    """A signed tumour-board decision, at its meeting's date; words translated."""

    on: date
    outcome: str  # "Start MKI", "Watch", ...
    drug: str = ""  # display name, when the board named one
    reason: str = ""
    signer: str = ""


class TimelineLabels(NamedTuple):
    """The words of the patient-reported traces; the caller hands them in translated.
    ``{grade}`` and ``{readings}`` are filled in here."""

    zone: str = ""  # the clinic's zone, named in every hover
    home: str = "Home reading (patient)"
    home_grade: str = "CTCAE grade {grade} from a home reading (not a visit)"
    provisional: str = "provisional"
    home_readings: str = "{readings} mm Hg"
    pro_axis: str = "Patient-reported<br>(PRO-CTCAE, not CTCAE)"
    pro_legend: str = "Patient-reported (PRO-CTCAE composite, not CTCAE)"
    pro_point: str = "PRO-CTCAE composite {grade} of 3: not a CTCAE grade"


@dataclass
class PatientTimeline:
    """Everything the patient page draws, for one treatment course."""

    bp: list[BpVisit] = field(default_factory=list)
    grades: list[GradePoint] = field(default_factory=list)
    dose_steps: list[DoseStep] = field(default_factory=list)
    dose_notes: list[DoseNote] = field(default_factory=list)
    weights: list[ValuePoint] = field(default_factory=list)
    baseline_weight_kg: float | None = None
    labs: dict[str, list[LabPoint]] = field(default_factory=dict)  # display name -> points
    urine_protein: list[ValuePoint] = field(default_factory=list)  # g/24 h
    calcium: list[ValuePoint] = field(default_factory=list)  # corrected, mg/dL
    home_bp: list[HomeBpPoint] = field(default_factory=list)  # in time order
    pro: list[ProPoint] = field(default_factory=list)
    labels: TimelineLabels = field(default_factory=TimelineLabels)
    # The disease course, drawn above the toxicity on the same time axis.
    imaging: list[ImagingPoint] = field(default_factory=list)  # in date order
    tg: list[TgPoint] = field(default_factory=list)  # in date order
    tg_summary: TgSummary | None = None
    therapy: list[TherapyLine] = field(default_factory=list)
    board: list[BoardMark] = field(default_factory=list)

    @property
    def has_disease(self) -> bool:
        """Imaging, thyroglobulin or a signed board decision: the disease tracks' data."""
        return bool(self.imaging or self.tg or self.board)

    @property
    def has_toxicity(self) -> bool:
        return bool(
            self.bp
            or self.grades
            or self.dose_steps
            or self.weights
            or self.labs
            or self.urine_protein
            or self.calcium
            or self.home_bp
            or self.pro
        )


# --- helpers ---------------------------------------------------------------------------
def t(moment: datetime | date) -> str:
    """Plotly.js reads dates without a zone; callers hand in local times."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            return _local_minute(moment)
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.isoformat()


@lru_cache(maxsize=8192)
def _local_minute(moment: datetime) -> str:
    # "%Y-%m-%d %H:%M" for a naive time. Memoised: the patient page writes each visit's
    # time into five or six traces (only naive times: equal aware times in two zones
    # would share an entry).
    return moment.isoformat(" ", "minutes")


_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))


def to_json(figure: Figure) -> str:
    """The figure as compact JSON, safe inside ``<script type="application/json">``.

    The escapes are Django's ``json_script``'s (``&``, ``<``, ``>`` as ``\\uXXXX``),
    done with ``str.replace``: ``str.translate`` costs milliseconds on a cohort's
    few hundred kilobytes. Serialised once per figure, in the view.
    """
    text = json.dumps(figure, separators=(",", ":"))
    for char, escaped in _SCRIPT_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def _grade_colourscale() -> list[list[Any]]:
    scale: list[list[Any]] = []
    for grade, colour in enumerate(GRADE_COLOURS):
        scale.append([grade / 5, colour])
        scale.append([(grade + 1) / 5, colour])
    return scale


def _band_shapes(yref: str, bands, top: float) -> list[dict]:
    shapes = []
    for low, high, grade in bands:
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": yref,
                "y0": low,
                "y1": high if high is not None else top,
                "fillcolor": BAND_COLOURS[grade],
                "line": {"width": 0},
                "layer": "below",
                "name": f"G{grade}",
            }
        )
    return shapes


def _band_labels(yref: str, bands, top: float) -> list[dict]:
    return [
        {
            "xref": "paper",
            "x": 1.0,
            "xanchor": "left",
            "yref": yref,
            "y": (low + (high if high is not None else top)) / 2,
            "text": f"G{grade}",
            "showarrow": False,
            "font": {"size": 11, "color": "#5b6b7a"},
        }
        for low, high, grade in bands
    ]


# --- patient page -----------------------------------------------------------------------
def bp_traces(
    visits: Sequence[BpVisit], *, which: str, yaxis: str = "y", max_points: int = MAX_POINTS
) -> list[dict]:
    """Each reading and the visit mean, systolic (``which="sbp"``) or diastolic."""
    column = 0 if which == "sbp" else 1
    visits = [v for v in visits if v.readings]
    means = [sum([r[column] for r in v.readings]) / len(v.readings) for v in visits]
    keep = [(v.grade or 0) >= 3 for v in visits]
    shown = minmax_indices(means, max_points=max_points, keep=keep)
    mx = [t(visits[i].at) for i in shown]
    rx, ry = [], []
    for i, x in zip(shown, mx, strict=True):
        for reading in visits[i].readings:
            rx.append(x)
            ry.append(reading[column])
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "uid": f"{which}-readings",
            "name": gettext("Systolic readings")
            if which == "sbp"
            else gettext("Diastolic readings"),
            "x": rx,
            "y": ry,
            "yaxis": yaxis,
            "marker": {"size": 5, "color": "#64748b", "opacity": 0.6},
            "hovertemplate": "%{x}<br>%{y} mm Hg<extra>" + gettext("reading") + "</extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "uid": f"{which}-mean",
            "name": gettext("Systolic visit mean")
            if which == "sbp"
            else gettext("Diastolic visit mean"),
            "x": mx,
            "y": [round(means[i], 1) for i in shown],
            "yaxis": yaxis,
            "line": {"color": "#0b5cad", "width": 2},
            "marker": {"size": 7},
            "hovertemplate": "%{x}<br>"
            + gettext("mean %(value)s mm Hg") % {"value": "%{y}"}
            + "<extra></extra>",
        },
    ]


def _fields(template: str, **fields: str) -> str:
    """A translated template's ``{name}`` fields as plotly's ``%{...}``: the words are
    written once in the trace's hovertemplate, only the values per point."""
    for name, value in fields.items():
        template = template.replace("{" + name + "}", value)
    return template


def _home_hover(labels: TimelineLabels) -> str:
    zone = f" {labels.zone}" if labels.zone else ""
    return (
        f"{labels.home}<br>%{{x}}{zone}%{{customdata[0]}}<br>"
        + _fields(labels.home_readings, readings="%{customdata[1]}")
        + "<br>"
        + _fields(labels.home_grade, grade="%{customdata[2]}")
        + "%{customdata[3]}<extra></extra>"
    )


def _home_values(point: HomeBpPoint, labels: TimelineLabels) -> list:
    """[", morning", "150/95, 148/93", 2, " (provisional)"]: what _home_hover fills in."""
    return [
        f", {point.period}" if point.period else "",
        ", ".join([f"{s:g}/{d:g}" for s, d in point.readings]),
        point.grade,
        f" ({labels.provisional})" if point.provisional else "",
    ]


def home_bp_traces(
    points: Sequence[HomeBpPoint],
    *,
    which: str,
    labels: TimelineLabels,
    yaxis: str = "y",
    max_points: int = MAX_POINTS,
) -> list[dict]:
    """The patient's home readings, one open diamond per sitting at its mean, systolic
    (``which="sbp"``) or diastolic: apart from the visit's grey dots and blue mean.

    Long series are thinned like the visits' (every grade >= 3 sitting kept)."""
    points = [p for p in points if p.readings]
    if not points:
        return []
    column = 0 if which == "sbp" else 1
    means = [sum([r[column] for r in p.readings]) / len(p.readings) for p in points]
    keep = [p.grade >= 3 for p in points]
    shown = minmax_indices(means, max_points=max_points, keep=keep)
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "uid": f"{which}-home",
            "name": labels.home,
            "legendgroup": "home",
            "showlegend": which == "sbp",  # one key for both rows
            "x": [t(points[i].at) for i in shown],
            "y": [round(means[i], 1) for i in shown],
            "customdata": [_home_values(points[i], labels) for i in shown],
            "yaxis": yaxis,
            "marker": {
                "symbol": "diamond-open",
                "size": 8,
                "color": HOME_COLOUR,
                "opacity": 0.8,
                "line": {"width": 1.5, "color": HOME_COLOUR},
            },
            "hovertemplate": _home_hover(labels),
        }
    ]


def pro_traces(
    points: Sequence[ProPoint],
    *,
    labels: TimelineLabels,
    yaxis: str = "y",
    max_columns: int = MAX_HEATMAP_COLUMNS,
) -> list[dict]:
    """Item x report time, a purple square per composite with its number: a track of
    its own, not the CTCAE heatmap. Beyond ``max_columns`` reports, neighbouring
    reports share a column that shows each item's highest composite (a 3 always shows).
    """
    if not points:
        return []
    times = sorted({p.at for p in points})
    column_of = {}
    bounds = bucket_bounds(len(times), max_columns)
    for column, (lo, hi) in enumerate(bounds):
        for i in range(lo, hi):
            column_of[times[i]] = column
    worst: dict[tuple[int, str], int] = {}
    for p in points:
        key = (column_of[p.at], p.item)
        if p.composite > worst.get(key, -1):
            worst[key] = p.composite
    x, y, text, colours, ink = [], [], [], [], []
    zone = f" {labels.zone}" if labels.zone else ""
    for (column, item), grade in sorted(worst.items()):
        grade = min(max(grade, 0), len(PRO_COLOURS) - 1)
        x.append(t(times[bounds[column][0]]))
        y.append(item)
        text.append(str(grade))
        colours.append(PRO_COLOURS[grade])
        ink.append(PRO_TEXT_COLOURS[grade])
    return [
        {
            "type": "scatter",
            "mode": "markers+text",
            "uid": "pro-composites",
            "name": labels.pro_legend,
            "x": x,
            "y": y,
            "text": text,
            "textposition": "middle center",
            "textfont": {"size": 10, "color": ink},
            "yaxis": yaxis,
            "marker": {
                "symbol": "square",
                "size": 15,
                "color": colours,
                "line": {"width": 1, "color": "#4c1d95"},
            },
            "hovertemplate": "%{y}<br>%{x}"
            + zone
            + "<br>"
            + _fields(labels.pro_point, grade="%{text}")
            + "<extra></extra>",
        }
    ]


def grade_heatmap_traces(
    points: Sequence[GradePoint], *, yaxis: str = "y", max_columns: int = MAX_HEATMAP_COLUMNS
) -> list[dict]:
    """Term x time, coloured by grade 0-4 with a key of the grades; provisional ringed.

    Visits beyond ``max_columns`` are merged into columns that show each term's
    worst grade, so a grade >= 3 always shows.
    """
    if not points:
        return []
    times = sorted({p.at for p in points})
    terms = sorted({p.term for p in points})
    bounds = bucket_bounds(len(times), max_columns)
    column_of = {}
    for column, (lo, hi) in enumerate(bounds):
        for i in range(lo, hi):
            column_of[times[i]] = column
    worst: dict[tuple[str, int], tuple[int, bool]] = {}
    for p in points:
        key = (p.term, column_of[p.at])
        current = worst.get(key)
        if current is None or p.grade > current[0] or (p.grade == current[0] and p.provisional):
            worst[key] = (p.grade, p.provisional)
    x = [t(times[lo]) for lo, _ in bounds]
    missing = (None,)
    columns = range(len(bounds))
    z = [[worst.get((term, c), missing)[0] for c in columns] for term in terms]
    marked = [(key, grade) for key, (grade, provisional) in worst.items() if provisional]
    px, py, ptext = [], [], []
    for (term, column), grade in sorted(marked, key=lambda kv: kv[0][1]):
        px.append(x[column])
        py.append(term)
        ptext.append(gettext("G%(grade)s provisional") % {"grade": grade})
    return [
        {
            "type": "heatmap",
            "uid": "grades",
            "name": gettext("Grades"),
            "x": x,
            "y": terms,
            "z": z,
            "yaxis": yaxis,
            "zmin": -0.5,
            "zmax": 4.5,
            "colorscale": _grade_colourscale(),
            "xgap": 1,
            "ygap": 1,
            "showscale": True,
            # The key, above the figure across its width: on the right it would cost the
            # timeline a sixth of its width on a tablet.
            "colorbar": {
                "title": {"text": gettext("Grade colours (CTCAE)"), "side": "top"},
                "orientation": "h",
                "tickmode": "array",
                "tickvals": list(range(len(GRADE_WORDS))),
                "ticktext": [gettext(word) for word in GRADE_WORDS],
                "x": 0,
                "xanchor": "left",
                "y": 0.995,
                "yanchor": "top",
                "yref": "container",
                "len": 0.95,
                "thickness": 12,
                "tickfont": {"size": 11},
            },
            "hoverongaps": False,
            "hovertemplate": "%{y}<br>%{x}<br>"
            + gettext("grade %(grade)s") % {"grade": "%{z}"}
            + "<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "uid": "grades-provisional",
            "name": gettext("Provisional grade"),
            "x": px,
            "y": py,
            "text": ptext,
            "yaxis": yaxis,
            "marker": {
                "symbol": "circle-open",
                "size": 11,
                "color": "#111827",
                "line": {"width": 2},
            },
            "hovertemplate": "%{y}<br>%{x}<br>%{text}<extra></extra>",
        },
    ]


def _note_text(note: DoseNote) -> tuple[str, str]:
    if note.kind == "hold":
        short = gettext("Hold")
    elif note.kind == "discontinue":
        short = gettext("Stop")
    elif note.kind == "resume":
        short = gettext("Resume %(dose)s") % {"dose": f"{note.dose_after_mg:g}"}
    elif note.kind == "reduce":
        short = f"↓ {note.dose_after_mg:g}"
    elif note.kind == "re_escalate":
        short = f"↑ {note.dose_after_mg:g}"
    else:
        short = f"{note.kind.replace('_', ' ').capitalize()} {note.dose_after_mg:g}"
    if note.recommendation_id is not None:
        short += f" · R{note.recommendation_id}"
    recommendation = (
        gettext("recommendation R%(id)s") % {"id": note.recommendation_id}
        if note.recommendation_id is not None
        else gettext("no recommendation")
    )
    return short, f"{note.reason} ({recommendation})"


def dose_traces(
    steps: Sequence[DoseStep], notes: Sequence[DoseNote], *, yaxis: str = "y"
) -> tuple[list[dict], list[dict], list[dict]]:
    """The mg/day step line, its notes, and the shaded holds: (traces, shapes, annotations)."""
    if not steps:
        return [], [], []
    x = [t(s.start) for s in steps] + [t(steps[-1].end)]
    y = [s.dose_mg for s in steps] + [steps[-1].dose_mg]
    yref = yaxis.replace("yaxis", "y")
    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "x0": t(s.start),
            "x1": t(s.end),
            "yref": f"{yref} domain",
            "y0": 0,
            "y1": 1,
            "fillcolor": "rgba(156,163,175,0.35)",
            "line": {"width": 0},
            "layer": "below",
            "name": "hold",
        }
        for s in steps
        if s.held
    ]
    noted = [n for n in notes if n.kind in ("hold", "reduce", "resume", "discontinue")]
    texts = [_note_text(n) for n in noted]
    annotations = [
        {
            "xref": "x",
            "yref": yref,
            "x": t(n.at),
            "y": n.dose_before_mg if n.dose_before_mg is not None else n.dose_after_mg,
            "text": short,
            "hovertext": long,
            "showarrow": True,
            "arrowhead": 2,
            "ax": 0,
            "ay": -26,
            "font": {"size": 11},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
        for n, (short, long) in zip(noted, texts, strict=True)
    ]
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "uid": "dose",
            "name": gettext("Dose (mg/day)"),
            "x": x,
            "y": y,
            "yaxis": yaxis,
            "line": {"shape": "hv", "color": "#1d4ed8", "width": 2.5},
            "hovertemplate": "%{x}<br>%{y} mg/day<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "markers",
            "uid": "dose-changes",
            "name": gettext("Dose changes"),
            "x": [t(n.at) for n in noted],
            "y": [n.dose_after_mg for n in noted],
            "text": [long for _, long in texts],
            "yaxis": yaxis,
            "marker": {"symbol": "diamond", "size": 9, "color": "#b45309"},
            "hovertemplate": "%{x}<br>%{y} mg/day<br>%{text}<extra></extra>",
        },
    ]
    return traces, shapes, annotations


def weight_traces(
    points: Sequence[ValuePoint],
    baseline_kg: float | None,
    *,
    yaxis: str = "y",
    max_points: int = MAX_POINTS,
) -> tuple[list[dict], list[dict], list[dict]]:
    """Weight, and the 5/10/20 % loss lines from the baseline: (traces, shapes, annotations)."""
    values = [p.value for p in points]
    keep = [(p.grade or 0) >= 3 for p in points]
    shown = minmax_indices(values, max_points=max_points, keep=keep)
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "uid": "weight",
            "name": gettext("Weight (kg)"),
            "x": [t(points[i].at) for i in shown],
            "y": [points[i].value for i in shown],
            "yaxis": yaxis,
            "line": {"color": "#0f766e"},
            "marker": {"size": 6},
            "hovertemplate": "%{x}<br>%{y} kg<extra></extra>",
        }
    ]
    shapes, annotations = [], []
    if baseline_kg:
        yref = yaxis.replace("yaxis", "y")
        lines = [(0, None)] + [(percent, grade) for percent, grade in WEIGHT_LOSS_LINES]
        for percent, grade in lines:
            level = round(baseline_kg * (1 - percent / 100), 1)
            shapes.append(
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "yref": yref,
                    "y0": level,
                    "y1": level,
                    "line": {
                        "color": "#475569" if grade is None else GRADE_COLOURS[grade],
                        "width": 1.5,
                        "dash": "solid" if grade is None else "dash",
                    },
                    "name": gettext("baseline") if grade is None else f"-{percent}%",
                }
            )
            annotations.append(
                {
                    "xref": "paper",
                    "x": 1.0,
                    "xanchor": "left",
                    "yref": yref,
                    "y": level,
                    "text": gettext("baseline") if grade is None else f"−{percent} % (G{grade})",
                    "showarrow": False,
                    "font": {"size": 11, "color": "#5b6b7a"},
                }
            )
    return traces, shapes, annotations


def lab_traces(
    labs: Mapping[str, Sequence[LabPoint]], *, yaxis: str = "y", max_points: int = MAX_POINTS
) -> tuple[list[dict], list[dict]]:
    """Each lab as a multiple of its ULN, with the ULN line: (traces, shapes)."""
    traces = []
    for name, points in labs.items():
        ratios = [p.value / p.uln if p.uln else None for p in points]
        keep = [(p.grade or 0) >= 3 for p in points]
        shown = [i for i in minmax_indices(ratios, max_points=max_points, keep=keep) if ratios[i]]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "uid": f"lab-{name.lower().replace(' ', '-')}",
                "name": name,
                "x": [t(points[i].at) for i in shown],
                "y": [round(ratios[i], 2) for i in shown],
                "customdata": [[points[i].value, points[i].uln] for i in shown],
                "yaxis": yaxis,
                "marker": {"size": 6},
                "hovertemplate": name
                + "<br>%{x}<br>%{y}× ULN (%{customdata[0]} / ULN %{customdata[1]})<extra></extra>",
            }
        )
    yref = yaxis.replace("yaxis", "y")
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": yref,
            "y0": 1,
            "y1": 1,
            "line": {"color": "#b91c1c", "width": 1.5, "dash": "dot"},
            "name": "ULN",
        }
    ]
    return traces, shapes


def threshold_panel_traces(
    points: Sequence[ValuePoint],
    lines: Sequence[tuple[float, int]],
    *,
    uid: str,
    name: str,
    unit: str,
    yaxis: str,
) -> tuple[list[dict], list[dict], list[dict]]:
    """One measured value in its own unit, with the CTCAE grade lines: (traces, shapes,
    annotations). Used for urine protein (g/24 h) and corrected calcium (mg/dL)."""
    if not points:
        return [], [], []
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "uid": uid,
        "name": name,
        "x": [t(p.at) for p in points],
        "y": [round(p.value, 2) for p in points],
        "customdata": [p.grade for p in points],
        "yaxis": yaxis,
        "marker": {"size": 6},
        "hovertemplate": name
        + "<br>%{x}<br>%{y} "
        + unit
        + " ("
        + gettext("grade %(grade)s") % {"grade": "%{customdata}"}
        + ")<extra></extra>",
    }
    yref = yaxis.replace("yaxis", "y")
    shapes, notes = [], []
    for value, grade in lines:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": yref,
                "y0": value,
                "y1": value,
                "line": {"color": GRADE_COLOURS[min(grade, 4)], "width": 1.5, "dash": "dot"},
                "name": f"G{grade}",
            }
        )
        notes.append(
            {
                "xref": "paper",
                "x": 1.0,
                "xanchor": "left",
                "yref": yref,
                "y": value,
                "text": f"G{grade} {value:g}",
                "showarrow": False,
                "font": {"size": 11, "color": "#374151"},
            }
        )
    return [trace], shapes, notes


# --- the disease course ----------------------------------------------------------------
# RECIST 1.1 time-point responses (docs/disease-course.md): the letters are the label on
# each study's marker, the words are in its hover.
RESPONSE_WORDS = {
    "CR": gettext_noop("complete response"),
    "PR": gettext_noop("partial response"),
    "SD": gettext_noop("stable disease"),
    "PD": gettext_noop("progressive disease"),
    "NE": gettext_noop("not evaluable"),
}
RESPONSE_COLOURS = {
    "CR": "#15803d",
    "PR": "#15803d",
    "SD": "#475569",
    "PD": "#b91c1c",
    "NE": "#94a3b8",
}
BASELINE_COLOUR = "#1e3a8a"
# reference.md 3.3's Tg-DT categories ("<1 y, 1–3 y, ≥3 y, and negative"), by the keys
# disease/thyroglobulin.py gives them.
TG_CATEGORY_WORDS = {
    "<1 y": gettext_noop("< 1 year"),
    "1–3 y": gettext_noop("1–3 years"),
    "≥3 y": gettext_noop("≥ 3 years"),
    "negative / not doubling": gettext_noop("not doubling"),
}
TG_COLOUR = "#0e7490"
THERAPY_COLOURS = {False: "#1d4ed8", True: "#7c3aed"}  # MKI, targeted drug
BOARD_COLOUR = "#b45309"
MS_PER_DAY = 86_400_000


def _signed_percent(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f} %"


def _study_hover(point: ImagingPoint) -> str:
    if point.sum_mm is None:
        total = gettext("sum not computed: a target lesion was not measured")
    else:
        total = gettext("sum of diameters %(sum)s mm") % {"sum": f"{point.sum_mm:g}"}
    if not point.response:
        return gettext("Baseline") + "<br>" + total
    words = gettext(RESPONSE_WORDS.get(point.response, point.response))
    changes = gettext("%(baseline)s from baseline, %(nadir)s from the nadir") % {
        "baseline": _signed_percent(point.change_from_baseline_pct),
        "nadir": _signed_percent(point.change_from_nadir_pct),
    }
    return f"{words} ({point.response})<br>{total}<br>{changes}"


def tumour_traces(points: Sequence[ImagingPoint], *, yaxis: str = "y") -> list[dict]:
    """The sum of target diameters per study, each marker labelled with its RECIST
    response (the baseline as such), and each series' baseline sum as a dashed line.

    A new baseline starts a new series: the line breaks there."""
    if not points:
        return []
    series: dict[date, list[ImagingPoint]] = {}
    for point in points:
        series.setdefault(point.baseline_on, []).append(point)
    x: list[str | None] = []
    y: list[float | None] = []
    text: list[str] = []
    colours: list[str] = []
    hover: list[str] = []
    bx: list[str | None] = []
    by: list[float | None] = []
    baseline_word = gettext("baseline")
    for studies in series.values():
        if x:  # a gap, so one series' line does not run into the next
            x.append(None)
            y.append(None)
            text.append("")
            colours.append(BASELINE_COLOUR)
            hover.append("")
        for point in studies:
            x.append(t(point.on))
            y.append(point.sum_mm)
            text.append(point.response or baseline_word)
            colours.append(RESPONSE_COLOURS.get(point.response, BASELINE_COLOUR))
            hover.append(_study_hover(point))
        base = studies[0]
        if not base.response and base.sum_mm is not None:
            if bx:
                bx.append(None)
                by.append(None)
            bx += [t(base.on), t(studies[-1].on)]
            by += [base.sum_mm, base.sum_mm]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers+text",
            "uid": "tumour-sum",
            "name": gettext("Sum of target diameters (RECIST 1.1)"),
            "x": x,
            "y": y,
            "text": text,
            "textposition": "top center",
            "textfont": {"size": 11, "color": colours},
            "customdata": hover,
            "yaxis": yaxis,
            "line": {"color": "#334155", "width": 2},
            "marker": {"size": 9, "color": colours, "line": {"width": 1, "color": "#ffffff"}},
            "cliponaxis": False,
            "hovertemplate": "%{x}<br>%{customdata}<extra></extra>",
        }
    ]
    if bx:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "uid": "tumour-baseline",
                "name": gettext("Baseline sum"),
                "x": bx,
                "y": by,
                "yaxis": yaxis,
                "line": {"color": BASELINE_COLOUR, "width": 1.5, "dash": "dash"},
                "hovertemplate": "%{x}<br>"
                + gettext("baseline sum %(sum)s mm") % {"sum": "%{y}"}
                + "<extra></extra>",
            }
        )
    return traces


def tg_doubling_text(summary: TgSummary | None) -> str:
    """What the Tg track says of the doubling time: the figure with its category (near
    1 or 3 years the category turns on the exact dates, so both are shown)."""
    if summary is None:
        return ""
    if summary.status == "doubling" and summary.doubling_time_years is not None:
        years = summary.doubling_time_years
        figure = f"{years:.3f}" if years < 10 else f"{years:.1f}"
        category = gettext(TG_CATEGORY_WORDS.get(summary.category, summary.category))
        return gettext("Tg doubling time %(years)s years · category %(category)s") % {
            "years": figure,
            "category": category,
        }
    if summary.status == "not_doubling":
        return gettext("Tg not doubling (stable or falling) · category %(category)s") % {
            "category": gettext(TG_CATEGORY_WORDS["negative / not doubling"])
        }
    return gettext("Tg doubling time not computed: %(reason)s") % {"reason": summary.reason}


def tg_traces(
    points: Sequence[TgPoint], summary: TgSummary | None, *, yaxis: str = "y"
) -> tuple[list[dict], list[dict]]:
    """Thyroglobulin on a log axis, the values the doubling time used filled and the
    others open (why in the hover), and the doubling time over the track:
    (traces, annotations)."""
    if not points:
        return [], []
    used = gettext("used for the doubling time")
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "uid": "tg",
        "name": gettext("Thyroglobulin (ng/mL)"),
        "x": [t(p.on) for p in points],
        "y": [p.tg_ng_ml for p in points],
        "customdata": [
            [p.assay, used if p.used else gettext("not used: %(why)s") % {"why": p.why_not}]
            for p in points
        ],
        "yaxis": yaxis,
        "line": {"color": TG_COLOUR, "width": 1.5},
        "marker": {
            "size": 8,
            "color": TG_COLOUR,
            "symbol": ["circle" if p.used else "circle-open" for p in points],
            "line": {"width": 1.5, "color": TG_COLOUR},
        },
        "hovertemplate": "%{x}<br>Tg %{y} ng/mL<br>"
        + gettext("assay %(assay)s") % {"assay": "%{customdata[0]}"}
        + "<br>%{customdata[1]}<extra></extra>",
    }
    text = tg_doubling_text(summary)
    annotations = []
    if text:
        fast = summary is not None and summary.category == "<1 y"
        annotations.append(
            {
                "name": "tg-doubling-time",
                "xref": "paper",
                "x": 0,
                "xanchor": "left",
                "yref": yaxis.replace("yaxis", "y") + " domain",
                "y": 1,
                "yanchor": "bottom",
                "text": f"<b>{text}</b>" if fast else text,
                "showarrow": False,
                "font": {"size": 12, "color": "#b91c1c" if fast else "#334155"},
            }
        )
    return [trace], annotations


def therapy_categories(lines: Sequence[TherapyLine], board: Sequence[BoardMark]) -> list[str]:
    """The therapy track's rows, top first: the board's decisions, then line 1, 2, ..."""
    rows = [gettext("Tumour board")] if board else []
    rows += [gettext("Line %(line)s") % {"line": n} for n in sorted({ln.line for ln in lines})]
    return rows


def therapy_traces(
    lines: Sequence[TherapyLine], board: Sequence[BoardMark], *, yaxis: str = "y"
) -> list[dict]:
    """Each course as a bar from its start to its end (or today while it runs), MKIs and
    targeted drugs apart, and the signed tumour-board decisions as stars."""
    traces = []
    for targeted in (False, True):
        group = [ln for ln in lines if ln.targeted is targeted]
        if not group:
            continue
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "uid": "therapy-targeted" if targeted else "therapy-mki",
                "name": gettext("Targeted therapy")
                if targeted
                else gettext("Multikinase inhibitor"),
                "y": [gettext("Line %(line)s") % {"line": ln.line} for ln in group],
                "base": [t(ln.start) for ln in group],
                # A date axis reads a bar's length in milliseconds; one day at least.
                "x": [max(1, (ln.end - ln.start).days) * MS_PER_DAY for ln in group],
                "text": [ln.drug for ln in group],
                "customdata": [
                    gettext("since %(start)s, ongoing") % {"start": ln.start.isoformat()}
                    if ln.ongoing
                    else gettext("%(start)s to %(end)s")
                    % {"start": ln.start.isoformat(), "end": ln.end.isoformat()}
                    for ln in group
                ],
                "textposition": "inside",
                "insidetextanchor": "start",
                "textfont": {"color": "#ffffff", "size": 11},
                "yaxis": yaxis,
                "width": 0.6,
                "marker": {"color": THERAPY_COLOURS[targeted]},
                "hovertemplate": "%{y}: %{text}<br>%{customdata}<extra></extra>",
            }
        )
    if board:
        row = gettext("Tumour board")
        signed = [
            (gettext("signed by %(name)s") % {"name": mark.signer} if mark.signer else "")
            + (f"<br>{mark.reason}" if mark.reason else "")
            for mark in board
        ]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers+text",
                "uid": "board-decisions",
                "name": gettext("Tumour-board decision (signed)"),
                "x": [t(mark.on) for mark in board],
                "y": [row] * len(board),
                "text": [f"{m.outcome}: {m.drug}" if m.drug else m.outcome for m in board],
                "customdata": signed,
                "textposition": "middle right",
                "textfont": {"size": 11, "color": BOARD_COLOUR},
                "yaxis": yaxis,
                "cliponaxis": False,
                "marker": {"symbol": "star", "size": 13, "color": BOARD_COLOUR},
                "hovertemplate": "%{x}<br>%{text}<br>%{customdata}<extra></extra>",
            }
        )
    return traces


def wrap_label(text: str, width: int = 22) -> str:
    """A long CTCAE term on lines of about ``width`` characters (plotly's <br>)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _stack_domains(heights: Sequence[float], gap: float) -> list[tuple[float, float]]:
    """Vertical domains, first row at the top, for rows of ``heights`` pixels with
    ``gap`` pixels between them."""
    total = sum(heights) + gap * (len(heights) - 1)
    domains = []
    top = total
    for height in heights:
        domains.append((max(0.0, (top - height) / total), top / total))
        top -= height + gap
    return domains


def _layout_key(axis: str) -> str:
    """'y3' -> 'yaxis3'."""
    return "yaxis" + axis[1:]


def _toxicity_traces(
    timeline: PatientTimeline, axis: Mapping[str, str], items: Sequence[str]
) -> tuple[list[dict], list[dict], list[dict]]:
    """The toxicity tracks' traces, shapes and annotations, on the axes of ``axis``."""
    labels = timeline.labels
    data: list[dict] = []
    shapes: list[dict] = []
    annotations: list[dict] = []
    sbp = [r[0] for v in timeline.bp for r in v.readings]
    dbp = [r[1] for v in timeline.bp for r in v.readings]
    # The home sittings' means set the axes too (their single readings are in the hover).
    for point in timeline.home_bp:
        if point.readings:
            sbp.append(sum(r[0] for r in point.readings) / len(point.readings))
            dbp.append(sum(r[1] for r in point.readings) / len(point.readings))
    # Home sittings first, so the clinic's readings and visit mean are drawn over them.
    data += home_bp_traces(timeline.home_bp, which="sbp", labels=labels, yaxis=axis["sbp"])
    data += bp_traces(timeline.bp, which="sbp", yaxis=axis["sbp"])
    data += home_bp_traces(timeline.home_bp, which="dbp", labels=labels, yaxis=axis["dbp"])
    data += bp_traces(timeline.bp, which="dbp", yaxis=axis["dbp"])
    sbp_top = max(180.0, max(sbp) + 10) if sbp else 180.0
    dbp_top = max(110.0, max(dbp) + 10) if dbp else 110.0
    shapes += _band_shapes(axis["sbp"], SBP_BANDS, sbp_top)
    shapes += _band_shapes(axis["dbp"], DBP_BANDS, dbp_top)
    annotations += _band_labels(axis["sbp"], SBP_BANDS, sbp_top)
    annotations += _band_labels(axis["dbp"], DBP_BANDS, dbp_top)

    data += grade_heatmap_traces(timeline.grades, yaxis=axis["grades"])
    if items:
        data += pro_traces(timeline.pro, labels=labels, yaxis=axis["pro"])
    dose_data, dose_shapes, dose_notes = dose_traces(
        timeline.dose_steps, timeline.dose_notes, yaxis=axis["dose"]
    )
    data += dose_data
    shapes += dose_shapes
    annotations += dose_notes
    weight_data, weight_shapes, weight_notes = weight_traces(
        timeline.weights, timeline.baseline_weight_kg, yaxis=axis["weight"]
    )
    data += weight_data
    shapes += weight_shapes
    annotations += weight_notes
    lab_data, lab_shapes = lab_traces(timeline.labs, yaxis=axis["labs"])
    data += lab_data
    shapes += lab_shapes
    for key, points, lines, uid, name, unit in (
        (
            "urine",
            timeline.urine_protein,
            URINE_PROTEIN_LINES,
            "urine-protein",
            gettext("Urine protein"),
            "g/24 h",
        ),
        (
            "calcium",
            timeline.calcium,
            CALCIUM_LINES,
            "calcium",
            gettext("Corrected calcium (formula unconfirmed)"),
            "mg/dL",
        ),
    ):
        if key in axis:
            panel, panel_shapes, panel_notes = threshold_panel_traces(
                points, lines, uid=uid, name=name, unit=unit, yaxis=axis[key]
            )
            data += panel
            shapes += panel_shapes
            annotations += panel_notes
    return data, shapes, annotations


def _toxicity_rows(
    timeline: PatientTimeline, terms: Sequence[str], lines: int, items: Sequence[str]
) -> list[tuple[str, str, float]]:
    rows: list[tuple[str, str, float]] = [
        ("sbp", gettext("Systolic (mm Hg)"), ROW_PX),
        ("dbp", gettext("Diastolic (mm Hg)"), ROW_PX),
        ("grades", gettext("CTCAE grade"), max(ROW_PX, len(terms) * (LABEL_LINE_PX * lines + 10))),
    ]
    if items:
        # Its own track under the clinician's grades: a composite is not a CTCAE grade.
        rows.append(
            ("pro", timeline.labels.pro_axis, max(ROW_PX, len(items) * (LABEL_LINE_PX + 10)))
        )
    rows += [
        ("dose", gettext("Dose (mg/day)"), 0.9 * ROW_PX),
        ("weight", gettext("Weight (kg)"), 0.9 * ROW_PX),
        ("labs", "× ULN", ROW_PX),
    ]
    if timeline.urine_protein:
        rows.append(("urine", gettext("Urine protein (g/24 h)"), 0.8 * ROW_PX))
    if timeline.calcium:
        # The albumin correction is the usual formula, not CTCAE's: unconfirmed [U].
        rows.append(("calcium", gettext("Calcium (mg/dL)"), 0.8 * ROW_PX))
    return rows


def _disease_rows(timeline: PatientTimeline) -> list[tuple[str, str, float]]:
    """The disease course's tracks, each only with data to draw: none at all for a
    patient with no imaging, thyroglobulin or board decision."""
    if not timeline.has_disease:
        return []
    rows: list[tuple[str, str, float]] = []
    if timeline.imaging:
        rows.append(("tumour", gettext("Sum of target<br>diameters (mm)"), ROW_PX))
    if timeline.tg:
        rows.append(("tg", gettext("Thyroglobulin<br>(ng/mL, log scale)"), ROW_PX))
    categories = therapy_categories(timeline.therapy, timeline.board)
    if categories:
        rows.append(
            ("therapy", gettext("Lines of therapy"), max(0.5 * ROW_PX, 30 * len(categories) + 20))
        )
    return rows


def patient_figure(timeline: PatientTimeline) -> Figure:
    """One figure, one shared time axis: the disease course (sum of target diameters
    with the RECIST responses, thyroglobulin with its doubling time, the lines of
    therapy and the tumour board's decisions) over SBP, DBP (with home readings),
    CTCAE grades, patient-reported composites, dose, weight, labs.

    The disease tracks appear only with disease data; a patient with disease data and
    no treatment or visit yet (on active surveillance) gets the disease tracks alone."""
    disease_rows = _disease_rows(timeline)
    toxicity = timeline.has_toxicity or not disease_rows
    terms = sorted({p.term for p in timeline.grades})
    # The visit grid's short headings (ALT, QTc): the CTCAE names ran into each other.
    ticks = [wrap_label(term_heading(term)) for term in terms]
    # Every term gets a row as tall as the longest wrapped name needs, so no two names
    # overlap (plotly gives each category the same height).
    lines = max((tick.count("<br>") + 1 for tick in ticks), default=1)
    labels = timeline.labels
    items = sorted({p.item for p in timeline.pro})
    rows = list(disease_rows)  # above the toxicity: the course the toxicity is paid for
    if toxicity:
        rows += _toxicity_rows(timeline, terms, lines, items)
    domains = _stack_domains([h for _, _, h in rows], ROW_GAP_PX)
    plot_height = sum(h for _, _, h in rows) + ROW_GAP_PX * (len(rows) - 1)
    axis = {key: ("y" if i == 0 else f"y{i + 1}") for i, (key, _, _) in enumerate(rows)}
    data: list[dict] = []
    shapes: list[dict] = []
    annotations: list[dict] = []

    if "tumour" in axis:
        data += tumour_traces(timeline.imaging, yaxis=axis["tumour"])
    if "tg" in axis:
        tg_data, tg_notes = tg_traces(timeline.tg, timeline.tg_summary, yaxis=axis["tg"])
        data += tg_data
        annotations += tg_notes
    if "therapy" in axis:
        data += therapy_traces(timeline.therapy, timeline.board, yaxis=axis["therapy"])
    if toxicity:
        tox_data, tox_shapes, tox_notes = _toxicity_traces(timeline, axis, items)
        data += tox_data
        shapes += tox_shapes
        annotations += tox_notes

    bottom = axis[rows[-1][0]]
    top = 80 if toxicity else 40  # room for the grade colours' key over the figure
    layout: dict[str, Any] = {
        "height": round(plot_height) + top + 40 + LEGEND_PX,
        # A fixed left margin, wide enough for a wrapped term name (wrap_label) beside
        # its axis title, and a narrow right one for the band labels: the time axis gets
        # the width of the card, the same in every row.
        "margin": {"l": 150, "r": 75, "t": top, "b": 40},
        "autosize": True,
        "font": FONT,
        "showlegend": True,
        # The legend 40 px under the time axis's dates, however tall the figure: a
        # fraction of the plot's height would sit on the dates of a short one.
        "legend": {"orientation": "h", "y": -LEGEND_GAP_PX / plot_height, "yanchor": "top"},
        "hovermode": "closest",
        "plot_bgcolor": "#ffffff",
        "paper_bgcolor": "#ffffff",
        "xaxis": {
            "type": "date",
            **(
                {"tickformat": DATE_TICK_FORMATS[language()]}
                if language() in DATE_TICK_FORMATS
                else {}
            ),
            "anchor": bottom,
            "showgrid": True,
            "gridcolor": "#eef2f6",
            "showspikes": True,
            "spikemode": "across",
        },
        "shapes": shapes,
        "annotations": annotations,
    }
    for i, (_key, title, _) in enumerate(rows):
        name = "yaxis" if i == 0 else f"yaxis{i + 1}"
        layout[name] = {
            "domain": list(domains[i]),
            "title": {"text": title, "font": {"size": 12}},
            "anchor": "x",
            "gridcolor": "#eef2f6",
            "zeroline": False,
            "fixedrange": True,
        }
    if "tumour" in axis:
        layout[_layout_key(axis["tumour"])]["rangemode"] = "tozero"
    if "tg" in axis:
        layout[_layout_key(axis["tg"])]["type"] = "log"
    if "therapy" in axis:
        categories = therapy_categories(timeline.therapy, timeline.board)
        layout[_layout_key(axis["therapy"])].update(
            {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": list(reversed(categories)),  # the first drawn at the top
                "tickfont": {"size": 11},
            }
        )
    if not toxicity:
        return {"data": data, "layout": layout}
    layout[_layout_key(axis["grades"])].update(
        {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": terms,
            "tickmode": "array",
            "tickvals": terms,
            "ticktext": ticks,
            "tickfont": {"size": 11},
        }
    )
    if items:
        layout[_layout_key(axis["pro"])].update(
            {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": items,
                "tickfont": {"size": 11, "color": "#4c1d95"},
                "title": {"text": labels.pro_axis, "font": {"size": 12, "color": "#4c1d95"}},
            }
        )
    layout[_layout_key(axis["dose"])]["rangemode"] = "tozero"
    return {"data": data, "layout": layout}


# --- cohort dashboard ----------------------------------------------------------------------
class SwimmerSegment(NamedTuple):
    start_day: float
    end_day: float
    dose_mg: float
    level: int  # 0 starting dose, 1 one level down, ...; -1 held


class SwimmerCourse(NamedTuple):
    label: str  # what names the row: reference code and drug, never a name
    drug: str
    segments: tuple[SwimmerSegment, ...]
    grade3_days: tuple[tuple[float, str, int], ...] = ()  # (day, term, grade)
    discontinued_day: float | None = None


MAX_LABELLED_SWIMMER_ROWS = 200  # beyond this a row is 4 px: hover names it
LEVEL_NAMES = (
    gettext_noop("Starting dose"),
    gettext_noop("1 level down"),
    gettext_noop("2 levels down"),
    gettext_noop("3+ levels down"),
)


def swimmer_figure(courses: Sequence[SwimmerCourse]) -> Figure:
    """One bar per course from its start: coloured by dose level, grey while held."""
    labels = [c.label for c in courses]
    groups: dict[int, dict[str, list]] = {}
    top = len(LEVEL_NAMES) - 1
    doses: dict[float, str] = {}  # "24 mg/day", formatted once per dose
    for course in courses:
        label = course.label
        for start_day, end_day, dose_mg, seg_level in course.segments:
            level = -1 if seg_level < 0 else min(seg_level, top)
            g = groups.get(level)
            if g is None:
                g = groups[level] = {"y": [], "base": [], "x": [], "text": []}
            g["y"].append(label)
            g["base"].append(round(start_day, 1))
            g["x"].append(round(end_day - start_day, 1))
            if seg_level < 0:
                g["text"].append(gettext("held"))
            else:
                text = doses.get(dose_mg)
                if text is None:
                    text = doses[dose_mg] = f"{dose_mg:g} mg/day"
                g["text"].append(text)
    data = []
    for level in sorted(groups, key=lambda lv: (lv < 0, lv)):
        g = groups[level]
        name = gettext("Held") if level < 0 else gettext(LEVEL_NAMES[level])
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "uid": "swimmer-held" if level < 0 else f"swimmer-level-{level}",
                "name": name,
                "y": g["y"],
                "base": g["base"],
                "x": g["x"],
                "text": g["text"],
                "textposition": "none",
                "marker": {"color": HOLD_COLOUR if level < 0 else LEVEL_COLOURS[level]},
                "hovertemplate": "%{y}<br>"
                + gettext("day %(day)s for %(days)s days") % {"day": "%{base}", "days": "%{x}"}
                + ": %{text}<extra>"
                + name
                + "</extra>",
            }
        )
    ex, ey, etext = [], [], []
    for course in courses:
        for day, term, grade in course.grade3_days:
            ex.append(round(day, 1))
            ey.append(course.label)
            etext.append(f"{term} G{grade}")
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "uid": "swimmer-grade3",
            "name": gettext("Grade ≥3 event"),
            "x": ex,
            "y": ey,
            "text": etext,
            "marker": {"symbol": "triangle-down", "size": 9, "color": "#dc2626"},
            "hovertemplate": "%{y}<br>"
            + gettext("day %(day)s") % {"day": "%{x}"}
            + ": %{text}<extra></extra>",
        }
    )
    stops = [(c.discontinued_day, c.label) for c in courses if c.discontinued_day is not None]
    data.append(
        {
            "type": "scatter",
            "mode": "markers",
            "uid": "swimmer-discontinued",
            "name": gettext("Discontinued"),
            "x": [round(day, 1) for day, _ in stops],
            "y": [label for _, label in stops],
            "marker": {"symbol": "x-thin", "size": 11, "color": "#111827", "line": {"width": 2.5}},
            "hovertemplate": "%{y}<br>"
            + gettext("discontinued on day %(day)s") % {"day": "%{x}"}
            + "<extra></extra>",
        }
    )
    # Each bar gets its own label: rows tall enough for the label's font, and every
    # category ticked (plotly otherwise drops every second label when rows are tight).
    labelled = len(courses) <= MAX_LABELLED_SWIMMER_ROWS
    row_px = 20 if labelled else 4
    return {
        "data": data,
        "layout": {
            "barmode": "overlay",
            "height": min(6000, max(320, 120 + row_px * len(courses))),
            "margin": {"l": 150, "r": 20, "t": 20, "b": 50},
            "font": FONT,
            "plot_bgcolor": "#ffffff",
            "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom"},
            "xaxis": {"title": {"text": gettext("Days on treatment")}, "gridcolor": "#eef2f6"},
            "yaxis": {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": list(reversed(labels)),
                "showticklabels": labelled,
                "tickmode": "array",
                "tickvals": list(reversed(labels)) if labelled else [],
                "ticktext": list(reversed(labels)) if labelled else [],
                "tickfont": {"size": 12},
                "automargin": True,
            },
        },
    }


def worst_grade_figure(counts: Mapping[tuple[str, str], Sequence[int]]) -> Figure:
    """Courses per worst grade 0-4, for each (drug, term): stacked horizontal bars."""
    keys = sorted(counts, reverse=True)  # plotly draws the first category at the bottom
    drugs = [generic_drug_name(drug) for drug, _ in keys]
    terms = [term for _, term in keys]
    data = [
        {
            "type": "bar",
            "orientation": "h",
            "uid": f"worst-grade-{grade}",
            "name": gettext("Grade %(grade)s") % {"grade": grade}
            if grade < 4
            else gettext("Grade 4+"),
            "y": [drugs, terms],
            "x": [counts[k][grade] for k in keys],
            "marker": {"color": GRADE_COLOURS[grade], "line": {"color": "#94a3b8", "width": 0.5}},
            "hovertemplate": "%{y}<br>"
            + gettext("%(count)s courses") % {"count": "%{x}"}
            + "<extra>"
            + gettext("grade %(grade)s") % {"grade": grade}
            + "</extra>",
        }
        for grade in range(5)
    ]
    return {
        "data": data,
        "layout": {
            "barmode": "stack",
            "height": max(260, 110 + 22 * len(keys)),
            "margin": {"l": 20, "r": 20, "t": 20, "b": 50},
            "font": FONT,
            "plot_bgcolor": "#ffffff",
            "yaxis": {"type": "multicategory", "automargin": True},
            "xaxis": {"title": {"text": gettext("Courses")}, "gridcolor": "#eef2f6"},
            "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom", "traceorder": "normal"},
        },
    }


class ReportedRdi(NamedTuple):
    """A course's relative dose intensity as the patient reports taking it."""

    rdi_percent: float
    label: str  # the course's row name: reference code, never a name
    days_reported: int


class RdiLabels(NamedTuple):
    """The words of the reported boxes; the caller hands them in translated."""

    reported: str = "{drug}: taken, as reported"
    hover: str = "{course}: {days} days reported by the patient"


def rdi_figure(
    values_by_drug: Mapping[str, Sequence[float]],
    reported_by_drug: Mapping[str, Sequence[ReportedRdi]] | None = None,
    *,
    labels: RdiLabels | None = None,
) -> Figure:
    """Relative dose intensity per course, a box per drug with every course shown.

    Beside each drug's box from the ledger (prescribed), where patients reported
    their doses: a purple box of the same figure with the missed and lower doses
    taken out, for the courses with reports only."""
    labels = labels or RdiLabels()
    reported_by_drug = reported_by_drug or {}
    data = []
    for drug, values in values_by_drug.items():
        data.append(
            {
                "type": "box",
                "uid": f"rdi-{drug}",
                "name": generic_drug_name(drug),
                "legendgroup": "prescribed",
                "y": [round(v, 1) for v in values],
                "boxpoints": "all" if len(values) <= 500 else "outliers",
                "jitter": 0.4,
                "pointpos": 0,
                "marker": {"size": 4},
                "hovertemplate": "%{y} %<extra>" + generic_drug_name(drug) + "</extra>",
            }
        )
        reported = reported_by_drug.get(drug)
        if not reported:
            continue
        data.append(
            {
                "type": "box",
                "uid": f"rdi-reported-{drug}",
                "name": labels.reported.format(drug=generic_drug_name(drug)),
                "legendgroup": "reported",
                "y": [round(r.rdi_percent, 1) for r in reported],
                "text": [
                    labels.hover.format(course=r.label, days=r.days_reported) for r in reported
                ],
                "boxpoints": "all" if len(reported) <= 500 else "outliers",
                "jitter": 0.4,
                "pointpos": 0,
                "marker": {"size": 5, "symbol": "diamond-open", "color": HOME_COLOUR},
                "line": {"color": HOME_COLOUR},
                "fillcolor": "rgba(124,58,237,0.12)",
                "hovertemplate": "%{y} %<br>%{text}<extra></extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 380,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 40},
            "font": FONT,
            "plot_bgcolor": "#ffffff",
            "showlegend": False,
            "yaxis": {
                "title": {"text": gettext("Relative dose intensity (%)")},
                "rangemode": "tozero",
                "gridcolor": "#eef2f6",
            },
        },
    }


def kaplan_meier(durations: Sequence[tuple[float, bool]]) -> list[tuple[float, float]]:
    """Steps (day, proportion still free of the event) from (day, event happened) pairs."""
    steps = [(0.0, 1.0)]
    at_risk = len(durations)
    survival = 1.0
    ordered = sorted(durations, key=lambda d: (d[0], not d[1]))
    i = 0
    while i < len(ordered):
        day = ordered[i][0]
        events = censored = 0
        while i < len(ordered) and ordered[i][0] == day:
            if ordered[i][1]:
                events += 1
            else:
                censored += 1
            i += 1
        if events and at_risk:
            survival *= 1 - events / at_risk
            steps.append((day, survival))
        at_risk -= events + censored
    return steps


def time_to_reduction_figure(
    durations_by_drug: Mapping[str, Sequence[tuple[float, bool]]],
) -> Figure:
    """Kaplan-Meier curves: proportion of courses not yet reduced, by drug.

    Each course gives (days to first reduction, True) or (days on treatment, False).
    """
    data = []
    for drug, durations in durations_by_drug.items():
        steps = kaplan_meier(durations)
        longest = max((d for d, _ in durations), default=0.0)
        xs = [round(d, 1) for d, _ in steps] + [round(longest, 1)]
        ys = [round(100 * s, 1) for _, s in steps] + [round(100 * steps[-1][1], 1)]
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "uid": f"ttr-{drug}",
                "name": f"{generic_drug_name(drug)} (n={len(durations)})",
                "x": xs,
                "y": ys,
                "line": {"shape": "hv", "width": 2.5},
                "hovertemplate": gettext("day %(day)s: %(percent)s %% not reduced")
                % {"day": "%{x}", "percent": "%{y}"}
                + "<extra>"
                + generic_drug_name(drug)
                + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "height": 380,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 50},
            "font": FONT,
            "plot_bgcolor": "#ffffff",
            "xaxis": {"title": {"text": gettext("Days from start")}, "gridcolor": "#eef2f6"},
            "yaxis": {
                "title": {"text": gettext("%% of courses not yet reduced") % {}},
                "range": [0, 102],
                "gridcolor": "#eef2f6",
            },
            "legend": {"orientation": "h", "y": 1.0, "yanchor": "bottom"},
        },
    }


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
