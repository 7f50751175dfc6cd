"""Alert pages: the list, one alert with its delivery trail, and acknowledging it.

The acknowledge link in an email is login-required: it leads to the sign-in page
first. Its GET only shows what will be acknowledged, because mail scanners open
links; the button posts, and the link then works no more.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from notifications import selectors, services
from patients.access import access_patient, clinical_page, role_at


@login_required
@require_safe
@clinical_page
def alert_list(request):
    """The alerts at the user's sites; `?patient=<id>` one patient's, `?needs_action=1`
    only those that still ask for someone (the worklist's alert count links here)."""
    alerts = selectors.alerts_visible_to(request.user)
    patient = None
    if request.GET.get("patient"):
        patient = access_patient(request.user, request.GET["patient"])
        alerts = alerts.filter(course__patient=patient)
    needs_action = request.GET.get("needs_action") == "1"
    if needs_action:
        alerts = selectors.needing_action(alerts)
    # Those still open first, newest first; then the latest acknowledged, so what was
    # acknowledged today is at the top of its part (NULLs placed alike on every database).
    alerts = alerts.order_by(F("acknowledged_at").desc(nulls_first=True), "-created_at", "-id")[
        :200
    ]
    for alert in alerts:
        alert.can_acknowledge = _may_acknowledge(request.user, alert)
    return render(
        request,
        "notifications/alert_list.html",
        {"alerts": alerts, "patient": patient, "needs_action": needs_action},
    )


def _may_acknowledge(user, alert) -> bool:
    return services.may_acknowledge(role_at(user, alert.course.patient.site_id), alert)


@login_required
@require_safe
def alert_detail(request, alert_id: int):
    alert = selectors.access_alert(request.user, alert_id)
    return render(
        request,
        "notifications/alert_detail.html",
        {
            "alert": alert,
            "deliveries": selectors.delivery_trail(alert),
            "can_acknowledge": _may_acknowledge(request.user, alert),
        },
    )


@login_required
@require_POST
def acknowledge(request, alert_id: int):
    alert = selectors.access_alert(request.user, alert_id)
    services.acknowledge_alert(actor=request.user, alert=alert, via="app")
    messages.success(request, _("Alert acknowledged."))
    return redirect("notifications:alert", alert.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def acknowledge_link(request, token: str):
    if request.method == "POST":
        try:
            alert = services.acknowledge_by_link(actor=request.user, token=token)
        except services.LinkRefused as refused:
            return render(
                request, "notifications/link_refused.html", {"reason": str(refused)}, status=400
            )
        messages.success(request, _("Alert acknowledged."))
        return redirect("notifications:alert", alert.pk)
    try:
        delivery = services.delivery_for_token(token)
        if delivery.recipient_id != request.user.pk:
            raise services.LinkRefused(_("This link was sent to someone else."))
        if delivery.link_used_at is not None:
            raise services.LinkRefused(_("This link has already been used."))
    except services.LinkRefused as refused:
        return render(
            request, "notifications/link_refused.html", {"reason": str(refused)}, status=400
        )
    alert = selectors.access_alert(request.user, delivery.alert_id)
    return render(request, "notifications/acknowledge_link.html", {"alert": alert})
