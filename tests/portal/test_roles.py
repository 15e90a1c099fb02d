"""Roles are groups with permissions; the admin keeps citizens out."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from portal.models import User
from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group_with_permissions() -> None:
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions")}
    assert set(groups) >= {role.value for role in Role}
    for role in Role:
        assert groups[role.value].permissions.exists()


def test_a_pilot_manager_may_change_pilots_but_not_delete_them(manager: User) -> None:
    assert manager.has_perm("pilots.change_pilot")
    assert not manager.has_perm("pilots.delete_pilot")
    assert manager.is_staff


def test_a_citizen_is_kept_out_of_the_admin(client: Client, citizen: User) -> None:
    client.force_login(citizen)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not citizen.has_perm("pilots.change_pilot")


def test_a_pilot_manager_gets_into_the_admin_and_sees_pilots(client: Client, manager: User) -> None:
    client.force_login(manager)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/pilots/pilot/").status_code == 200
    assert client.get("/admin/portal/user/").status_code == 403
