"""Tables and figure payloads written by Python rather than by the template engine:
every value escaped, the markup the templates used to write."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

from tracker import charts, tables


def test_table_cells_are_escaped_and_numbers_and_blanks_written_as_they_are():
    html = tables.table_html(
        "t", ["A & B", "n"], [["<b>x</b>", 3], [None, 2.5], ['"q" \x1f ok', True]]
    )
    assert "<th>A &amp; B</th>" in html
    assert "<tr><td>&lt;b&gt;x&lt;/b&gt;</td><td>3</td></tr>" in html
    assert "<tr><td></td><td>2.5</td></tr>" in html
    # A cell holding the separator the fast path joins cells with still stays one cell.
    assert "<tr><td>&quot;q&quot; \x1f ok</td><td>True</td></tr>" in html


def test_the_visit_grid_marks_provisional_grades_and_leaves_missing_terms_blank():
    visits = [
        {"at": datetime(2026, 3, 2, 9, 5), "grades": {"Fatigue": (2, True)}},
        {"at": datetime(2026, 2, 23, 9, 5), "grades": {"Fatigue": (1, False), "Rash": (3, False)}},
    ]
    html = tables.visit_rows_html(["Fatigue", "Rash"], visits)
    assert html == (
        '<tr><td>2 Mar 2026, 09:05</td><td class="g2">G2 <abbr title="provisional">P</abbr></td>'
        '<td class="g"></td></tr>'
        '<tr><td>23 Feb 2026, 09:05</td><td class="g1">G1</td><td class="g3">G3</td></tr>'
    )


def test_ledger_rows_escape_the_reasons_and_write_doses_as_the_template_did(settings):
    settings.TIME_ZONE = "UTC"
    change = SimpleNamespace(
        effective_at=datetime(2026, 3, 2, 9, 5, tzinfo=UTC),
        get_kind_display=lambda: "Reduce",
        dose_before_mg=24,
        dose_after_mg=12.25,
        reason="<script>alert(1)</script>",
        off_ladder_justification="R&D",
        recommendation_id=7,
        recorded_by=SimpleNamespace(get_full_name=lambda: "", get_username=lambda: "dr<x>"),
    )
    html = tables.ledger_rows_html([change])
    assert "<td>2 Mar 2026, 09:05</td><td>Reduce</td>" in html
    assert "<td>24</td><td>12.3</td>" in html  # floatformat:"-1"
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <em>(off-ladder: R&amp;D)</em>" in html
    assert "<td>R7</td>" in html and "<td>dr&lt;x&gt;</td>" in html
    assert "<script>" not in html


def test_a_figure_payload_cannot_close_its_script_element():
    figure = {"data": [{"name": "</script><script>alert(1)</script> & co"}], "layout": {}}
    text = charts.to_json(figure)
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == figure
