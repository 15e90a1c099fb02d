"""Factories of the spaces app: a district with a lab, a startup, an open call with a rubric."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.declarations import LazyFunction, PostGeneration, Sequence, SubFactory
from factory.django import DjangoModelFactory
from pypdf import PdfWriter

from portal.models import User
from portal.spaces import services
from portal.spaces.models import (
    Application,
    Call,
    Criterion,
    InnovationDistrict,
    Membership,
    Organisation,
    Space,
)
from tests.portal.factories import district

# A fixture's maker of shortlisted applications: (team_size=..., to=call, by=manager).
ShortlistedFactory = Callable[..., Application]

# Valid business registration numbers (their check digits match).
VALID_NUMBERS = ["1248100998", "2208162517", "1078155843", "1208147521", "2148700629"]


class InnovationDistrictFactory(DjangoModelFactory[InnovationDistrict]):
    class Meta:
        model = InnovationDistrict

    name = Sequence(lambda n: f"Innovation district {n}")
    district = LazyFunction(lambda: district("gangseo-gu"))
    latitude = 37.5606
    longitude = 126.8250


class SpaceFactory(DjangoModelFactory[Space]):
    class Meta:
        model = Space

    innovation_district = SubFactory(InnovationDistrictFactory)
    name = Sequence(lambda n: f"Lab {n}")
    kind = Space.Kind.LAB
    address = "서울 강서구 마곡중앙로 161"
    latitude = 37.5606
    longitude = 126.8250
    capacity = 4
    available_from = LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    available_until = LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=730))
    monthly_fee = 0


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name = Sequence(lambda n: f"Startup {n}")
    registration_number = Sequence(lambda n: VALID_NUMBERS[n % len(VALID_NUMBERS)])
    sector = Organisation.Sector.MOBILITY
    team_size = 4
    founded_on = LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))


def member(organisation: Organisation, user: User, *, owner: bool = False) -> Membership:
    role = Membership.Role.OWNER if owner else Membership.Role.MEMBER
    membership: Membership = Membership.objects.create(
        organisation=organisation, user=user, role=role
    )
    return membership


def _rubric(call: Call, create: bool, extracted: object, **kwargs: object) -> None:
    """Every call made here has a two-line rubric: innovation counts three times feasibility."""
    if create:
        Criterion.objects.create(call=call, name="Innovation", weight=3, position=1)
        Criterion.objects.create(call=call, name="Feasibility", weight=1, position=2)


class CallFactory(DjangoModelFactory[Call]):
    class Meta:
        model = Call
        skip_postgeneration_save = True

    title = Sequence(lambda n: f"Call {n}")
    opens_at = LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
    max_years_since_founding = 7

    criteria = PostGeneration(_rubric)


def pdf_upload(name: str = "pitch.pdf") -> SimpleUploadedFile:
    """A real one-page PDF, as a browser would upload it."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def submitted_application(
    call: Call, organisation: Organisation, by: User, space: Space, *, team_size: int = 2
) -> Application:
    """An application filled in and submitted through the services, as the page does."""
    application = services.application_create(call=call, organisation=organisation, by=by)
    services.application_update(
        application=application,
        by=by,
        spaces=[space],
        move_in=timezone.localdate() + dt.timedelta(days=30),
        duration_months=6,
        team_size=team_size,
        pitch="We measure crossings with radar.",
        pilot_plan="A radar crosswalk on Magok-ro.",
    )
    return services.application_submit(application=application, by=by)
