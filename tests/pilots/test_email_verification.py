"""A citizen joins a pilot only once their e-mail address is verified."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from pilots import services
from pilots.errors import PilotErrorCode
from pilots.models import ConsentVersion, Enrolment, Pilot
from portal.models import User
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def unverified(db: None) -> User:
    user: User = UserFactory.create(username="newcomer", verified_email="")
    return user


def _join(pilot: Pilot, user: User) -> Enrolment:
    return services.enrolment_join(
        pilot=pilot, user=user, consent_version=1, consent_data_use=True, consent_contact=True
    )


def test_the_service_refuses_an_unverified_address_with_its_own_code(
    pilot: Pilot, consent_v1: ConsentVersion, unverified: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        _join(pilot, unverified)
    assert refused.value.code == PilotErrorCode.EMAIL_NOT_VERIFIED
    assert "Confirm your e-mail address" in refused.value.messages[0]
    assert not Enrolment.objects.exists()


def test_an_address_changed_after_verification_must_be_verified_again(
    pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    resident.email = "new-address@example.org"
    resident.save()
    with pytest.raises(ValidationError) as refused:
        _join(pilot, resident)
    assert refused.value.code == PilotErrorCode.EMAIL_NOT_VERIFIED


def test_once_verified_the_citizen_joins(
    pilot: Pilot, consent_v1: ConsentVersion, unverified: User
) -> None:
    unverified.verified_email = unverified.email.upper()
    unverified.save()
    assert _join(pilot, unverified).status == Enrolment.Status.PARTICIPATING


def test_the_api_answers_with_the_code(
    pilot: Pilot, consent_v1: ConsentVersion, unverified: User
) -> None:
    client = APIClient(headers={"accept-language": "en"})
    client.force_authenticate(unverified)
    response = client.post(
        "/api/me/enrolments/",
        {
            "pilot": pilot.slug,
            "consent_version": 1,
            "consent_data_use": True,
            "consent_contact": True,
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_not_verified"


def test_the_join_page_says_why_and_offers_the_link_again(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, unverified: User
) -> None:
    client.force_login(unverified)
    page = client.get(f"/pilots/{pilot.slug}/join/").content.decode()
    assert "Confirm your e-mail address before you join" in page
    assert 'action="/accounts/verify-email/send/"' in page
    assert f'name="next" value="/pilots/{pilot.slug}/join/"' in page
    refused = client.post(
        f"/pilots/{pilot.slug}/join/",
        {"consent_version": 1, "consent_data_use": "on", "consent_contact": "on"},
    )
    assert refused.status_code == 400
    assert "Confirm your e-mail address before you join a pilot" in refused.content.decode()
    assert not Enrolment.objects.exists()
    resent = client.post("/accounts/verify-email/send/", {"next": f"/pilots/{pilot.slug}/join/"})
    assert resent["Location"] == f"/pilots/{pilot.slug}/join/"


def test_a_verified_citizen_sees_no_such_notice(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    client.force_login(resident)
    page = client.get(f"/pilots/{pilot.slug}/join/").content.decode()
    assert "Confirm your e-mail address" not in page
