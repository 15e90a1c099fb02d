"""Demo reports: a few problems around the city, some acknowledged, fixed or supported.

Categories come from the reports migrations; this module only adds reports, through the same
services the site uses, and finds them again by description so that a second run adds nothing.
"""

from __future__ import annotations

from django.db import transaction

from portal.models import District, User
from portal.reports.models import Category, Report
from portal.reports.services import report_create, report_status_change, report_support

# (category code, district slug, description, status it is moved to, resolution)
REPORTS: list[tuple[str, str, str, str, str]] = [
    ("road", "gangnam-gu", "횡단보도 앞 보도블록이 깨져서 유모차가 걸립니다.", "open", ""),
    ("streetlight", "gwanak-gu", "골목 가로등이 일주일째 깜빡입니다.", "acknowledged", ""),
    ("waste", "mapo-gu", "주말마다 공원 입구에 쓰레기가 쌓입니다.", "in_progress", ""),
    ("noise", "yongsan-gu", "새벽 2시까지 공사 소음이 납니다.", "open", ""),
    ("device", "jongno-gu", "버스정류장 미세먼지 센서 화면이 꺼져 있습니다.", "closed", "fixed"),
    ("air", "seongdong-gu", "공장 근처에서 매캐한 냄새가 납니다.", "open", ""),
]


def _resident(username: str) -> User:
    user, _created = User.objects.get_or_create(
        username=username, defaults={"email": f"{username}@example.org"}
    )
    return user


@transaction.atomic
def seed_reports() -> int:
    """Add the demo reports not there yet; returns how many reports there are afterwards."""
    districts = {district.slug: district for district in District.objects.all()}
    categories = {category.code: category for category in Category.objects.all()}
    reporter = _resident("demo-reporter")
    neighbour = _resident("demo-neighbour")
    for code, district_slug, description, status, resolution in REPORTS:
        district = districts.get(district_slug)
        category = categories.get(code)
        if district is None or category is None:
            continue
        if Report.objects.filter(description=description).exists():
            continue
        report = report_create(
            reporter=reporter,
            category=category,
            description=description,
            latitude=district.center_latitude,
            longitude=district.center_longitude,
        )
        report_support(report=report, user=neighbour)
        if status == Report.Status.CLOSED:
            report_status_change(
                report=report,
                actor=None,
                status=Report.Status.CLOSED,
                resolution=resolution,
                text="현장 확인 후 교체했습니다.",
            )
        elif status != Report.Status.OPEN:
            report_status_change(
                report=report, actor=None, status=status, text="담당 부서에 전달했습니다."
            )
    return Report.objects.count()
