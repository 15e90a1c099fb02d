from __future__ import annotations

import factory

from portal.models import District, User
from portal.roles import Role
from portal.services import user_assign_role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create: bool, extracted: Role | None, **kwargs: object) -> None:
        if create:
            user_assign_role(user=self, role=extracted or Role.CITIZEN)


def district(slug: str = "gangnam-gu") -> District:
    """One of the 25 real districts the migrations load."""
    return District.objects.get(slug=slug)
