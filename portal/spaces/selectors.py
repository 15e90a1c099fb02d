"""Reads of the spaces app: the catalogue, availability, calls, organisations and review totals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.spaces.models import (
    Allocation,
    Application,
    Call,
    Criterion,
    InnovationDistrict,
    Membership,
    Organisation,
    Score,
    Space,
    add_months,
)


@dataclass(frozen=True)
class SpaceFilters:
    innovation_district: InnovationDistrict | None = None
    kind: str = ""
    free_only: bool = False
    people: int | None = None
    available_on: dt.date | None = None


def _seats_taken_on(day: dt.date) -> Subquery:
    taken = (
        Allocation.objects.filter(space=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day)
        .values("space")
        .annotate(total=Sum("seats"))
        .values("total")
    )
    return Subquery(taken, output_field=IntegerField())


def space_catalogue(filters: SpaceFilters | None = None) -> QuerySet[Space]:
    """Published spaces, each with `seats_free` on the day asked for (today by default)."""
    filters = filters or SpaceFilters()
    day = filters.available_on or timezone.localdate()
    spaces = (
        Space.objects.filter(is_published=True)
        .select_related("innovation_district", "innovation_district__district")
        .prefetch_related("photos")
        .annotate(seats_taken=Coalesce(_seats_taken_on(day), Value(0)))
        .annotate(seats_free=F("capacity") - F("seats_taken"))
    )
    if filters.innovation_district is not None:
        spaces = spaces.filter(innovation_district=filters.innovation_district)
    if filters.kind:
        spaces = spaces.filter(kind=filters.kind)
    if filters.free_only:
        spaces = spaces.filter(monthly_fee=0)
    if filters.available_on is not None or filters.people is not None:
        spaces = spaces.filter(available_from__lte=day, available_until__gte=day)
    if filters.people is not None:
        spaces = spaces.filter(seats_free__gte=filters.people)
    return spaces


def space_detail(pk: int) -> Space:
    return (
        Space.objects.filter(is_published=True)
        .select_related("innovation_district", "innovation_district__district")
        .prefetch_related("photos")
        .get(pk=pk)
    )


def space_peak_use(*, space: Space, starts_on: dt.date, ends_on: dt.date) -> int:
    """The most seats taken on any one day from `starts_on` to `ends_on`, both included."""
    changes: dict[dt.date, int] = defaultdict(int)
    for start, end, seats in Allocation.objects.filter(
        space=space, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).values_list("starts_on", "ends_on", "seats"):
        changes[max(start, starts_on)] += seats
        changes[min(end, ends_on) + dt.timedelta(days=1)] -= seats
    peak = running = 0
    for day in sorted(changes):
        running += changes[day]
        peak = max(peak, running)
    return peak


def space_availability(*, space: Space, months: int = 6) -> list[dict[str, Any]]:
    """Free seats in each of the coming months, at the month's busiest day."""
    today = timezone.localdate()
    first = today.replace(day=1)
    rows = []
    for index in range(months):
        start = add_months(first, index)
        end = add_months(first, index + 1) - dt.timedelta(days=1)
        open_from, open_until = max(start, space.available_from), min(end, space.available_until)
        if open_from > open_until:
            rows.append({"month": start, "open": False, "free": 0})
            continue
        peak = space_peak_use(space=space, starts_on=open_from, ends_on=open_until)
        rows.append({"month": start, "open": True, "free": max(space.capacity - peak, 0)})
    return rows


def innovation_districts() -> QuerySet[InnovationDistrict]:
    return InnovationDistrict.objects.select_related("district")


def calls_published() -> QuerySet[Call]:
    return (
        Call.objects.filter(is_published=True)
        .prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk")),
            Prefetch("spaces", queryset=Space.objects.select_related("innovation_district")),
        )
        .order_by("-opens_at")
    )


def calls_open(now: dt.datetime | None = None) -> QuerySet[Call]:
    moment = now or timezone.now()
    return calls_published().filter(opens_at__lte=moment, closes_at__gt=moment)


def organisations_of(user: Any) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def organisation_detail(pk: int) -> Organisation:
    return Organisation.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("user")),
    ).get(pk=pk)


def memberships_with_applications(user: Any) -> QuerySet[Membership]:
    """The user's memberships, each with its organisation and that organisation's applications
    (newest first, with their calls), for the person's own overview."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "organisation__applications",
                queryset=Application.objects.select_related("call").order_by("-created_at"),
            )
        )
        .order_by("organisation__name", "pk")
    )


def applications_of(user: Any) -> QuerySet[Application]:
    """Every application of the organisations the user belongs to."""
    if not user.is_authenticated:
        return Application.objects.none()
    return (
        Application.objects.filter(organisation__memberships__user=user)
        .select_related("call", "organisation")
        .prefetch_related("spaces", "attachments", "allocations__space")
        .order_by("-created_at")
    )


def active_allocations(organisation: Organisation) -> QuerySet[Allocation]:
    """The organisation's allocations that have not ended."""
    return Allocation.objects.filter(
        application__organisation=organisation, ends_on__gte=timezone.localdate()
    ).select_related("space", "space__innovation_district")


@dataclass(frozen=True)
class ReviewTotals:
    """An application's weighted score (0-100) from each reviewer, their mean and spread."""

    by_reviewer: dict[int, float]

    @property
    def mean(self) -> float | None:
        if not self.by_reviewer:
            return None
        return sum(self.by_reviewer.values()) / len(self.by_reviewer)

    @property
    def spread(self) -> float | None:
        if not self.by_reviewer:
            return None
        return max(self.by_reviewer.values()) - min(self.by_reviewer.values())


def review_totals(scores: Iterable[Score]) -> ReviewTotals:
    """Weighted totals of one application from its scores, with their criteria loaded.

    A reviewer's total is the weighted mean of the criteria they scored, scaled to 100.
    """
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for score in scores:
        pair = sums[score.reviewer_id]
        pair[0] += score.score * score.criterion.weight
        pair[1] += score.criterion.weight
    return ReviewTotals(
        by_reviewer={
            reviewer: round(total / weights / Criterion.MAX_SCORE * 100, 1)
            for reviewer, (total, weights) in sums.items()
            if weights
        }
    )


def has_space_now(organisation: Organisation) -> bool:
    return active_allocations(organisation).exists()


def applications_for_call(call: Call) -> QuerySet[Application]:
    return (
        Application.objects.filter(call=call)
        .exclude(status=Application.Status.DRAFT)
        .select_related("organisation")
        .prefetch_related(
            "spaces",
            "allocations__space",
            Prefetch("scores", queryset=Score.objects.select_related("criterion", "reviewer")),
        )
        .order_by("submitted_at", "pk")
    )
