"""Figures built from plain values, checked on their trace data."""

from __future__ import annotations

from datetime import datetime, timedelta

import plotly.graph_objects as go
import pytest

from tracker import charts
from tracker.charts import (
    BpVisit,
    DoseNote,
    DoseStep,
    GradePoint,
    HomeBpPoint,
    LabPoint,
    PatientTimeline,
    ProPoint,
    SwimmerCourse,
    SwimmerSegment,
    TimelineLabels,
    ValuePoint,
)

T0 = datetime(2025, 3, 3, 9, 30)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def trace(figure: dict, uid: str) -> dict:
    return next(t for t in figure["data"] if t.get("uid") == uid)


def valid(figure: dict) -> dict:
    """plotly's own validation: raises on any property plotly.js would not know."""
    go.Figure(figure)
    return figure


def timeline(**overrides) -> PatientTimeline:
    values = dict(
        bp=[
            BpVisit(at(0), ((150, 85), (146, 89)), grade=2),
            BpVisit(at(7), ((168, 102), (162, 98)), grade=3),
        ],
        grades=[
            GradePoint(at(0), "Hypertension", 2),
            GradePoint(at(7), "Hypertension", 3, provisional=True),
            GradePoint(at(7), "Fatigue", 1),
        ],
        dose_steps=[
            DoseStep(at(-14), at(7), 24, False),
            DoseStep(at(7), at(14), 0, True),
            DoseStep(at(14), at(20), 20, False),
        ],
        dose_notes=[
            DoseNote(at(-14), "start", None, 24, "Treatment started"),
            DoseNote(at(7), "hold", 24, 0, "Grade 3 hypertension", recommendation_id=12),
            DoseNote(at(14), "resume", 0, 20, "Recovered to grade 1", recommendation_id=15),
        ],
        weights=[ValuePoint(at(0), 70.0), ValuePoint(at(7), 66.0, grade=1)],
        baseline_weight_kg=70.0,
        labs={
            "ALT": [LabPoint(at(0), 30, 40), LabPoint(at(7), 90, 40, grade=1)],
            "Creatinine": [LabPoint(at(7), 1.1, 1.2)],
        },
    )
    values.update(overrides)
    return PatientTimeline(**values)


def test_the_patient_figure_is_valid_plotly():
    valid(charts.patient_figure(timeline()))


def test_every_bp_reading_is_drawn_with_the_visit_mean():
    figure = charts.patient_figure(timeline())
    readings = trace(figure, "sbp-readings")
    mean = trace(figure, "sbp-mean")
    assert readings["y"] == [150, 146, 168, 162]
    assert mean["y"] == [148.0, 165.0]
    assert trace(figure, "dbp-mean")["y"] == [87.0, 100.0]


def test_the_systolic_bands_start_at_120_140_and_160():
    figure = charts.patient_figure(timeline())
    bands = [s for s in figure["layout"]["shapes"] if s["yref"] == "y" and s["type"] == "rect"]
    assert [(b["y0"], b["name"]) for b in bands] == [(120, "G1"), (140, "G2"), (160, "G3")]


def test_the_diastolic_bands_start_at_80_90_and_100():
    figure = charts.patient_figure(timeline())
    bands = [s for s in figure["layout"]["shapes"] if s["yref"] == "y2" and s["type"] == "rect"]
    assert [b["y0"] for b in bands] == [80, 90, 100]


def test_all_rows_share_one_time_axis():
    figure = charts.patient_figure(timeline())
    assert {t.get("xaxis", "x") for t in figure["data"]} == {"x"}
    assert "xaxis2" not in figure["layout"]
    assert figure["layout"]["xaxis"]["type"] == "date"


def test_the_heatmap_has_a_row_per_term_and_a_column_per_visit():
    heatmap = trace(charts.patient_figure(timeline()), "grades")
    assert heatmap["y"] == ["Fatigue", "Hypertension"]
    assert heatmap["x"] == ["2025-03-03 09:30", "2025-03-10 09:30"]
    assert heatmap["z"] == [[None, 1], [2, 3]]


def test_a_provisional_grade_is_marked():
    marks = trace(charts.patient_figure(timeline()), "grades-provisional")
    assert marks["y"] == ["Hypertension"]
    assert marks["text"] == ["G3 provisional"]


def test_merged_heatmap_columns_keep_every_grade_3():
    points = [GradePoint(at(i), "Diarrhea", 1) for i in range(1000)]
    points[777] = GradePoint(at(777), "Diarrhea", 3)
    heatmap = charts.grade_heatmap_traces(points, max_columns=50)[0]
    assert len(heatmap["x"]) == 50
    assert heatmap["z"][0].count(3) == 1


def test_the_dose_line_steps_through_the_ledger():
    dose = trace(charts.patient_figure(timeline()), "dose")
    assert dose["line"]["shape"] == "hv"
    assert dose["y"] == [24, 0, 20, 20]


def test_holds_are_shaded_on_the_dose_row():
    figure = charts.patient_figure(timeline())
    holds = [s for s in figure["layout"]["shapes"] if s.get("name") == "hold"]
    assert [(h["x0"], h["x1"], h["yref"]) for h in holds] == [
        ("2025-03-10 09:30", "2025-03-17 09:30", "y4 domain")
    ]


def test_each_hold_and_reduction_is_annotated_with_reason_and_recommendation():
    figure = charts.patient_figure(timeline())
    notes = [a for a in figure["layout"]["annotations"] if a.get("hovertext")]
    assert [a["text"] for a in notes] == ["Hold · R12", "Resume 20 · R15"]
    assert notes[0]["hovertext"] == "Grade 3 hypertension (recommendation R12)"
    assert trace(figure, "dose-changes")["text"][1] == ("Recovered to grade 1 (recommendation R15)")


def test_weight_has_the_5_10_and_20_percent_loss_lines():
    figure = charts.patient_figure(timeline())
    lines = [s for s in figure["layout"]["shapes"] if s.get("yref") == "y5"]
    assert [s["y0"] for s in lines] == [70.0, 66.5, 63.0, 56.0]


def test_labs_are_drawn_as_multiples_of_their_uln():
    figure = charts.patient_figure(timeline())
    assert trace(figure, "lab-alt")["y"] == [0.75, 2.25]
    uln = [s for s in figure["layout"]["shapes"] if s.get("name") == "ULN"]
    assert uln[0]["y0"] == 1


def test_a_long_bp_series_is_thinned_but_keeps_every_grade_3_visit():
    visits = [BpVisit(at(i), ((130, 80),), grade=1) for i in range(1500)]
    for i in (3, 700, 1499):
        visits[i] = BpVisit(at(i), ((131, 101),), grade=3)
    mean = charts.bp_traces(visits, which="dbp")[1]
    assert len(mean["y"]) < 400
    assert mean["y"].count(101) == 3


def test_an_empty_timeline_still_draws():
    valid(charts.patient_figure(PatientTimeline()))


def swimmer_courses() -> list[SwimmerCourse]:
    return [
        SwimmerCourse(
            "NGT-1 lenvatinib",
            "lenvatinib",
            (
                SwimmerSegment(0, 14, 24, 0),
                SwimmerSegment(14, 21, 0, -1),
                SwimmerSegment(21, 56, 20, 1),
            ),
            grade3_days=((14, "Hypertension", 3),),
        ),
        SwimmerCourse(
            "NGT-2 sorafenib",
            "sorafenib",
            (SwimmerSegment(0, 30, 800, 0),),
            discontinued_day=30,
        ),
    ]


def test_the_swimmer_plot_is_valid_plotly():
    valid(charts.swimmer_figure(swimmer_courses()))


def test_swimmer_bars_are_coloured_by_dose_level_with_holds_grey():
    figure = charts.swimmer_figure(swimmer_courses())
    start = trace(figure, "swimmer-level-0")
    assert start["y"] == ["NGT-1 lenvatinib", "NGT-2 sorafenib"]
    assert start["base"] == [0, 0] and start["x"] == [14, 30]
    held = trace(figure, "swimmer-held")
    assert (held["base"], held["x"]) == ([14], [7])
    assert trace(figure, "swimmer-level-1")["base"] == [21]


def test_swimmer_marks_grade_3_events_and_discontinuation():
    figure = charts.swimmer_figure(swimmer_courses())
    assert trace(figure, "swimmer-grade3")["x"] == [14]
    assert trace(figure, "swimmer-grade3")["text"] == ["Hypertension G3"]
    assert trace(figure, "swimmer-discontinued")["y"] == ["NGT-2 sorafenib"]


def test_worst_grades_stack_one_bar_per_drug_and_term():
    counts = {
        ("lenvatinib", "Hypertension"): [1, 2, 3, 4, 0],
        ("sorafenib", "Diarrhea"): [5, 0, 1, 0, 0],
    }
    figure = valid(charts.worst_grade_figure(counts))
    grade3 = trace(figure, "worst-grade-3")
    assert grade3["y"] == [["Sorafenib", "Lenvatinib"], ["Diarrhea", "Hypertension"]]
    assert grade3["x"] == [0, 4]


def test_rdi_has_a_box_per_drug():
    figure = valid(charts.rdi_figure({"lenvatinib": [77.1, 100.0], "sorafenib": [60.0]}))
    assert trace(figure, "rdi-lenvatinib")["y"] == [77.1, 100.0]


def test_the_reported_rdi_sits_beside_its_drugs_ledger_box_in_purple_diamonds():
    reported = {"lenvatinib": [charts.ReportedRdi(70.04, "REF-1 · lenv #3", 12)]}
    figure = valid(charts.rdi_figure({"lenvatinib": [77.1, 100.0], "sorafenib": [60.0]}, reported))
    assert [t["uid"] for t in figure["data"]] == [
        "rdi-lenvatinib",
        "rdi-reported-lenvatinib",
        "rdi-sorafenib",
    ]
    box = trace(figure, "rdi-reported-lenvatinib")
    assert box["name"] == "Lenvatinib: taken, as reported"
    assert box["y"] == [70.0]
    assert box["text"] == ["REF-1 · lenv #3: 12 days reported by the patient"]
    assert box["marker"]["symbol"] == "diamond-open"
    assert trace(figure, "rdi-lenvatinib")["y"] == [77.1, 100.0]  # the ledger's, as before


def test_kaplan_meier_steps_down_at_each_reduction_and_censors_the_rest():
    steps = charts.kaplan_meier([(10, True), (20, False), (30, True), (40, False)])
    assert steps == [(0.0, 1.0), (10, 0.75), (30, pytest.approx(0.375))]


def test_time_to_first_reduction_has_a_curve_per_drug():
    figure = valid(charts.time_to_reduction_figure({"lenvatinib": [(10, True), (50, False)]}))
    curve = trace(figure, "ttr-lenvatinib")
    assert curve["x"] == [0, 10, 50]
    assert curve["y"] == [100, 50, 50]


# --- Each value on an axis that reads true ------------------------------------------


def _axis_title(figure: dict, uid: str) -> str:
    yaxis = trace(figure, uid)["yaxis"]
    return figure["layout"]["yaxis" + yaxis[1:]]["title"]["text"]


def test_urine_protein_has_its_own_axis_in_grams_per_24_hours():
    figure = valid(
        charts.patient_figure(timeline(urine_protein=[ValuePoint(at(7), 0.73, grade=1)]))
    )
    protein = trace(figure, "urine-protein")
    assert protein["y"] == [0.73]  # not 4.9 "× ULN"
    assert _axis_title(figure, "urine-protein") == "Urine protein (g/24 h)"
    assert protein["yaxis"] != trace(figure, "lab-alt")["yaxis"]
    lines = [s["y0"] for s in figure["layout"]["shapes"] if s["yref"] == protein["yaxis"]]
    assert lines == [1.0, 3.5]  # CTCAE v5.0 Proteinuria G2 1.0, G3 3.5 g/24 h


def test_calcium_has_its_own_axis_in_mg_dl_with_the_low_grade_lines():
    figure = valid(charts.patient_figure(timeline(calcium=[ValuePoint(at(7), 7.6, grade=2)])))
    calcium = trace(figure, "calcium")
    assert calcium["y"] == [7.6]
    assert _axis_title(figure, "calcium") == "Calcium (mg/dL)"
    # The albumin correction is not CTCAE's and not confirmed: the chart says so.
    assert calcium["name"] == "Corrected calcium (formula unconfirmed)"
    lines = [s["y0"] for s in figure["layout"]["shapes"] if s["yref"] == calcium["yaxis"]]
    assert lines == [8.0, 7.0, 6.0]  # CTCAE v5.0 Hypocalcemia G2, G3, G4 (corrected)


def test_the_uln_panel_holds_only_labs_read_against_an_upper_limit():
    figure = charts.patient_figure(
        timeline(urine_protein=[ValuePoint(at(7), 0.73)], calcium=[ValuePoint(at(7), 7.6, grade=2)])
    )
    uln_axis = trace(figure, "lab-alt")["yaxis"]
    on_uln = {t["name"] for t in figure["data"] if t.get("yaxis") == uln_axis}
    assert on_uln == {"ALT", "Creatinine"}


def _luminance(hex_colour: str) -> float:
    from tests.tracker.test_contrast import relative_luminance

    return relative_luminance(hex_colour)


def test_each_grade_colour_is_clearly_darker_than_the_grade_below():
    for lower, higher in zip(charts.GRADE_COLOURS, charts.GRADE_COLOURS[1:], strict=False):
        ratio = (_luminance(lower) + 0.05) / (_luminance(higher) + 0.05)
        assert ratio >= 1.4, (lower, higher, ratio)


def test_the_grade_heatmap_has_a_key_naming_each_grade():
    heatmap = trace(charts.patient_figure(timeline()), "grades")
    assert heatmap["showscale"] is True
    assert heatmap["colorbar"]["tickvals"] == [0, 1, 2, 3, 4]
    assert heatmap["colorbar"]["ticktext"][:2] == ["0 · none", "1 · mild"]


def test_every_swimmer_bar_has_its_label():
    courses = [
        SwimmerCourse(f"NGT-{i:03d} lenvatinib", "lenvatinib", (SwimmerSegment(0, 90, 24, 0),))
        for i in range(60)
    ]
    figure = valid(charts.swimmer_figure(courses))
    yaxis = figure["layout"]["yaxis"]
    assert sorted(yaxis["tickvals"]) == sorted(c.label for c in courses)
    assert yaxis["ticktext"] == yaxis["tickvals"]
    # Rows tall enough for a 12 px label each.
    assert figure["layout"]["height"] >= 60 * 20


def test_every_trace_type_the_charts_draw_is_in_the_served_plotly_bundle():
    import re
    from pathlib import Path

    from django.conf import settings

    bundle = Path(settings.BASE_DIR, "static/vendor/plotly/plotly-cartesian.min.js").read_text()
    available = set(re.findall(r'moduleType:"trace",name:"(\w+)"', bundle))
    figures = [
        charts.patient_figure(
            timeline(urine_protein=[ValuePoint(at(7), 0.73)], calcium=[ValuePoint(at(7), 7.6)])
        ),
        charts.swimmer_figure(
            [SwimmerCourse("A lenvatinib", "lenvatinib", (SwimmerSegment(0, 9, 24, 0),))]
        ),
        charts.worst_grade_figure({("lenvatinib", "Fatigue"): [1, 2, 0, 0, 0]}),
        charts.rdi_figure({"lenvatinib": [88.0, 92.0]}),
        charts.time_to_reduction_figure({"lenvatinib": [(30.0, True), (60.0, False)]}),
    ]
    drawn = {t["type"] for f in figures for t in f["data"]}
    assert drawn <= available, drawn - available
    assert {"scatter", "heatmap", "bar", "box"} <= drawn


def test_the_grade_rows_are_labelled_with_the_short_headings_and_keep_the_term_names():
    names = [
        "Electrocardiogram QT corrected interval prolonged",
        "Alanine aminotransferase increased",
    ]
    figure = valid(
        charts.patient_figure(timeline(grades=[GradePoint(at(0), name, 1) for name in names]))
    )
    grades = trace(figure, "grades")
    yaxis = figure["layout"]["yaxis" + grades["yaxis"][1:]]
    assert yaxis["tickvals"] == sorted(names)
    assert yaxis["ticktext"] == ["ALT", "QTc"]


# --- what the patient reports from home ----------------------------------------------------
HOME = [
    HomeBpPoint(at(1), ((152, 94), (148, 92)), grade=2, period="morning"),
    HomeBpPoint(at(2), ((165, 102),), grade=3, provisional=True, period="evening"),
]
PRO = [
    ProPoint(at(3), "Diarrhoea", 3),
    ProPoint(at(3), "Tiredness", 1),
    ProPoint(at(10), "Diarrhoea", 2),
]


def reported_timeline(**overrides) -> PatientTimeline:
    return timeline(home_bp=HOME, pro=PRO, labels=TimelineLabels(zone="Europe/Paris"), **overrides)


def test_the_figure_with_patient_reports_is_valid_plotly():
    valid(charts.patient_figure(reported_timeline()))


def test_home_readings_are_open_diamonds_apart_from_the_visit_readings():
    figure = charts.patient_figure(reported_timeline())
    home = trace(figure, "sbp-home")
    visit = trace(figure, "sbp-readings")
    assert home["marker"]["symbol"] == "diamond-open"
    assert "symbol" not in visit["marker"]  # the clinic's readings stay filled dots
    assert home["name"] == "Home reading (patient)"
    assert home["y"] == [150.0, 165.0]  # each sitting at its mean
    assert trace(figure, "dbp-home")["y"] == [93.0, 102.0]
    assert home["yaxis"] == trace(figure, "sbp-mean")["yaxis"]


def test_the_home_key_is_shown_once_for_both_rows():
    figure = charts.patient_figure(reported_timeline())
    assert trace(figure, "sbp-home")["showlegend"] is True
    assert trace(figure, "dbp-home")["showlegend"] is False


def test_a_home_reading_says_so_with_its_time_zone_and_grade():
    home = trace(charts.patient_figure(reported_timeline()), "sbp-home")
    assert home["hovertemplate"] == (
        "Home reading (patient)<br>%{x} Europe/Paris%{customdata[0]}<br>"
        "%{customdata[1]} mm Hg<br>CTCAE grade %{customdata[2]} from a home reading "
        "(not a visit)%{customdata[3]}<extra></extra>"
    )
    assert home["customdata"][1] == [", evening", "165/102", 3, " (provisional)"]
    assert home["customdata"][0] == [", morning", "152/94, 148/92", 2, ""]


def test_the_home_words_are_the_callers():
    labels = TimelineLabels(
        zone="Europe/Paris",
        home="Mesure à domicile (patient)",
        home_grade="grade CTCAE {grade} (mesure à domicile)",
    )
    figure = charts.patient_figure(timeline(home_bp=HOME, labels=labels))
    home = trace(figure, "sbp-home")
    assert home["name"] == "Mesure à domicile (patient)"
    assert home["hovertemplate"].startswith("Mesure à domicile (patient)<br>")
    assert "grade CTCAE %{customdata[2]} (mesure à domicile)" in home["hovertemplate"]


def test_a_long_home_series_is_thinned_but_keeps_every_grade_3():
    high, usual = ((166, 101),), ((130, 85),)
    many = [
        HomeBpPoint(at(i / 2), high, grade=3)
        if i % 50 == 7
        else HomeBpPoint(at(i / 2), ((usual[0][0] + i % 9, 85),), grade=1)
        for i in range(2000)
    ]
    home = trace(charts.patient_figure(timeline(home_bp=many)), "sbp-home")
    assert len(home["y"]) <= 320
    assert home["y"].count(166.0) == 40


def test_composites_have_a_track_of_their_own_not_the_ctcae_heatmap():
    figure = charts.patient_figure(reported_timeline())
    pro = trace(figure, "pro-composites")
    heatmap = trace(figure, "grades")
    assert pro["type"] == "scatter" and pro["marker"]["symbol"] == "square"
    assert pro["yaxis"] != heatmap["yaxis"]
    assert pro["name"] == "Patient-reported (PRO-CTCAE composite, not CTCAE)"
    assert "Diarrhoea" not in heatmap["y"]
    axis = figure["layout"][charts._layout_key(pro["yaxis"])]
    assert axis["title"]["text"] == "Patient-reported<br>(PRO-CTCAE, not CTCAE)"
    assert axis["categoryarray"] == ["Diarrhoea", "Tiredness"]


def test_each_composite_is_written_in_its_square_in_a_colour_no_ctcae_grade_has():
    pro = trace(charts.patient_figure(reported_timeline()), "pro-composites")
    assert list(zip(pro["x"], pro["y"], pro["text"], strict=True)) == [
        ("2025-03-06 09:30", "Diarrhoea", "3"),
        ("2025-03-06 09:30", "Tiredness", "1"),
        ("2025-03-13 09:30", "Diarrhoea", "2"),
    ]
    assert not set(pro["marker"]["color"]) & set(charts.GRADE_COLOURS)
    assert pro["hovertemplate"] == (
        "%{y}<br>%{x} Europe/Paris<br>PRO-CTCAE composite %{text} of 3: not a CTCAE grade"
        "<extra></extra>"
    )


def test_many_reports_share_columns_that_keep_the_highest_composite():
    weekly = [ProPoint(at(7 * i), "Diarrhoea", 3 if i == 123 else i % 2) for i in range(500)]
    pro = trace(charts.patient_figure(timeline(pro=weekly)), "pro-composites")
    assert len(pro["x"]) == charts.MAX_HEATMAP_COLUMNS
    assert pro["text"].count("3") == 1


def test_without_reports_there_is_no_patient_reported_trace_or_track():
    figure = charts.patient_figure(timeline())
    uids = {t["uid"] for t in figure["data"]}
    assert not uids & {"sbp-home", "dbp-home", "pro-composites"}
    titles = [v["title"]["text"] for k, v in figure["layout"].items() if k.startswith("yaxis")]
    assert not any("PRO-CTCAE" in title for title in titles)
