"""Pages in the reader's language: their own choice, else their site's, else the browser's."""

from __future__ import annotations

import pytest
from django.test import Client

from patients.models import Role, UserPreference
from tests.factories import SiteFactory, member

pytestmark = pytest.mark.django_db

WORKLIST_ZH = "工作列表"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def chinese_site():
    return SiteFactory(language="zh-hans")


def test_a_nurse_at_a_chinese_speaking_site_reads_the_pages_in_chinese(chinese_site):
    response = _client(member(chinese_site, Role.NURSE)).get("/patients/")
    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.text
    assert WORKLIST_ZH in response.text


def test_a_colleague_who_chose_english_reads_english_at_the_same_site(chinese_site):
    member(chinese_site, Role.NURSE, username="chinese.nurse")
    colleague = member(chinese_site, Role.NURSE)
    UserPreference.objects.create(user=colleague, language="en-gb")
    response = _client(colleague).get("/patients/")
    assert '<html lang="en-gb">' in response.text
    assert WORKLIST_ZH not in response.text


def test_choosing_a_language_changes_that_users_pages_only(site):
    nurse, colleague = member(site, Role.NURSE), member(site, Role.NURSE)
    mine, theirs = _client(nurse), _client(colleague)
    response = mine.post("/accounts/language/", {"language": "zh-hans"}, follow=True)
    assert "您的语言设置已保存" in response.text
    assert WORKLIST_ZH in mine.get("/patients/").text
    assert WORKLIST_ZH not in theirs.get("/patients/").text


def test_a_language_not_offered_is_refused_on_the_field_and_nothing_is_stored(site):
    nurse = member(site, Role.NURSE)
    response = _client(nurse).post("/accounts/language/", {"language": "fr"})
    assert response.status_code == 400
    assert "fr is not one of the available choices" in response.text
    assert not UserPreference.objects.filter(user=nurse).exists()


def test_the_sign_in_page_follows_the_browser():
    response = Client(headers={"accept-language": "zh-CN,zh;q=0.9"}).get("/accounts/login/")
    assert '<html lang="zh-hans">' in response.text
    assert "Accept-Language" in response.headers["Vary"]
