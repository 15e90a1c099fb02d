"""The admin issues tokens once, revokes them and lists alerts; outsiders see none of it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from pilots.models import Pilot
from portal.models import User
from sensors.models import Alert, Device, DeviceCredential, IngestBatch, ReadingCorrection
from sensors.services import CredentialError, device_credential_check, device_credential_issue
from tests.sensors.factories import ReadingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/sensors/device/"


def test_issuing_a_token_shows_it_once_and_it_works(
    client: Client, manager: User, private_device: Device
) -> None:
    client.force_login(manager)

    response = client.post(
        CHANGELIST,
        {"action": "issue_token", "_selected_action": [private_device.pk]},
        follow=True,
    )

    match = re.search(r"<code>([A-Za-z0-9_\-]+)</code>", response.content.decode())
    assert match is not None
    assert device_credential_check(token=match.group(1)).device == private_device
    again = client.get(CHANGELIST).content.decode()
    assert match.group(1) not in again


def test_revoking_a_devices_tokens_locks_it_out(
    client: Client, manager: User, private_device: Device
) -> None:
    _credential, token = device_credential_issue(device=private_device)
    client.force_login(manager)

    client.post(CHANGELIST, {"action": "revoke_tokens", "_selected_action": [private_device.pk]})

    with pytest.raises(CredentialError):
        device_credential_check(token=token)
    assert DeviceCredential.objects.get().revoked_at is not None


def test_an_outsider_cannot_issue_tokens(
    client: Client, outsider: User, public_device: Device
) -> None:
    client.force_login(outsider)

    response = client.post(
        CHANGELIST, {"action": "issue_token", "_selected_action": [public_device.pk]}
    )

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not DeviceCredential.objects.exists()


def test_managers_see_open_alerts_filtered(
    client: Client, manager: User, private_device: Device
) -> None:
    now = timezone.now()
    for rule, closed in [(Alert.Rule.HEAT_WAVE, None), (Alert.Rule.PM10_BAD, now)]:
        Alert.objects.create(
            device=private_device,
            rule=rule,
            level=Alert.Level.WARNING,
            message="m",
            opened_at=now,
            closed_at=closed,
        )
    client.force_login(manager)

    page = client.get("/admin/sensors/alert/", {"state": "open"}).content.decode()

    assert page.count('class="field-is_open"') == 1


def test_another_manager_does_not_see_or_open_my_pilots_device(
    client: Client, other_manager: User, private_device: Device
) -> None:
    client.force_login(other_manager)

    listing = client.get(CHANGELIST).content.decode()
    change = client.get(f"{CHANGELIST}{private_device.pk}/change/")

    assert private_device.name not in listing
    assert change.status_code == 302  # "does not exist": back to the list, nothing shown.
    assert private_device.name not in client.get(change["Location"]).content.decode()


def test_another_manager_cannot_make_my_pilots_device_public(
    client: Client, other_manager: User, private_device: Device
) -> None:
    client.force_login(other_manager)

    client.post(
        f"{CHANGELIST}{private_device.pk}/change/",
        {
            "name": private_device.name,
            "kind": private_device.kind,
            "district": private_device.district_id,
            "pilot": private_device.pilot_id,
            "latitude": private_device.latitude,
            "longitude": private_device.longitude,
            "visibility": Device.Visibility.PUBLIC,
            "status": private_device.status,
            "credentials-TOTAL_FORMS": 0,
            "credentials-INITIAL_FORMS": 0,
        },
    )

    private_device.refresh_from_db()
    assert private_device.visibility == Device.Visibility.PRIVATE


def test_another_manager_cannot_issue_tokens_for_my_pilots_device(
    client: Client, other_manager: User, private_device: Device
) -> None:
    client.force_login(other_manager)

    client.post(CHANGELIST, {"action": "issue_token", "_selected_action": [private_device.pk]})

    assert not DeviceCredential.objects.exists()


def test_a_manager_cannot_add_a_device_to_another_managers_pilot(
    client: Client, other_manager: User, pilot: Pilot, private_device: Device
) -> None:
    client.force_login(other_manager)

    response = client.post(
        f"{CHANGELIST}add/",
        {
            "name": "intruder",
            "kind": Device.Kind.AIR_QUALITY,
            "district": private_device.district_id,
            "pilot": pilot.pk,
            "latitude": 37.5,
            "longitude": 127.0,
            "visibility": Device.Visibility.PUBLIC,
            "status": Device.Status.ACTIVE,
            "credentials-TOTAL_FORMS": 0,
            "credentials-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 200  # The form comes back with the pilot refused.
    assert not Device.objects.filter(name="intruder").exists()


def test_another_manager_sees_none_of_my_pilots_alerts_or_credentials(
    client: Client, other_manager: User, private_device: Device
) -> None:
    device_credential_issue(device=private_device)
    Alert.objects.create(
        device=private_device,
        rule=Alert.Rule.HEAT_WAVE,
        level=Alert.Level.WARNING,
        message="m",
        opened_at=timezone.now(),
    )
    client.force_login(other_manager)

    alerts = client.get("/admin/sensors/alert/").content.decode()
    credentials = client.get("/admin/sensors/devicecredential/").content.decode()

    assert 'class="field-is_open"' not in alerts
    assert private_device.name not in credentials


def test_staff_see_every_device(client: Client, staff_user: User, private_device: Device) -> None:
    client.force_login(staff_user)

    assert private_device.name in client.get(CHANGELIST).content.decode()


def test_a_readings_corrections_show_to_its_manager_and_to_no_other(
    client: Client, manager: User, other_manager: User, private_device: Device
) -> None:
    reading = ReadingFactory.create(device=private_device, value=12.5)
    ReadingCorrection.objects.create(
        reading=reading,
        old_value=99.25,
        new_value=12.5,
        corrected_at=timezone.now(),
        source=IngestBatch.Source.MQTT,
    )
    url = f"/admin/sensors/reading/{reading.pk}/change/"

    client.force_login(manager)
    mine = client.get(url)
    client.force_login(other_manager)
    theirs = client.get(url, follow=True)

    assert mine.status_code == 200
    assert "99.25" in mine.content.decode()
    assert "99.25" not in theirs.content.decode()
