"""Stored composite grades equal pro.py's tables, cell by cell, for every survey item.

Every combination of each item's answers (0-4 per attribute) is sent as a weekly
report; the stored composite is compared with the cell of ``toxicity.ctcae.pro``'s
table for that attribute set, read directly from the table (not through
``composite_grade``). Together the items reach every cell of SINGLE_F, SINGLE_S,
FS_TABLE, SI_TABLE and FSI_TABLES; no survey item has F+I or I alone, so FI_TABLE and
SINGLE_I are not reachable from a stored report (tests/toxicity/ctcae/test_pro.py
covers them).
"""

from __future__ import annotations

from itertools import product

import pytest
from django.core.exceptions import ValidationError

from reports import items, services
from reports.models import SymptomAnswer, SymptomReport
from toxicity.ctcae import pro

pytestmark = pytest.mark.django_db

F, S, I = pro.FREQUENCY, pro.SEVERITY, pro.INTERFERENCE  # noqa: E741


def table_cell(attributes: frozenset[str], answer: dict[str, int]) -> int:
    """The printed table's cell for these answers (zero rules first, reference.md 3.5)."""
    f, s, i = answer.get(F), answer.get(S), answer.get(I)
    if attributes == {F}:
        return pro.SINGLE_F[f]
    if attributes == {S}:
        return pro.SINGLE_S[s]
    if attributes == {F, S}:
        return 0 if f == 0 else pro.FS_TABLE[f - 1][s]
    if attributes == {S, I}:
        return 0 if s == 0 else pro.SI_TABLE[s - 1][i]
    if attributes == {F, S, I}:
        return 0 if f == 0 else pro.FSI_TABLES[f - 1][s][i]
    raise AssertionError(f"no table for {sorted(attributes)}")


def every_answer(item: items.Item) -> list[dict[str, int]]:
    attrs = [q.attribute for q in item.questions]
    return [
        dict(zip(attrs, values, strict=True)) for values in product(range(5), repeat=len(attrs))
    ]


def test_every_cell_of_every_items_table_is_stored_as_the_table_says(account):
    combos = {item.key: every_answer(item) for item in items.SURVEY}
    rounds = max(len(c) for c in combos.values())
    sent = []  # (report id, item, answer)
    for n in range(rounds):
        answers = {}
        for key, options in combos.items():
            if n < len(options):
                answers[key] = options[n]
        report = services.submit_weekly_report(account=account, answers=answers)
        sent += [(report.pk, key, answer) for key, answer in answers.items()]
    stored = {
        (a.report_id, a.item): a
        for a in SymptomAnswer.objects.filter(report__patient=account.patient)
    }
    assert len(stored) == len(sent) == sum(len(c) for c in combos.values())
    wrong = []
    for report_id, key, answer in sent:
        row = stored[(report_id, key)]
        expected = table_cell(items.ITEMS[key].attributes, answer)
        kept = {a: getattr(row, a) for a in answer}
        if row.composite_grade != expected or kept != answer:
            wrong.append(f"{key} {answer}: stored {row.composite_grade} {kept}, table {expected}")
    assert not wrong, "\n".join(wrong[:20])


def test_severe_diarrhoea_is_stored_as_composite_3(account):
    report = services.submit_weekly_report(account=account, answers={"diarrhea": {F: 4}})
    assert report.answers.get(item="diarrhea").composite_grade == 3


def test_never_makes_the_other_questions_irrelevant(account):
    report = services.submit_weekly_report(account=account, answers={"nausea": {F: 0, S: None}})
    answer = report.answers.get(item="nausea")
    assert (answer.frequency, answer.severity, answer.composite_grade) == (0, None, 0)


def test_a_half_answered_item_names_the_missing_question_and_stores_nothing(account):
    with pytest.raises(ValidationError) as refused:
        services.submit_weekly_report(
            account=account, answers={"nausea": {F: 3, S: None}, "diarrhea": {F: 1}}
        )
    assert set(refused.value.message_dict) == {"nausea__severity"}
    assert not SymptomReport.objects.exists()


def test_an_item_left_unanswered_is_not_stored(account):
    report = services.submit_weekly_report(
        account=account, answers={"diarrhea": {F: 1}, "fatigue": {S: None, I: None}}
    )
    assert list(report.answers.values_list("item", flat=True)) == ["diarrhea"]


def test_the_anything_else_box_is_kept_in_the_patients_words(account):
    report = services.submit_weekly_report(
        account=account, answers={}, anything_else="  My feet burn at night.  "
    )
    assert report.anything_else == "My feet burn at night."


def test_an_overlong_anything_else_is_refused_on_its_field(account):
    with pytest.raises(ValidationError) as refused:
        services.submit_weekly_report(
            account=account, answers={}, anything_else="x" * (items.ANYTHING_ELSE_CHARS + 1)
        )
    assert set(refused.value.message_dict) == {"anything_else"}
    assert not SymptomReport.objects.exists()


def test_an_empty_report_is_refused(account):
    with pytest.raises(ValidationError):
        services.submit_weekly_report(account=account, answers={"diarrhea": {F: None}})
    assert not SymptomReport.objects.exists()


def test_the_report_keeps_whether_the_wording_was_confirmed(account):
    report = services.submit_weekly_report(account=account, answers={"diarrhea": {F: 2}})
    assert report.answers.get().wording_confirmed is items.ITEMS["diarrhea"].wording_confirmed


def test_a_report_is_audited_with_the_patients_account(account):
    report = services.submit_weekly_report(account=account, answers={"diarrhea": {F: 2}})
    (version,) = report.history.all()
    assert version.history_user == account.user
    assert version.history_change_reason == "Weekly symptom report sent by the patient"
