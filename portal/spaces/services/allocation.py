"""Giving seats in a space to an accepted application, never beyond the space's capacity."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from portal.spaces.errors import SpacesError
from portal.spaces.models import Allocation, Application, Space
from portal.spaces.selectors import space_peak_use


@transaction.atomic
def allocation_create(
    *,
    application: Application,
    space: Space | None,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    seats: int | None,
) -> Allocation:
    """Allocate `seats` in `space` from `starts_on` to `ends_on`, both included.

    The space's row stays locked until the caller's transaction ends, so two decisions on the same
    space run one after the other and the second sees the first's seats.
    """
    if space is None or starts_on is None or ends_on is None or not seats:
        raise ValidationError(
            _("Say which space, from when, until when and for how many people."),
            code=SpacesError.ALLOCATION_DATES,
        )
    locked = Space.objects.select_for_update().get(pk=space.pk)
    if ends_on < starts_on or starts_on < locked.available_from or ends_on > locked.available_until:
        raise ValidationError(
            _("%(space)s can be allocated from %(start)s to %(end)s only.")
            % {"space": locked.name, "start": locked.available_from, "end": locked.available_until},
            code=SpacesError.ALLOCATION_DATES,
        )
    peak = space_peak_use(space=locked, starts_on=starts_on, ends_on=ends_on)
    if peak + seats > locked.capacity:
        raise ValidationError(
            _(
                "%(space)s has room for %(capacity)s; with %(taken)s seats already taken on its "
                "busiest day in that period, %(seats)s more would not fit."
            )
            % {"space": locked.name, "capacity": locked.capacity, "taken": peak, "seats": seats},
            code=SpacesError.OVER_CAPACITY,
        )
    return Allocation.objects.create(
        application=application, space=locked, starts_on=starts_on, ends_on=ends_on, seats=seats
    )


def space_change_check(
    *, space: Space, capacity: int, available_from: dt.date, available_until: dt.date
) -> None:
    """Refuse a capacity or dates for a space that its allocations would no longer fit.

    The space's row is locked as allocating locks it, so that no decision slips in between this
    check and the caller saving the change; the caller holds the transaction that saves it.
    """
    locked = Space.objects.select_for_update().get(pk=space.pk)
    allocations = Allocation.objects.filter(space=locked)
    outside = allocations.filter(
        models.Q(starts_on__lt=available_from) | models.Q(ends_on__gt=available_until)
    ).order_by("starts_on")
    errors: dict[str, ValidationError] = {}
    first_outside = outside.first()
    if first_outside is not None:
        errors[
            "available_from" if first_outside.starts_on < available_from else "available_until"
        ] = ValidationError(
            _("An allocation runs from %(start)s to %(end)s; the dates must include it.")
            % {"start": first_outside.starts_on, "end": first_outside.ends_on},
            code=SpacesError.ALLOCATION_DATES,
        )
    span = allocations.aggregate(first=models.Min("starts_on"), last=models.Max("ends_on"))
    if span["first"] is not None:
        peak = space_peak_use(space=locked, starts_on=span["first"], ends_on=span["last"])
        if peak > capacity:
            errors["capacity"] = ValidationError(
                _("%(seats)s seats are allocated on the busiest day; the capacity cannot be less.")
                % {"seats": peak},
                code=SpacesError.OVER_CAPACITY,
            )
    if errors:
        raise ValidationError(errors)
