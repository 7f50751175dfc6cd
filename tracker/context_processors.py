"""What the navigation offers depends on the user's roles."""

from __future__ import annotations

from patients.access import administered_sites, clinical_sites


def roles(request) -> dict:
    """`clinical`: the user opens patients' records somewhere; `administers`: a site's
    memberships and routing are theirs (the admin)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"clinical": bool(clinical_sites(user)), "administers": bool(administered_sites(user))}
