"""Render docs/clinical-rules.md from the rule data (deterministic output).

``python manage.py clinical_rules_doc`` writes the file with this function; the
test ``tests/toxicity/rules/test_clinical_rules_doc.py`` fails when the
committed file differs from the rendered text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields

from toxicity import monitoring
from toxicity.ctcae.terms import TERMS
from toxicity.rules import DRUGS, RULE_SETS
from toxicity.rules.engine import DEFAULT_POLICY, ENGINE_VERSION, PolicySettings
from toxicity.rules.model import UNCONFIRMED_MARKER, Rule, RuleSet
from toxicity.rules.surgery import SURGERY_RULES

__all__ = ["render_clinical_rules_markdown"]

_SETTING_NOTES = {
    "default_rule_set": "policy.md 1: rule set used when a request names none",
    "reduction_levels_per_hold": "policy.md 2-3: levels down per hold, from the dose at the hold",
    "lowest_dose": "policy.md 4: lenvatinib and sorafenib below the lowest level",
    "lowest_dose_discontinuation_needs_review": "policy.md 4: flag that discontinuation",
    "single_bp_reading_provisional": "policy.md 5: a grade from one BP reading is provisional",
    "proteinuria_resume_below_g_24h": "policy.md 6: lenvatinib resumes only below this 24-h value",
    "review_dose_change_on_provisional_grade": (
        "project decision: a dose change resting on a provisional grade needs review"
    ),
    "missing_baseline": (
        "project decision for every term whose CTCAE definition compares with a baseline "
        "(creatinine, QTc, ALT, AST, bilirubin): `provisional_with_review` grades on the "
        "criteria that need no baseline, marks the grade provisional, flags the decision for "
        "review and names the criterion not checked; `refuse` requires the baseline. Diarrhea "
        "and weight loss are graded only against a baseline and always need it"
    ),
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _named(keys: Iterable[str]) -> str:
    """CTCAE terms by name with their MedDRA code."""
    return ", ".join(
        f"{TERMS[k].name} ({TERMS[k].meddra_code})"
        for k in sorted(keys, key=lambda k: TERMS[k].name)
    )


def _terms(rule: Rule) -> str:
    if rule.fallback:
        if rule.excluded_terms:
            return f"{rule.term_label} (not: {_named(rule.excluded_terms)})"
        return rule.term_label
    return f"{rule.term_label}: {_named(rule.terms)}"


def _recovery(rule: Rule) -> str:
    if rule.action != "withhold":
        return "-"
    rec = rule.recovery.text if rule.recovery else "-"
    return f"{rec}; resume one level down"


def _rule_set_section(rs: RuleSet) -> list[str]:
    lines = [
        f"## {rs.drug} / {rs.rule_set} ({rs.label})",
        "",
        f"- Dose ladder (mg/day): {' -> '.join(str(d) for d in rs.ladder)}",
        f"- Starting dose: {rs.starting_dose} mg/day",
        f"- Lowest dose: {rs.lowest_dose_text} (source: {rs.lowest_dose_source}; clinicians "
        f"see: {rs.lowest_dose_citation})",
    ]
    lines.extend(f"- Note: {note}" for note in rs.notes)
    lines += [
        "",
        "| Rule id | CTCAE term(s) (MedDRA) | Condition | Action | Recovery / resume | Review "
        "| Source | Clinicians see | Confirmed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for rule in rs.rules:
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    f"`{rule.rule_id}`",
                    _terms(rule),
                    rule.condition.text,
                    rule.action,
                    _recovery(rule),
                    "yes" if rule.needs_review else "no",
                    rule.source,
                    rule.citation,
                    "yes" if rule.confirmed else "**no**",
                )
            )
            + " |"
        )
    lines.append("")
    return lines


def render_clinical_rules_markdown(policy: PolicySettings = DEFAULT_POLICY) -> str:
    """The whole docs/clinical-rules.md text."""
    lines = [
        "# Clinical rules: dose modifications by drug label",
        "",
        "<!-- GENERATED FILE: do not edit by hand. Regenerate with "
        "`python manage.py clinical_rules_doc` (toxicity.rules.docs."
        "render_clinical_rules_markdown). -->",
        "",
        "Generated from the rule data in `toxicity/rules/` "
        f"(engine {ENGINE_VERSION}); do not edit by hand. Sources: the drug labels as "
        "quoted in the project's clinical reference and its verification note; project "
        "decisions from policy.md. Rows marked **no** under Confirmed were not confirmed "
        "against a primary label text: every reason that cites them ends with "
        f'"{UNCONFIRMED_MARKER.strip()}". A clinician or oncology pharmacist signs off '
        "every rule before go-live.",
        "",
        "Actions, most restrictive first: discontinue > withhold > reduce > continue. A "
        "hold leads to one reduction of one level from the dose taken when the hold "
        "began (the setting `reduction_levels_per_hold`); every withhold row resumes that "
        "way once its recovery criterion is met. Terms are CTCAE v5.0 terms by name with "
        "their MedDRA code. 'Source' is where a row was read, with the project's notes; "
        "'Clinicians see' is what a recommendation's reason cites. Term-specific rows "
        "are tried first; the rule set's 'other adverse "
        "reactions' (or general) rows apply to an observation only when no term-specific "
        "row fired for it.",
        "",
        "## Policy settings (defaults)",
        "",
        "| Setting | Default | Meaning |",
        "|---|---|---|",
    ]
    for f in fields(policy):
        value = getattr(policy, f.name)
        lines.append(f"| `{f.name}` | `{value!r}` | {_cell(_SETTING_NOTES.get(f.name, ''))} |")
    lines.append("")
    for key in sorted(
        RULE_SETS,
        key=lambda k: (("lenvatinib", "sorafenib", "cabozantinib").index(k[0]), k[1] != "us_pi"),
    ):
        lines.extend(_rule_set_section(RULE_SETS[key]))
    lines.extend(_surgery_section())
    lines.extend(_monitoring_section())
    return "\n".join(lines).rstrip("\n") + "\n"


def _surgery_section() -> list[str]:
    lines = [
        "## Elective surgery (all rule sets)",
        "",
        "| Drug | Stop before surgery | Restart after major surgery | Source | Confirmed "
        "| Stop before invasive dental procedures | Dental source | Dental confirmed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for rule in SURGERY_RULES.values():
        dental = (
            f"at least {rule.dental_stop_days_before} days"
            if rule.dental_stop_days_before is not None
            else "no hold named"
        )
        lines.append(
            f"| {rule.drug} | at least {rule.stop_days_before} days | at least "
            f"{rule.restart_days_after} days, and only once the wound has healed | "
            f"{_cell(rule.source)} | {'yes' if rule.confirmed else '**no**'} | {dental} | "
            f"{_cell(rule.dental_source)} | {'yes' if rule.dental_confirmed else '**no**'} |"
        )
    lines.append("")
    return lines


def _phases(schedule: monitoring.Schedule) -> str:
    parts = []
    for phase in schedule.phases:
        until = f" until day {phase.until_day}" if phase.until_day is not None else ""
        parts.append(f"every {phase.every_days} days{until}")
    return "; then ".join(parts)


def _monitoring_section() -> list[str]:
    lines = [
        "## Monitoring schedules (toxicity/monitoring.py)",
        "",
        "Checks fall due one interval after the last check done (the first at the first "
        "day); a check done up to the grace days early counts, and one not done by the "
        "grace days after is overdue. Checks with a condition apply only to some patients "
        "and are not scheduled automatically.",
        "",
        "| Drug | Check | Schedule (label words) | First day | Then | Grace (days) "
        "| Only for | Satisfied by | Source | Confirmed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for drug in DRUGS:
        for sch in monitoring.SCHEDULES.get(drug, ()):
            satisfied = _named(t for t in monitoring.SATISFIED_BY.get(sch.kind, ()) if t in TERMS)
            lines.append(
                "| "
                + " | ".join(
                    _cell(x)
                    for x in (
                        drug,
                        sch.kind,
                        sch.text,
                        str(sch.first_day),
                        _phases(sch),
                        str(sch.grace_days),
                        sch.condition or "-",
                        satisfied,
                        sch.source,
                        "yes" if sch.confirmed else "**no**",
                    )
                )
                + " |"
            )
    lines.append("")
    return lines
