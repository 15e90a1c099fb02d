"""The portal's admin: districts are reference data."""

from __future__ import annotations

import pytest
from django.test import Client

from pilots.models import Pilot
from portal.models import District, User
from tests.portal.factories import district

pytestmark = pytest.mark.django_db


def test_staff_cannot_add_a_district_from_the_admin(client: Client, staff_user: User) -> None:
    # Staff hold every permission of the portal app, add_district included; the admin says no.
    assert staff_user.has_perm("portal.add_district")
    client.force_login(staff_user)

    assert client.get("/admin/portal/district/add/").status_code == 403
    response = client.post(
        "/admin/portal/district/add/",
        {"slug": "new-gu", "name_ko": "신구", "name_en": "New-gu", "boundary": "{}"},
    )

    assert response.status_code == 403
    assert District.objects.count() == 25
    assert (
        "/admin/portal/district/add/" not in client.get("/admin/portal/district/").content.decode()
    )


def test_staff_cannot_delete_a_district_from_the_admin(client: Client, staff_user: User) -> None:
    mapo = district("mapo-gu")
    client.force_login(staff_user)

    response = client.post(f"/admin/portal/district/{mapo.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/portal/district/", {"action": "delete_selected", "_selected_action": [mapo.pk]}
    )

    assert response.status_code == 403
    # Without the delete permission the bulk action is not offered, so nothing is deleted.
    assert bulk.status_code in {200, 302}
    assert District.objects.filter(pk=mapo.pk).exists()


def test_staff_can_still_change_a_district(client: Client, staff_user: User) -> None:
    client.force_login(staff_user)
    assert client.get(f"/admin/portal/district/{district().pk}/change/").status_code == 200


def test_the_district_list_filters_by_the_phase_of_its_pilots(
    client: Client, staff_user: User, pilot: Pilot
) -> None:
    client.force_login(staff_user)

    running = client.get("/admin/portal/district/", {"pilots__phase__exact": "running"})
    proposed = client.get("/admin/portal/district/", {"pilots__phase__exact": "proposed"})

    assert [d.slug for d in running.context["cl"].result_list] == ["gangnam-gu"]
    assert running.context["cl"].result_list[0].pilot_total == 1
    assert list(proposed.context["cl"].result_list) == []
