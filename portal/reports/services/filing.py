"""Filing reports, from the site, the REST API and Open311 alike, and saying "me too"."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pilots.models import Pilot
from portal.celery import enqueue_on_commit
from portal.models import User
from portal.reports.errors import ReportError
from portal.reports.models import (
    Category,
    CategoryAttribute,
    Open311Key,
    Photo,
    Report,
    ReportUpdate,
    Support,
)
from portal.reports.photos import MAX_PHOTOS, CleanPhoto, photo_clean
from portal.reports.services.geo import district_at, district_named_in, map_cells
from sensors.models import Device

MAX_DESCRIPTION = 4000


def _attributes_clean(category: Category, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the category's questions, checked against their types and lists."""
    cleaned: dict[str, Any] = {}
    for attribute in category.attributes.all():
        value = answers.get(attribute.code)
        if value in (None, "", []):
            if attribute.required and attribute.variable:
                raise ValidationError(
                    _("Please answer: %(question)s"),
                    code=ReportError.ATTRIBUTE_MISSING,
                    params={"question": attribute.description},
                )
            continue
        values = value if isinstance(value, list) else [value]
        keys = attribute.value_keys()
        if attribute.datatype == CategoryAttribute.Datatype.NUMBER:
            try:
                cleaned[attribute.code] = float(values[0])
            except (TypeError, ValueError):
                raise ValidationError(
                    _("%(code)s must be a number."),
                    code=ReportError.ATTRIBUTE_INVALID,
                    params={"code": attribute.code},
                ) from None
        elif attribute.datatype == CategoryAttribute.Datatype.SINGLE:
            if len(values) != 1 or str(values[0]) not in keys:
                raise ValidationError(
                    _("%(code)s must be one of the listed values."),
                    code=ReportError.ATTRIBUTE_INVALID,
                    params={"code": attribute.code},
                )
            cleaned[attribute.code] = str(values[0])
        elif attribute.datatype == CategoryAttribute.Datatype.MULTI:
            if not {str(item) for item in values} <= keys:
                raise ValidationError(
                    _("%(code)s must be among the listed values."),
                    code=ReportError.ATTRIBUTE_INVALID,
                    params={"code": attribute.code},
                )
            cleaned[attribute.code] = [str(item) for item in values]
        else:
            cleaned[attribute.code] = str(values[0])[:1000]
    return cleaned


@transaction.atomic
def report_create(
    *,
    reporter: User | None,
    category: Category,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    address_id: str = "",
    pilot: Pilot | None = None,
    device: Device | None = None,
    photos: Sequence[bytes] = (),
    show_name: bool = False,
    source: str = Report.Source.WEB,
    partner: Open311Key | None = None,
    contact: Mapping[str, str] | None = None,
    media_url: str = "",
    attributes: Mapping[str, Any] | None = None,
) -> Report:
    """File a report; nothing is stored unless every part of it is valid.

    A place comes from `latitude`/`longitude`, or else from an address or address id naming one
    of the city's districts (placed at its centre). The caller has checked that the reporter (or
    the partner app) may report. Photos are raw uploaded bytes. Area alerts go out on commit.
    """
    if not category.active:
        raise ValidationError(
            _("This category is not open for reports."), code=ReportError.CATEGORY_UNKNOWN
        )
    description = description.strip()
    if not description:
        raise ValidationError(
            _("Please describe the problem."), code=ReportError.DESCRIPTION_MISSING
        )
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            _("A description may be at most 4,000 characters."),
            code=ReportError.DESCRIPTION_TOO_LONG,
        )
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(_("At most three photos."), code=ReportError.TOO_MANY_PHOTOS)
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            _("A place needs both latitude and longitude."), code=ReportError.LOCATION_MISSING
        )
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError(
                _("This place is not on Earth."), code=ReportError.LOCATION_OUTSIDE
            )
        district = district_at(latitude=latitude, longitude=longitude)
        if district is None:
            raise ValidationError(
                _("This place is outside the city's districts."),
                code=ReportError.LOCATION_OUTSIDE,
            )
    elif address.strip() or address_id.strip():
        district = district_named_in(address_id.strip() or address)
        if district is None:
            raise ValidationError(
                _("We could not find this address; please pick the place on the map."),
                code=ReportError.ADDRESS_UNKNOWN,
            )
        latitude, longitude = district.center_latitude, district.center_longitude
    else:
        raise ValidationError(
            _("Please pick the place on the map or type an address."),
            code=ReportError.LOCATION_MISSING,
        )
    answers = _attributes_clean(category, attributes or {})
    # Every photo is checked before anything is written, so a bad one stores nothing.
    cleaned: list[CleanPhoto] = [photo_clean(data) for data in photos]

    now = timezone.now()
    contact = contact or {}
    report = Report.objects.create(
        reporter=reporter,
        category=category,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address=address.strip()[:250],
        address_id=address_id.strip()[:100],
        district=district,
        pilot=pilot,
        device=device,
        show_name=show_name,
        source=source,
        partner=partner,
        contact_email=contact.get("email", ""),
        contact_first_name=contact.get("first_name", ""),
        contact_last_name=contact.get("last_name", ""),
        contact_phone=contact.get("phone", ""),
        media_url=media_url,
        attributes=answers,
        created_at=now,
        due_at=now + datetime.timedelta(days=category.target_days),
        **map_cells(latitude=latitude, longitude=longitude),
    )
    for photo in cleaned:
        stored = Photo(report=report, width=photo.width, height=photo.height)
        stored.image.save(photo.image.name or "photo.jpg", photo.image, save=False)
        stored.display.save(photo.display.name or "display.jpg", photo.display, save=False)
        stored.thumbnail.save(photo.thumbnail.name or "thumb.jpg", photo.thumbnail, save=False)
        stored.save()
    ReportUpdate.objects.create(
        report=report, kind=ReportUpdate.Kind.STATUS, status=Report.Status.OPEN, author=reporter
    )
    enqueue_on_commit("portal.reports.tasks.reports_alert_area", report.pk)
    return report


@transaction.atomic
def report_support(*, report: Report, user: User) -> bool:
    """Count the user among the report's supporters ("me too"); False if they already were.

    The caller has checked `permissions.user_may_support`.
    """
    if report.reporter_id == user.pk:
        raise ValidationError(_("You filed this report yourself."), code=ReportError.SUPPORT_OWN)
    if report.status == Report.Status.CLOSED:
        raise ValidationError(_("This report is closed."), code=ReportError.ALREADY_CLOSED)
    _support, created = Support.objects.get_or_create(report=report, user=user)
    if created:
        Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
        report.refresh_from_db(fields=["support_count"])
    return created
