from __future__ import annotations

from factory.declarations import LazyAttribute, PostGeneration, Sequence
from factory.django import DjangoModelFactory, Password

from portal.models import District, User
from portal.roles import Role
from portal.services import user_assign_role


def _assign_role(user: User, create: bool, extracted: Role | None, **kwargs: object) -> None:
    if create:
        user_assign_role(user=user, role=extracted or Role.CITIZEN)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = Sequence(lambda n: f"person{n}")
    email = LazyAttribute(lambda user: f"{user.username}@example.org")
    # Verified, as most tests are about what people do once they may; `verified_email=""` makes
    # one who never followed the link.
    verified_email = LazyAttribute(lambda user: user.email)
    password = Password("correct horse battery staple")
    role = PostGeneration(_assign_role)


def district(slug: str = "gangnam-gu") -> District:
    """One of the 25 real districts the migrations load."""
    return District.objects.get(slug=slug)
