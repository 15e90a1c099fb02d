"""Demo content of the spaces app: two innovation districts with spaces, an open call with a
rubric, a startup with a submitted application, and a reviewer of the call. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from portal.models import District, User
from portal.roles import Role
from portal.services import user_assign_role
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

DISTRICTS: list[dict[str, Any]] = [
    {
        "key": "magok",
        "district": "gangseo-gu",
        "name_ko": "마곡 리빙랩 혁신지구",
        "name_en": "Magok Living Lab Innovation District",
        "lat": 37.5606,
        "lng": 126.8250,
        "spaces": [
            ("마곡 공유 데스크", "Magok shared desks", Space.Kind.DESK, 20, 0),
            ("마곡 실증 랩", "Magok test lab", Space.Kind.LAB, 6, 300_000),
        ],
    },
    {
        "key": "hongneung",
        "district": "dongdaemun-gu",
        "name_ko": "홍릉 바이오·의료 혁신지구",
        "name_en": "Hongneung Bio and Health Innovation District",
        "lat": 37.5894,
        "lng": 127.0437,
        "spaces": [
            ("홍릉 스타트업 오피스", "Hongneung startup office", Space.Kind.OFFICE, 8, 500_000),
            ("홍릉 거리 테스트베드", "Hongneung street test-bed", Space.Kind.TESTBED, 4, 0),
        ],
    },
]

# The demo call's rubric: each criterion's name, weight and what reviewers look for, in both
# languages.
RUBRIC: list[tuple[str, str, int, str, str]] = [
    (
        "혁신성",
        "Innovation",
        3,
        "기존 서비스와 무엇이 다르며, 도시 문제를 새롭게 푸는가?",
        "What is new against what exists, and does it solve a city problem in a new way?",
    ),
    (
        "실현 가능성",
        "Feasibility",
        2,
        "팀, 일정, 예산으로 입주 기간 안에 실증할 수 있는가?",
        "Can the team test it within its stay, with its people, schedule and budget?",
    ),
    (
        "시민 편익",
        "Benefit to residents",
        2,
        "실증에 참여하는 주민에게 무엇이 좋아지는가?",
        "What gets better for the residents who take part in the pilot?",
    ),
]


def _name(district: District, language: str) -> str:
    with translation.override(language):
        return str(district.name)


def seed_spaces(*, today: dt.date | None = None) -> Call:
    """Create the demo districts, spaces, call, startup and application; returns the call."""
    today = today or timezone.localdate()
    with transaction.atomic(), translation.override("ko"):
        offered = []
        for spec in DISTRICTS:
            innovation, _created = InnovationDistrict.objects.update_or_create(
                name_en=spec["name_en"],
                defaults={
                    "name_ko": spec["name_ko"],
                    "district": District.objects.get(slug=spec["district"]),
                    "latitude": spec["lat"],
                    "longitude": spec["lng"],
                },
            )
            gu_ko, gu_en = _name(innovation.district, "ko"), _name(innovation.district, "en")
            for index, (name_ko, name_en, kind, capacity, fee) in enumerate(spec["spaces"]):
                space, _created = Space.objects.update_or_create(
                    name_en=name_en,
                    defaults={
                        "name_ko": name_ko,
                        "innovation_district": innovation,
                        "kind": kind,
                        "address_ko": f"서울 {gu_ko} 혁신로 {index + 1}",
                        "address_en": f"{index + 1} Hyeoksin-ro, {gu_en}",
                        "latitude": spec["lat"] + 0.002 * index,
                        "longitude": spec["lng"] + 0.002 * index,
                        "capacity": capacity,
                        "amenities_ko": "초고속 인터넷\n회의실\n24시간 출입",
                        "amenities_en": "Fast internet\nMeeting room\nAccess day and night",
                        "available_from": today - dt.timedelta(days=30),
                        "available_until": today + dt.timedelta(days=730),
                        "monthly_fee": fee,
                    },
                )
                offered.append(space)
        call, created = Call.objects.get_or_create(
            title_en="Living lab spaces for startups, first round",
            defaults={
                "title_ko": "스타트업 리빙랩 공간 1차 모집",
                "description_ko": "마곡과 홍릉의 공간에서 실증할 스타트업을 모집합니다.",
                "description_en": "Startups testing ideas from spaces in Magok and Hongneung.",
                "opens_at": timezone.now() - dt.timedelta(days=3),
                "closes_at": timezone.now() + dt.timedelta(days=28),
                "max_years_since_founding": 7,
                "share_comments_with_rejected": True,
            },
        )
        call.spaces.set(offered)
        if created:
            for position, (ko, en, weight, about_ko, about_en) in enumerate(RUBRIC):
                Criterion.objects.create(
                    call=call,
                    name_ko=ko,
                    name_en=en,
                    description_ko=about_ko,
                    description_en=about_en,
                    weight=weight,
                    position=position,
                )
        founder, _created = User.objects.get_or_create(
            username="startup", defaults={"email": "startup@example.org", "first_name": "Demo"}
        )
        organisation = Organisation.objects.filter(registration_number="1248100998").first()
        if organisation is None:
            organisation = services.organisation_register(
                by=founder,
                name="레이더랩",
                registration_number="124-81-00998",
                sector=Organisation.Sector.MOBILITY,
                team_size=4,
                founded_on=today - dt.timedelta(days=700),
                website="https://example.org",
            )
        Membership.objects.get_or_create(
            organisation=organisation, user=founder, defaults={"role": Membership.Role.OWNER}
        )
        if not Application.objects.filter(call=call, organisation=organisation).exists():
            application = services.application_create(
                call=call, organisation=organisation, by=founder
            )
            services.application_update(
                application=application,
                by=founder,
                spaces=[offered[1]],
                move_in=today + dt.timedelta(days=40),
                duration_months=6,
                team_size=3,
                pitch="레이더로 횡단보도 대기 인원을 세어 신호를 조절합니다.",
                pilot_plan="마곡중앙로 횡단보도 두 곳에서 3개월 실증",
            )
            services.application_submit(application=application, by=founder)
    return call


def reviewer_login(*, password: str) -> User:
    """The demo call's reviewer; its password is (re)set each run."""
    reviewer, _created = User.objects.get_or_create(
        username="reviewer", defaults={"email": "reviewer@example.org", "first_name": "Demo"}
    )
    reviewer.set_password(password)
    reviewer.save()
    user_assign_role(user=reviewer, role=Role.REVIEWER)
    for call in Call.objects.filter(title_en="Living lab spaces for startups, first round"):
        call.reviewers.add(reviewer)
        call.managers.add(*User.objects.filter(username="manager"))
    return reviewer
