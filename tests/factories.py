"""Factories for test data. Clinical rows go through the services where the
behaviour under test depends on it; these build the surroundings."""

from __future__ import annotations

from datetime import date

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from patients.models import Histology, Patient, Role, Sex, Site, SiteMembership

PASSWORD = "correct horse battery staple"


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    name = factory.Sequence(lambda n: f"Clinic {n}")
    code = factory.Sequence(lambda n: f"c{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Clinician{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def api_token(user, name: str = "test client") -> str:
    """A new API token for `user` (the plain token, as its maker sees it once)."""
    from patients.tokens import create_token

    return create_token(user=user, name=f"{name} {user.api_tokens.count() + 1}").token


def member(site: Site, role: str, **user_fields):
    user = UserFactory(**user_fields)
    SiteMembership.objects.create(user=user, site=site, role=role)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    site = factory.SubFactory(SiteFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:06d}")
    reference_code = factory.Sequence(lambda n: f"REF-{n:06d}")
    family_name = "Testpatient"
    given_name = factory.Sequence(lambda n: f"Given{n}")
    date_of_birth = date(1960, 5, 17)
    sex = Sex.FEMALE
    histology = Histology.PAPILLARY
    diagnosis_date = date(2020, 3, 1)
    rai_refractory_date = date(2021, 1, 15)
    baseline_weight_kg = 70
    baseline_stools_per_day = 1


ROLES = Role
