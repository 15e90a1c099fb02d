"""The portal's own demo data: Seoul's districts and the demo's pilot manager.

Called from `portal.livinglab.demo`, which gathers every app's demo data; idempotent like it.
"""

from __future__ import annotations

from portal.models import User
from portal.roles import Role
from portal.services import districts_sync_seoul, user_assign_role


def seed_districts() -> int:
    """Seoul's 25 districts from the committed boundaries; returns how many there are."""
    return districts_sync_seoul()


def manager_login(*, password: str) -> User:
    """The demo's pilot manager, with `password`, which is set again on every run."""
    manager, _created = User.objects.get_or_create(
        username="manager", defaults={"email": "manager@example.org", "first_name": "Demo"}
    )
    manager.set_password(password)
    manager.save()
    user_assign_role(user=manager, role=Role.PILOT_MANAGER)
    return manager
