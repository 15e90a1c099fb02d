"""State changes of the portal app: accounts and roles."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from portal.geo import seoul_districts
from portal.models import District, User
from portal.roles import ADMIN_ROLES, Role


@transaction.atomic
def user_sign_up(
    *,
    username: str,
    email: str,
    password: str,
    preferred_language: str = User.Language.KOREAN,
    home_district: District | None = None,
) -> User:
    """Create a citizen account. The caller has validated the password and username."""
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        preferred_language=preferred_language,
        home_district=home_district,
    )
    user_assign_role(user=user, role=Role.CITIZEN)
    return user


@transaction.atomic
def user_assign_role(*, user: User, role: Role) -> None:
    """Put the user in the role's group; managers and staff also get into the admin site."""
    user.groups.add(Group.objects.get(name=str(role)))
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def districts_sync_seoul() -> int:
    """Create or update Seoul's 25 districts from the committed boundaries; returns the count."""
    for fields in seoul_districts():
        District.objects.update_or_create(code=fields.pop("code"), defaults=fields)
    return District.objects.count()
