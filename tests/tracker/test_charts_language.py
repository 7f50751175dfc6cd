"""The charts speak the reader's language: axis titles, legends and hover text."""

from __future__ import annotations

from datetime import datetime

from django.utils import translation

from tracker import charts

AT = datetime(2026, 11, 2, 9, 30)


def _patient_figure():
    timeline = charts.PatientTimeline(
        bp=[charts.BpVisit(at=AT, readings=((165.0, 102.0), (162.0, 100.0)), grade=3)],
        grades=[charts.GradePoint(at=AT, term="高血压", grade=3)],
    )
    return charts.patient_figure(timeline)


def test_the_timeline_names_its_axes_and_traces_in_chinese():
    with translation.override("zh-hans"):
        figure = _patient_figure()
    titles = [v["title"]["text"] for k, v in figure["layout"].items() if k.startswith("yaxis")]
    assert "收缩压 (mm Hg)" in titles and "舒张压 (mm Hg)" in titles
    names = {trace.get("name") for trace in figure["data"]}
    assert {"收缩压（就诊均值）", "分级"} <= names
    heatmap = next(trace for trace in figure["data"] if trace["type"] == "heatmap")
    assert heatmap["colorbar"]["ticktext"][3] == "3 · 重度"
    assert "3 级" in heatmap["hovertemplate"].replace("%{z}", "3")


def test_the_same_timeline_reads_english_for_an_english_reader():
    with translation.override("en-gb"):
        figure = _patient_figure()
    names = {trace.get("name") for trace in figure["data"]}
    assert {"Systolic visit mean", "Grades"} <= names


def test_the_cohort_curves_name_the_drug_and_axes_in_chinese():
    with translation.override("zh-hans"):
        figure = charts.time_to_reduction_figure({"lenvatinib": [(30.0, True), (90.0, False)]})
    assert figure["data"][0]["name"] == "乐伐替尼 (n=2)"
    assert figure["layout"]["xaxis"]["title"]["text"] == "自开始用药的天数"
    assert figure["layout"]["yaxis"]["title"]["text"] == "尚未减量的疗程 %"
    assert "未减量" in figure["data"][0]["hovertemplate"]


def test_the_timelines_dates_carry_their_year_for_a_chinese_reader():
    with translation.override("zh-hans"):
        chinese = _patient_figure()
    with translation.override("en-gb"):
        english = _patient_figure()
    assert chinese["layout"]["xaxis"]["tickformat"] == "%Y-%m-%d"
    assert "tickformat" not in english["layout"]["xaxis"]  # plotly's own English dates
