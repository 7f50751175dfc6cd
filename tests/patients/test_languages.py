"""Each clinician reads pages and emails in their own language, or their site's."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from patients import languages
from patients.models import Role, SiteMembership, UserPreference
from tests.factories import SiteFactory, member

pytestmark = pytest.mark.django_db


def test_a_user_without_a_choice_reads_their_sites_language():
    site = SiteFactory(language="zh-hans")
    assert languages.chosen_language(member(site, Role.NURSE)) == "zh-hans"


def test_a_users_own_choice_comes_before_their_sites():
    nurse = member(SiteFactory(language="zh-hans"), Role.NURSE)
    languages.set_language(actor=nurse, language="en-gb")
    assert languages.chosen_language(nurse) == "en-gb"


def test_a_blank_choice_goes_back_to_the_sites_language():
    nurse = member(SiteFactory(language="zh-hans"), Role.NURSE)
    languages.set_language(actor=nurse, language="en-gb")
    languages.set_language(actor=nurse, language="")
    assert languages.chosen_language(nurse) == "zh-hans"


def test_sites_of_two_languages_leave_the_choice_to_the_browser():
    nurse = member(SiteFactory(language="zh-hans"), Role.NURSE)
    other = SiteFactory(language="en-gb")
    SiteMembership.objects.create(user=nurse, site=other, role=Role.NURSE)
    assert languages.chosen_language(nurse) is None


def test_an_email_to_a_user_nobody_chose_for_is_in_the_default_language(settings):
    nurse = member(SiteFactory(language="zh-hans"), Role.NURSE)
    member(SiteFactory(language="en-gb"), Role.NURSE)
    UserPreference.objects.create(user=nurse, language="")
    assert languages.email_language(nurse) == "zh-hans"
    assert languages.email_language(member(SiteFactory(), Role.NURSE)) == settings.LANGUAGE_CODE


def test_an_unoffered_language_is_refused_and_nothing_is_stored():
    nurse = member(SiteFactory(), Role.NURSE)
    with pytest.raises(ValidationError) as refused:
        languages.set_language(actor=nurse, language="fr")
    assert "language" in refused.value.message_dict
    assert not UserPreference.objects.filter(user=nurse).exists()


def test_the_choice_is_audited():
    nurse = member(SiteFactory(), Role.NURSE)
    languages.set_language(actor=nurse, language="zh-hans")
    row = UserPreference.history.get()
    assert (row.language, row.history_user, row.history_change_reason) == (
        "zh-hans",
        nurse,
        "Language chosen by the user",
    )
