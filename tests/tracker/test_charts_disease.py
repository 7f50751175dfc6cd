"""The disease course on the patient timeline, checked on its trace data: the sum of
target diameters with each study's RECIST response, thyroglobulin with its doubling
time, the lines of therapy and the tumour board's decisions, above the toxicity tracks
and only where there is something to draw."""

from __future__ import annotations

from datetime import date

import pytest

from tests.tracker.test_charts import timeline, trace, valid
from tracker import charts
from tracker.charts import (
    BoardMark,
    ImagingPoint,
    PatientTimeline,
    TgPoint,
    TgSummary,
    TherapyLine,
)

BASE = date(2024, 11, 4)
DISEASE_UIDS = {
    "tumour-sum",
    "tumour-baseline",
    "tg",
    "therapy-mki",
    "therapy-targeted",
    "board-decisions",
}


def studies() -> list[ImagingPoint]:
    """Baseline 50 mm, stable at 52 mm, then progression to 63 mm."""
    return [
        ImagingPoint(BASE, 50.0, "", BASE),
        ImagingPoint(date(2025, 2, 3), 52.0, "SD", BASE, 4.0, 4.0),
        ImagingPoint(date(2025, 5, 5), 63.0, "PD", BASE, 26.0, 26.0),
    ]


def tg_points() -> list[TgPoint]:
    return [
        TgPoint(date(2024, 11, 4), 2.0, "assay A", True),
        TgPoint(date(2025, 1, 6), 9.0, "assay A", False, "anti-Tg antibody positive"),
        TgPoint(date(2025, 5, 5), 2.8, "assay A", True),
        TgPoint(date(2025, 11, 3), 4.1, "assay A", True),
        TgPoint(date(2026, 5, 4), 5.6, "assay A", True),
    ]


def worked_example() -> TgSummary:
    """reference.md 3.3's worked example: Tg-DT 0.999 y, category < 1 y."""
    return TgSummary("doubling", 0.999, "<1 y")


def lines_of_therapy() -> list[TherapyLine]:
    return [
        TherapyLine(1, "Lenvatinib", date(2025, 6, 2), date(2025, 12, 1), ongoing=False),
        TherapyLine(2, "selpercatinib", date(2025, 12, 15), date(2026, 5, 4), True, True),
    ]


def decisions() -> list[BoardMark]:
    return [BoardMark(date(2025, 5, 20), "Start MKI", "Lenvatinib", "PD within 12 months", "Dr O")]


def with_disease(**overrides) -> PatientTimeline:
    values = (
        dict(
            imaging=studies(),
            tg=tg_points(),
            tg_summary=worked_example(),
            therapy=lines_of_therapy(),
            board=decisions(),
        )
        | overrides
    )
    return timeline(**values)


def axis_titles(figure: dict) -> list[str]:
    """The y-axes' titles, top track first."""
    axes = [(k, v) for k, v in figure["layout"].items() if k.startswith("yaxis")]
    axes.sort(key=lambda kv: -kv[1]["domain"][1])
    return [v["title"]["text"] for _, v in axes]


def axis_of(figure: dict, uid: str) -> dict:
    name = trace(figure, uid)["yaxis"]
    return figure["layout"]["yaxis" + name[1:]]


# --- present or absent -------------------------------------------------------------------
def test_a_patient_with_no_disease_data_gets_no_disease_track():
    figure = charts.patient_figure(timeline())
    assert not DISEASE_UIDS & {t["uid"] for t in figure["data"]}
    assert axis_titles(figure)[0] == "Systolic (mm Hg)"
    assert len(axis_titles(figure)) == 6  # SBP, DBP, grades, dose, weight, labs, as before


def test_the_lines_of_therapy_alone_are_not_disease_data():
    """Without imaging, Tg or a decision the dose track already shows the course."""
    assert not timeline(therapy=lines_of_therapy()).has_disease


def test_the_disease_tracks_sit_above_the_toxicity_tracks():
    figure = valid(charts.patient_figure(with_disease()))
    titles = axis_titles(figure)
    assert titles[:4] == [
        "Sum of target<br>diameters (mm)",
        "Thyroglobulin<br>(ng/mL, log scale)",
        "Lines of therapy",
        "Systolic (mm Hg)",
    ]


def test_disease_and_toxicity_share_one_time_axis():
    figure = charts.patient_figure(with_disease())
    assert "xaxis2" not in figure["layout"]
    assert {t.get("xaxis", "x") for t in figure["data"]} == {"x"}
    assert figure["layout"]["xaxis"]["type"] == "date"


@pytest.mark.parametrize(
    ("overrides", "present", "absent"),
    [
        (dict(tg=[], tg_summary=None, board=[]), {"tumour-sum", "therapy-mki"}, {"tg"}),
        (dict(imaging=[], board=[]), {"tg"}, {"tumour-sum", "board-decisions"}),
        (dict(imaging=[], tg=[], tg_summary=None), {"board-decisions"}, {"tumour-sum", "tg"}),
    ],
)
def test_only_the_disease_tracks_with_data_are_drawn(overrides, present, absent):
    figure = valid(charts.patient_figure(with_disease(**overrides)))
    drawn = {t["uid"] for t in figure["data"]}
    assert present <= drawn and not absent & drawn


def test_a_track_without_data_gets_no_axis():
    figure = charts.patient_figure(with_disease(tg=[], tg_summary=None))
    assert "Thyroglobulin<br>(ng/mL, log scale)" not in axis_titles(figure)


def test_a_patient_under_surveillance_gets_the_disease_tracks_alone():
    """No course and no visit yet: no empty blood-pressure, grade or dose tracks."""
    surveillance = PatientTimeline(imaging=studies(), tg=tg_points(), tg_summary=worked_example())
    figure = valid(charts.patient_figure(surveillance))
    assert axis_titles(figure) == [
        "Sum of target<br>diameters (mm)",
        "Thyroglobulin<br>(ng/mL, log scale)",
    ]
    assert not any(t["uid"].startswith(("sbp", "dbp", "dose", "grades")) for t in figure["data"])


# --- the sum of diameters and the responses ------------------------------------------------
def test_each_study_is_drawn_at_its_sum_of_diameters():
    sums = trace(charts.patient_figure(with_disease()), "tumour-sum")
    assert sums["x"] == ["2024-11-04", "2025-02-03", "2025-05-05"]
    assert sums["y"] == [50.0, 52.0, 63.0]


def test_each_follow_up_is_labelled_with_its_recist_response():
    sums = trace(charts.patient_figure(with_disease()), "tumour-sum")
    assert sums["text"] == ["baseline", "SD", "PD"]
    assert sums["mode"] == "lines+markers+text"


@pytest.mark.parametrize("response", ["CR", "PR", "SD", "PD", "NE"])
def test_every_recist_response_is_a_label(response):
    points = [
        ImagingPoint(BASE, 40.0, "", BASE),
        ImagingPoint(date(2025, 2, 3), 30.0, response, BASE),
    ]
    sums = trace(charts.patient_figure(with_disease(imaging=points)), "tumour-sum")
    assert sums["text"][1] == response


def test_progression_is_red_and_stable_disease_is_not():
    sums = trace(charts.patient_figure(with_disease()), "tumour-sum")
    colours = sums["marker"]["color"]
    assert colours[2] == charts.RESPONSE_COLOURS["PD"] != colours[1]


def test_the_hover_gives_the_response_in_words_and_the_changes():
    sums = trace(charts.patient_figure(with_disease()), "tumour-sum")
    assert "progressive disease (PD)" in sums["customdata"][2]
    assert "+26.0 % from baseline, +26.0 % from the nadir" in sums["customdata"][2]
    assert sums["customdata"][0].startswith("Baseline")


def test_the_baseline_sum_is_a_dashed_line_across_its_series():
    baseline = trace(charts.patient_figure(with_disease()), "tumour-baseline")
    assert baseline["line"]["dash"] == "dash"
    assert baseline["x"] == ["2024-11-04", "2025-05-05"]
    assert baseline["y"] == [50.0, 50.0]


def test_a_new_baseline_starts_a_new_series_and_a_new_dashed_line():
    rebaseline = date(2025, 6, 2)
    points = [
        *studies(),
        ImagingPoint(rebaseline, 61.0, "", rebaseline),
        ImagingPoint(date(2025, 9, 1), 40.0, "PR", rebaseline, -34.4, -34.4),
    ]
    figure = charts.patient_figure(with_disease(imaging=points))
    sums = trace(figure, "tumour-sum")
    assert sums["y"] == [50.0, 52.0, 63.0, None, 61.0, 40.0]  # the line breaks between series
    baseline = trace(figure, "tumour-baseline")
    assert baseline["y"] == [50.0, 50.0, None, 61.0, 61.0]


def test_a_study_with_a_target_not_measured_keeps_its_label_and_leaves_a_gap():
    points = [*studies()[:2], ImagingPoint(date(2025, 5, 5), None, "NE", BASE)]
    sums = trace(charts.patient_figure(with_disease(imaging=points)), "tumour-sum")
    assert sums["y"][2] is None and sums["text"][2] == "NE"
    assert "not measured" in sums["customdata"][2]


def test_the_sum_axis_starts_at_zero():
    figure = charts.patient_figure(with_disease())
    assert axis_of(figure, "tumour-sum")["rangemode"] == "tozero"


# --- thyroglobulin -------------------------------------------------------------------------
def test_thyroglobulin_is_drawn_on_a_log_axis():
    figure = charts.patient_figure(with_disease())
    tg = trace(figure, "tg")
    assert tg["y"] == [2.0, 9.0, 2.8, 4.1, 5.6]
    assert axis_of(figure, "tg")["type"] == "log"


def test_the_values_the_doubling_time_used_are_filled_and_the_others_open():
    tg = trace(charts.patient_figure(with_disease()), "tg")
    assert tg["marker"]["symbol"] == ["circle", "circle-open", "circle", "circle", "circle"]
    assert tg["customdata"][1] == ["assay A", "not used: anti-Tg antibody positive"]
    assert tg["customdata"][0][1] == "used for the doubling time"


def doubling_note(figure: dict) -> dict:
    return next(a for a in figure["layout"]["annotations"] if a.get("name") == "tg-doubling-time")


def test_the_doubling_time_and_its_category_are_written_over_the_tg_track():
    figure = charts.patient_figure(with_disease())
    note = doubling_note(figure)
    assert note["text"] == "<b>Tg doubling time 0.999 years · category < 1 year</b>"
    assert note["yref"] == trace(figure, "tg")["yaxis"] + " domain"


def test_a_doubling_time_near_a_boundary_keeps_three_decimals():
    summary = TgSummary("doubling", 1.0008, "1–3 y")
    note = doubling_note(charts.patient_figure(with_disease(tg_summary=summary)))
    assert note["text"] == "Tg doubling time 1.001 years · category 1–3 years"


def test_a_falling_tg_says_not_doubling():
    summary = TgSummary("not_doubling", None, "negative / not doubling")
    note = doubling_note(charts.patient_figure(with_disease(tg_summary=summary)))
    assert note["text"] == "Tg not doubling (stable or falling) · category not doubling"


def test_a_doubling_time_not_computed_says_why():
    summary = TgSummary("not_computed", reason="3 qualifying values; at least 4 are needed")
    note = doubling_note(charts.patient_figure(with_disease(tg_summary=summary)))
    assert note["text"] == (
        "Tg doubling time not computed: 3 qualifying values; at least 4 are needed"
    )


# --- lines of therapy and the board ----------------------------------------------------------
def test_each_course_is_a_bar_from_its_start_to_its_end():
    figure = valid(charts.patient_figure(with_disease()))
    mki = trace(figure, "therapy-mki")
    assert (mki["type"], mki["orientation"]) == ("bar", "h")
    assert mki["y"] == ["Line 1"] and mki["text"] == ["Lenvatinib"]
    assert mki["base"] == ["2025-06-02"]
    assert mki["x"] == [182 * charts.MS_PER_DAY]  # 2 June to 1 December 2025
    assert mki["customdata"] == ["2025-06-02 to 2025-12-01"]


def test_a_targeted_drug_has_a_bar_of_its_own_colour_and_says_it_is_ongoing():
    figure = charts.patient_figure(with_disease())
    targeted = trace(figure, "therapy-targeted")
    assert targeted["y"] == ["Line 2"] and targeted["text"] == ["selpercatinib"]
    assert targeted["customdata"] == ["since 2025-12-15, ongoing"]
    assert targeted["marker"]["color"] != trace(figure, "therapy-mki")["marker"]["color"]


def test_a_signed_board_decision_is_a_star_on_its_meeting_date():
    figure = charts.patient_figure(with_disease())
    board = trace(figure, "board-decisions")
    assert board["x"] == ["2025-05-20"] and board["y"] == ["Tumour board"]
    assert board["text"] == ["Start MKI: Lenvatinib"]
    assert board["marker"]["symbol"] == "star"
    assert "signed by Dr O" in board["customdata"][0]


def test_the_board_row_is_above_the_lines_in_order():
    figure = charts.patient_figure(with_disease())
    categories = axis_of(figure, "board-decisions")["categoryarray"]
    assert categories == ["Line 2", "Line 1", "Tumour board"]  # plotly draws the first lowest
