"""The pharmacist's sign-off of a site's rule sets, and the row confirmations it counts.

A site relies on a rule set (one drug label's rows, the engine version, the
policy settings) only once a pharmacist of the site has reviewed it and signed
it off with their password, as an oncologist signs a dose decision. Until then
every recommendation made with it says "rule set not yet signed off at this
site". A sign-off is for one fingerprint of the content
(toxicity.rule_fingerprint): a new engine version or a changed row gives another
fingerprint, and the site needs a new sign-off. Each recommendation records the
sign-off that was current when the engine made it (``Recommendation.rule_set_signoff``).

While reviewing, a pharmacist may confirm a row the rule data marks unconfirmed,
naming the label section and the date they checked it against. Confirmations
are per site and per row content, audited, shown on the review page and counted
in the sign-off.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from patients.access import has_role
from patients.audit import audit
from patients.models import Role, Site
from patients.passwords import verify_signing_password
from toxicity import rules
from toxicity.models import SIGNOFF_MEANING, RuleRowConfirmation, RuleSetSignOff
from toxicity.rule_fingerprint import plain, row_fingerprint, rows_of, rule_set_fingerprint
from toxicity.rules import engine
from toxicity.services.signatures import sha256_hex, signer_name

SIGNOFF_ROLES = (Role.PHARMACIST,)
NOT_SIGNED_OFF = "rule set not yet signed off at this site"
SIGNED_OFF = "rule set signed off at this site"
LABEL_SECTION_MAX = RuleRowConfirmation._meta.get_field("label_section").max_length
# Shown first for each row (the rest of its fields follow on request); names as
# _flatten spells them, so a field the rule data does not have is simply absent.
HEADLINE_FIELDS = (
    "term label",
    "summary",
    "condition.text",
    "action",
    "recovery.text",
    "citation",
)


# --- the rule data, read through its public names ------------------------------------


def _rule_data():
    # Read at call time, through the modules: the rule data and the engine are the
    # rules package's own, and a test may stand another rule set in their place.
    return rules.RULE_SETS, engine.ENGINE_VERSION, engine.policy_snapshot(engine.DEFAULT_POLICY)


def rule_set_keys() -> list[tuple[str, str]]:
    """(drug, rule set) of every rule set, in the rule data's order."""
    rule_sets, _version, _policy = _rule_data()
    return list(rule_sets)


def get_rule_set(drug: str, rule_set: str):
    """The rule set's data; LookupError when there is none."""
    rule_sets, _version, _policy = _rule_data()
    try:
        return rule_sets[(drug, rule_set)]
    except KeyError:
        raise LookupError(f"no rule set {rule_set!r} for drug {drug!r}") from None


def current_fingerprint(drug: str, rule_set: str) -> str:
    """The fingerprint of the rule set the engine applies now."""
    rule_sets, version, policy = _rule_data()
    return rule_set_fingerprint(rule_sets[(drug, rule_set)], engine_version=version, policy=policy)


def current_signoff(*, site_id: int, drug: str, rule_set: str) -> RuleSetSignOff | None:
    """The site's sign-off of the rule set as it is now, or None (not yet signed off)."""
    try:
        fingerprint = current_fingerprint(drug, rule_set)
    except KeyError:
        return None
    return RuleSetSignOff.objects.filter(
        site_id=site_id, drug=drug, rule_set=rule_set, fingerprint=fingerprint
    ).first()


# --- the review page ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowReview:
    """One row as the pharmacist reviews it."""

    rule_id: str
    source: str
    confirmed_in_data: bool
    row_sha256: str
    details: list[tuple[str, str]]  # every other field of the row, in words
    confirmation: RuleRowConfirmation | None  # this site's, for the row as it is now
    earlier_confirmations: list[RuleRowConfirmation]  # for earlier contents of the row

    @property
    def confirmed(self) -> bool:
        return self.confirmed_in_data or self.confirmation is not None

    @property
    def headline(self) -> list[tuple[str, str]]:
        """The fields that say the row in words; the rest stay under ``details``."""
        return [(name, value) for name, value in self.details if name in HEADLINE_FIELDS]

    @property
    def other_details(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.details if name not in HEADLINE_FIELDS]


@dataclass(frozen=True)
class RuleSetReview:
    site: Site
    drug: str
    rule_set: str
    label: str
    fingerprint: str
    engine_version: str
    policy: dict[str, Any]
    rows: list[RowReview]
    signoff: RuleSetSignOff | None  # for the current fingerprint
    earlier_signoffs: list[RuleSetSignOff]  # of other versions

    @property
    def version(self) -> str:
        return self.fingerprint[:12]

    @property
    def confirmed_count(self) -> int:
        return sum(1 for row in self.rows if row.confirmed)

    @property
    def unconfirmed_count(self) -> int:
        return len(self.rows) - self.confirmed_count

    @property
    def site_confirmed_count(self) -> int:
        return sum(1 for row in self.rows if row.confirmation is not None)


def _flatten(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, inner, out)
        return
    if value in (None, "", [], {}):
        return
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    out.append((prefix.replace("_", " "), str(value)))


def _row_details(row: Any) -> list[tuple[str, str]]:
    data = plain(row)
    out: list[tuple[str, str]] = []
    for key, value in data.items():
        if key in ("rule_id", "source", "confirmed"):
            continue
        _flatten(key, value, out)
    return out


def review(site: Site, drug: str, rule_set: str) -> RuleSetReview:
    """The rule set as the pharmacist reviews it at ``site``; LookupError if unknown."""
    data = get_rule_set(drug, rule_set)
    _sets, version, policy = _rule_data()
    fingerprint = current_fingerprint(drug, rule_set)
    confirmations: dict[str, list[RuleRowConfirmation]] = {}
    for c in RuleRowConfirmation.objects.filter(
        site=site, drug=drug, rule_set=rule_set
    ).select_related("confirmed_by"):
        confirmations.setdefault(c.rule_id, []).append(c)
    rows = []
    for row in rows_of(data):
        sha = row_fingerprint(row)
        mine = confirmations.get(row.rule_id, [])
        current = next((c for c in mine if c.row_sha256 == sha), None)
        rows.append(
            RowReview(
                rule_id=row.rule_id,
                source=row.source,
                confirmed_in_data=bool(row.confirmed),
                row_sha256=sha,
                details=_row_details(row),
                confirmation=current,
                earlier_confirmations=[c for c in mine if c.row_sha256 != sha],
            )
        )
    signoffs = list(
        RuleSetSignOff.objects.filter(site=site, drug=drug, rule_set=rule_set).select_related(
            "signed_by"
        )
    )
    return RuleSetReview(
        site=site,
        drug=drug,
        rule_set=rule_set,
        label=getattr(data, "label", ""),
        fingerprint=fingerprint,
        engine_version=version,
        policy=policy,
        rows=rows,
        signoff=next((s for s in signoffs if s.fingerprint == fingerprint), None),
        earlier_signoffs=[s for s in signoffs if s.fingerprint != fingerprint],
    )


def site_rule_sets(site: Site) -> list[RuleSetReview]:
    """Every rule set as reviewed at ``site``: the pharmacist's overview."""
    return [review(site, drug, rule_set) for drug, rule_set in rule_set_keys()]


# --- writes --------------------------------------------------------------------------------


def _require_pharmacist(actor, site: Site, what: str) -> None:
    if not has_role(actor, site.pk, *SIGNOFF_ROLES):
        raise PermissionDenied(_("Only a pharmacist at this site can %(what)s.") % {"what": what})


def confirm_rule_row(
    *,
    actor,
    site: Site,
    drug: str,
    rule_set: str,
    rule_id: str,
    label_section: str,
    checked_on: date | None,
) -> RuleRowConfirmation:
    """A pharmacist confirms an unconfirmed row against the label, for this site.

    Raises PermissionDenied (not a pharmacist at the site), LookupError (no such
    rule set) or ValidationError (no such row, a row the data already confirms,
    a confirmation already made, a missing section or a date not in the past).
    """
    _require_pharmacist(actor, site, _("confirm a rule row"))
    data = get_rule_set(drug, rule_set)
    errors: dict[str, str] = {}
    row = next((r for r in rows_of(data) if r.rule_id == rule_id), None)
    label_section = (label_section or "").strip()
    if row is None:
        errors["rule_id"] = _("This rule set has no row %(rule_id)s.") % {"rule_id": rule_id}
    elif row.confirmed:
        errors["rule_id"] = _("This row is already confirmed against a primary label text.")
    if not label_section:
        errors["label_section"] = _("Name the label section you checked the row against.")
    elif len(label_section) > LABEL_SECTION_MAX:
        errors["label_section"] = _("Keep the label section to %(n)d characters.") % {
            "n": LABEL_SECTION_MAX
        }
    if checked_on is None:
        errors["checked_on"] = _("Give the date you checked the row against the label.")
    elif checked_on > timezone.localdate():
        errors["checked_on"] = _("The date you checked the row is in the future.")
    if errors:
        raise ValidationError(errors)
    confirmation = RuleRowConfirmation(
        site=site,
        drug=drug,
        rule_set=rule_set,
        rule_id=rule_id,
        row_sha256=row_fingerprint(row),
        label_section=label_section,
        checked_on=checked_on,
        confirmed_by=actor,
        confirmed_at=timezone.now(),
    )
    audit(confirmation, actor=actor, reason=f"Row confirmed against {label_section}")
    try:
        with transaction.atomic():
            confirmation.save()
    except IntegrityError:
        raise ValidationError(
            {"rule_id": _("This row is already confirmed at this site.")}
        ) from None
    return confirmation


def signoff_content(signoff: RuleSetSignOff) -> bytes:
    """The canonical bytes a sign-off's signature hash covers."""
    content = {
        "site": signoff.site_id,
        "drug": signoff.drug,
        "rule_set": signoff.rule_set,
        "fingerprint": signoff.fingerprint,
        "engine_version": signoff.engine_version,
        "content": signoff.content,
        "confirmed_rows": signoff.confirmed_rows,
        "unconfirmed_rows": signoff.unconfirmed_rows,
        "signer_id": signoff.signed_by_id,
        "signer_name": signoff.signer_name,
        "signed_at": signoff.signed_at.isoformat() if signoff.signed_at else None,
        "meaning": signoff.signature_meaning,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def signoff_is_valid(signoff: RuleSetSignOff) -> bool:
    return sha256_hex(signoff_content(signoff)) == signoff.signature_sha256


def sign_off_rule_set(
    *,
    actor,
    site: Site,
    drug: str,
    rule_set: str,
    fingerprint: str,
    password: str,
    origin: HttpRequest | None = None,
) -> RuleSetSignOff:
    """A pharmacist signs off the rule set as reviewed (``fingerprint``), with their password.

    Raises PermissionDenied (not a pharmacist at the site), LookupError (no such
    rule set), ValidationError (the rule set changed since the review, wrong
    password, this version already signed off at the site) or SigningLocked (too
    many wrong passwords from `origin`'s address: counted like a sign-in, as for
    dose decisions).
    """
    _require_pharmacist(actor, site, _("sign off a rule set"))
    get_rule_set(drug, rule_set)
    if fingerprint != current_fingerprint(drug, rule_set):
        raise ValidationError(
            {
                "fingerprint": _(
                    "The rule set changed since this page was opened; review it again "
                    "before signing. Nothing was signed."
                )
            }
        )
    verify_signing_password(actor, password, origin=origin)
    with transaction.atomic():
        # One signer at a time per site (the site row is the lock).
        Site.objects.select_for_update().get(pk=site.pk)
        reviewed = review(site, drug, rule_set)
        if reviewed.signoff is not None:
            raise ValidationError(
                {
                    "fingerprint": _(
                        "This version of the rule set is already signed off at this site "
                        "by %(name)s."
                    )
                    % {"name": reviewed.signoff.signer_name}
                }
            )
        signoff = RuleSetSignOff(
            site=site,
            drug=drug,
            rule_set=rule_set,
            fingerprint=reviewed.fingerprint,
            engine_version=reviewed.engine_version,
            content={
                "policy": plain(reviewed.policy),
                "site_confirmations": [
                    {
                        "rule_id": row.rule_id,
                        "row_sha256": row.row_sha256,
                        "label_section": row.confirmation.label_section,
                        "checked_on": row.confirmation.checked_on.isoformat(),
                        "confirmed_by": row.confirmation.confirmed_by_id,
                    }
                    for row in reviewed.rows
                    if row.confirmation is not None
                ],
                "unconfirmed_rule_ids": [row.rule_id for row in reviewed.rows if not row.confirmed],
            },
            confirmed_rows=reviewed.confirmed_count,
            unconfirmed_rows=reviewed.unconfirmed_count,
            signed_by=actor,
            signed_at=timezone.now(),
            signer_name=signer_name(actor),
            signature_meaning=SIGNOFF_MEANING,
        )
        signoff.signature_sha256 = sha256_hex(signoff_content(signoff))
        audit(signoff, actor=actor, reason=f"Signed: {SIGNOFF_MEANING}")
        signoff.save()
    return signoff
