"""Realistic demo data: pilots across domains and phases, devices in districts, a week of readings.

Every step is idempotent (natural keys, readings on a fixed time grid with conflicts ignored), so
running the demo twice duplicates nothing. The random generator is seeded per object, so a rerun
places devices where they were.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from pilots.demo import seed_living_lab
from pilots.models import Pilot
from portal import geo
from portal.models import District, User
from portal.reports.models import Report
from portal.roles import Role
from portal.services import districts_sync_seoul, user_assign_role
from sensors.models import Device, Metric, Reading
from sensors.services import rollups_refresh

READING_INTERVAL = timedelta(minutes=30)
HISTORY = timedelta(days=7)
SEOUL_UTC_OFFSET_HOURS = 9

Phase = Pilot.Phase
Domain = Pilot.Domain

# (slug, title, domain, phase, districts, partner, summary)
PILOTS: list[tuple[str, str, str, str, list[str], str, str]] = [
    (
        "smart-crosswalk",
        "스마트 횡단보도",
        Domain.SAFETY,
        Phase.RUNNING,
        ["gangnam-gu", "seocho-gu"],
        "서울디지털재단",
        "보행자를 감지해 신호와 바닥 조명을 조절하는 횡단보도로 야간 보행 사고를 줄입니다.",
    ),
    (
        "air-quality-bus-stops",
        "버스정류장 미세먼지 측정망",
        Domain.ENVIRONMENT,
        Phase.RUNNING,
        ["jongno-gu", "jung-gu", "mapo-gu"],
        "에어센스랩",
        "버스정류장 120곳에 저가형 미세먼지 센서를 달아 시민이 기다리는 곳의 공기를 실시간으로 알립니다.",
    ),
    (
        "school-zone-speed",
        "어린이보호구역 과속 경보",
        Domain.SAFETY,
        Phase.RECRUITING,
        ["nowon-gu", "dobong-gu"],
        "세이프로드",
        "스쿨존에서 과속 차량을 감지해 전광판으로 경고하고, 학부모 의견을 모아 효과를 평가합니다.",
    ),
    (
        "shared-e-scooter-parking",
        "공유 킥보드 전용 주차구역",
        Domain.MOBILITY,
        Phase.EVALUATING,
        ["gwanak-gu", "dongjak-gu"],
        "모빌리티원",
        "지정 주차구역과 반납 인센티브로 보도 위 무단 방치를 줄이는지 시험합니다.",
    ),
    (
        "demand-responsive-bus",
        "수요응답형 마을버스",
        Domain.MOBILITY,
        Phase.RUNNING,
        ["eunpyeong-gu"],
        "셔클",
        "앱으로 호출하면 경로를 바꿔 운행하는 마을버스로 교통 소외 지역의 이동을 돕습니다.",
    ),
    (
        "rooftop-solar-sharing",
        "아파트 옥상 태양광 공유",
        Domain.ENERGY,
        Phase.RECRUITING,
        ["gangdong-gu", "songpa-gu"],
        "햇빛발전협동조합",
        "아파트 옥상 태양광 전력을 이웃과 나누는 P2P 거래를 주민과 함께 시험합니다.",
    ),
    (
        "community-battery",
        "마을 공유 배터리",
        Domain.ENERGY,
        Phase.RUNNING,
        ["seongdong-gu"],
        "에너지큐브",
        "마을 단위 에너지저장장치로 피크 시간 전력 사용을 줄이고 정전 시 비상 전력을 공급합니다.",
    ),
    (
        "heat-shelter-sensors",
        "무더위 쉼터 환경 센서",
        Domain.HEALTH,
        Phase.EVALUATING,
        ["yeongdeungpo-gu", "guro-gu"],
        "서울시 복지정책실",
        "무더위 쉼터의 온도와 이용 인원을 측정해 폭염 대응을 개선합니다.",
    ),
    (
        "noise-map-nightlife",
        "유흥가 소음 지도",
        Domain.ENVIRONMENT,
        Phase.RUNNING,
        ["mapo-gu", "yongsan-gu"],
        "사운드시티",
        "밤거리 소음을 측정해 주민과 상인이 함께 볼 수 있는 소음 지도를 만듭니다.",
    ),
    (
        "smart-bins",
        "스마트 쓰레기통",
        Domain.ENVIRONMENT,
        Phase.SCALED_UP,
        ["jung-gu", "jongno-gu"],
        "클린큐브",
        "채움 정도를 알리는 압축 쓰레기통으로 수거 경로를 최적화합니다. 시범 결과에 따라 확대되었습니다.",
    ),
    (
        "elderly-care-iot",
        "독거 어르신 안심 돌봄",
        Domain.HEALTH,
        Phase.RUNNING,
        ["gangbuk-gu", "seongbuk-gu"],
        "케어링크",
        "전력 사용 패턴으로 이상 징후를 감지해 돌봄 인력에게 알립니다. 본인 동의를 받은 가구만 참여합니다.",
    ),
    (
        "digital-civic-kiosk",
        "주민센터 디지털 민원 키오스크",
        Domain.GOVERNANCE,
        Phase.PROPOSED,
        ["jungnang-gu"],
        "",
        "어르신도 쓰기 쉬운 음성 안내 민원 키오스크를 주민센터에 시범 설치합니다.",
    ),
    (
        "pedestrian-flow-market",
        "전통시장 보행 흐름 분석",
        Domain.MOBILITY,
        Phase.RECRUITING,
        ["dongdaemun-gu"],
        "플로우랩",
        "전통시장 입구의 보행자 수를 세어 상인과 함께 혼잡 시간대 운영을 개선합니다.",
    ),
    (
        "cctv-smart-lighting",
        "안심 골목 스마트 조명",
        Domain.SAFETY,
        Phase.STOPPED,
        ["geumcheon-gu"],
        "라이트웨이",
        "사람이 지나가면 밝아지는 골목 조명을 시험했으나 주민 의견에 따라 중단했습니다.",
    ),
    (
        "ev-curbside-charging",
        "도로변 전기차 충전",
        Domain.ENERGY,
        Phase.EXTENDED,
        ["yangcheon-gu", "gangseo-gu"],
        "차지온",
        "가로등을 활용한 도로변 충전기를 시험했고, 겨울철 자료를 더 모으기 위해 연장되었습니다.",
    ),
    (
        "flood-sensors",
        "저지대 침수 감지",
        Domain.SAFETY,
        Phase.RUNNING,
        ["gangnam-gu", "gwanak-gu"],
        "워터가드",
        "반지하 밀집 지역 도로에 수위 센서를 설치해 폭우 시 주민에게 대피 알림을 보냅니다.",
    ),
    (
        "green-roof-cooling",
        "녹색 지붕 냉방 효과",
        Domain.ENVIRONMENT,
        Phase.PROPOSED,
        ["seodaemun-gu"],
        "그린루프",
        "공공건물 옥상 녹화가 실내 온도와 냉방 에너지에 주는 효과를 측정합니다.",
    ),
    (
        "bike-lane-counters",
        "자전거도로 이용량 측정",
        Domain.MOBILITY,
        Phase.RUNNING,
        ["yeongdeungpo-gu", "mapo-gu"],
        "바이크카운트",
        "한강 자전거도로의 이용량을 세어 신규 노선 계획에 반영합니다.",
    ),
    (
        "indoor-air-daycare",
        "어린이집 실내 공기질",
        Domain.HEALTH,
        Phase.RECRUITING,
        ["songpa-gu", "gwangjin-gu"],
        "키즈에어",
        "어린이집 실내 이산화탄소와 미세먼지를 측정해 환기 안내를 보냅니다.",
    ),
    (
        "open-data-dashboard",
        "구청 열린 데이터 대시보드",
        Domain.GOVERNANCE,
        Phase.EVALUATING,
        ["seocho-gu"],
        "데이터서울",
        "구의 주요 지표를 주민이 직접 볼 수 있는 대시보드를 시범 운영합니다.",
    ),
]

# How many devices of each kind the demo places, and what each kind measures.
DEVICE_PLAN: list[tuple[str, int, list[str]]] = [
    (Device.Kind.AIR_QUALITY, 40, ["pm10", "pm25"]),
    (Device.Kind.WEATHER, 25, ["temperature", "humidity"]),
    (Device.Kind.NOISE, 20, ["noise"]),
    (Device.Kind.PEDESTRIAN_COUNTER, 5, []),
    (Device.Kind.VEHICLE_COUNTER, 4, []),
    (Device.Kind.ENERGY_METER, 4, []),
    (Device.Kind.BATTERY, 2, []),
]

# Which demo pilot each kind of device is lent to, where it has one.
PILOT_FOR_KIND: dict[str, str] = {
    Device.Kind.AIR_QUALITY: "air-quality-bus-stops",
    Device.Kind.NOISE: "noise-map-nightlife",
    Device.Kind.PEDESTRIAN_COUNTER: "pedestrian-flow-market",
    Device.Kind.VEHICLE_COUNTER: "school-zone-speed",
    Device.Kind.ENERGY_METER: "elderly-care-iot",
    Device.Kind.BATTERY: "community-battery",
}

REPORTS: list[tuple[str, str, str]] = [
    (Report.Category.ROAD, "gangnam-gu", "횡단보도 앞 보도블록이 깨져서 유모차가 걸립니다."),
    (Report.Category.STREETLIGHT, "gwanak-gu", "골목 가로등이 일주일째 깜빡입니다."),
    (Report.Category.WASTE, "mapo-gu", "주말마다 공원 입구에 쓰레기가 쌓입니다."),
    (Report.Category.NOISE, "yongsan-gu", "새벽 2시까지 공사 소음이 납니다."),
    (Report.Category.DEVICE, "jongno-gu", "버스정류장 미세먼지 센서 화면이 꺼져 있습니다."),
    (Report.Category.AIR, "seongdong-gu", "공장 근처에서 매캐한 냄새가 납니다."),
]


@dataclass(frozen=True)
class DemoResult:
    districts: int
    pilots: int
    devices: int
    readings_added: int
    reports: int


def seed(*, now: datetime | None = None) -> DemoResult:
    """Create or refresh the demo data; returns what there is afterwards.

    `now` places the week of readings and the pilots' dates; two runs given the same `now` find
    nothing to add the second time.
    """
    now = now or timezone.now()
    districts = districts_sync_seoul()
    with transaction.atomic():
        pilots = _seed_pilots(today=timezone.localdate(now))
        seed_living_lab(pilots)
        devices = _seed_devices(pilots)
        reports = _seed_reports()
    readings_added = _seed_readings(devices, now=now)
    return DemoResult(
        districts=districts,
        pilots=len(pilots),
        devices=len(devices),
        readings_added=readings_added,
        reports=reports,
    )


def manager_login(*, password: str) -> User:
    """The demo's pilot manager, managing every demo pilot; its password is (re)set each run."""
    manager, _created = User.objects.get_or_create(
        username="manager", defaults={"email": "manager@example.org", "first_name": "Demo"}
    )
    manager.set_password(password)
    manager.save()
    user_assign_role(user=manager, role=Role.PILOT_MANAGER)
    for pilot in Pilot.objects.filter(slug__in=[row[0] for row in PILOTS]):
        pilot.managers.add(manager)
    return manager


def _seed_pilots(*, today: date) -> dict[str, Pilot]:
    districts = {district.slug: district for district in District.objects.all()}
    pilots: dict[str, Pilot] = {}
    for index, (slug, title, domain, phase, district_slugs, partner, summary) in enumerate(PILOTS):
        start = _start_date(today, phase, index)
        described = {"title": title, "domain": domain, "partner": partner, "summary": summary}
        pilot, _created = Pilot.objects.update_or_create(
            slug=slug,
            defaults=described,
            # Phase and dates are only where a pilot starts: a manager moves it on from there, and
            # running the demo again must not undo that.
            create_defaults={
                **described,
                "phase": phase,
                "start_date": start,
                "end_date": start + timedelta(days=180 + 30 * (index % 6)) if start else None,
            },
        )
        pilot.districts.set([districts[name] for name in district_slugs])
        pilots[slug] = pilot
    return pilots


def _start_date(today: date, phase: str, index: int) -> date | None:
    if phase == Phase.PROPOSED:
        return None
    if phase == Phase.RECRUITING:
        return today + timedelta(days=14 + index)
    months_ago: dict[str, int] = {Phase.RUNNING: 3, Phase.EVALUATING: 7, Phase.STOPPED: 8}
    return today - timedelta(days=30 * months_ago.get(phase, 12) + index)


def _seed_devices(pilots: dict[str, Pilot]) -> list[tuple[Device, list[Metric]]]:
    metrics = {metric.code: metric for metric in Metric.objects.all()}
    districts = list(District.objects.order_by("code"))
    devices: list[tuple[Device, list[Metric]]] = []
    for kind, count, metric_codes in DEVICE_PLAN:
        pilot = pilots.get(PILOT_FOR_KIND.get(kind, ""))
        pilot_districts = list(pilot.districts.order_by("code")) if pilot else []
        for number in range(1, count + 1):
            # Pilot devices stand in the pilot's districts; the rest spread over the whole city.
            pool = pilot_districts if pilot_districts and number % 2 == 0 else districts
            district = pool[(number * 7) % len(pool)]
            name = f"{district.slug}-{kind.replace('_', '-')}-{number:02d}"
            rng = random.Random(name)  # noqa: S311 - demo placement, not security.
            latitude, longitude = _point_in(district, rng)
            device, _created = Device.objects.update_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "district": district,
                    "pilot": pilot if pool is pilot_districts else None,
                    "latitude": latitude,
                    "longitude": longitude,
                    "visibility": Device.Visibility.PUBLIC,
                    "status": Device.Status.ACTIVE,
                },
            )
            devices.append((device, [metrics[code] for code in metric_codes]))
    return devices


def _point_in(district: District, rng: random.Random) -> tuple[float, float]:
    """A random point inside the district's boundary (its centre if none is found)."""
    min_lon, min_lat, max_lon, max_lat = geo.bounding_box(district.boundary)
    for _attempt in range(200):
        latitude, longitude = rng.uniform(min_lat, max_lat), rng.uniform(min_lon, max_lon)
        if geo.contains(district.boundary, latitude=latitude, longitude=longitude):
            return round(latitude, 6), round(longitude, 6)
    return district.center_latitude, district.center_longitude


@transaction.atomic
def _seed_readings(devices: list[tuple[Device, list[Metric]]], *, now: datetime) -> int:
    """A week of readings on a 30-minute grid; rows already there are left as they are."""
    end = _floor(now, READING_INTERVAL)
    times = [end - READING_INTERVAL * step for step in range(int(HISTORY / READING_INTERVAL))]
    before = Reading.objects.count()
    for device, metrics in devices:
        rows = [
            Reading(
                device=device,
                metric=metric,
                time=time,
                value=demo_value(metric.code, time, device.pk),
            )
            for metric in metrics
            for time in times
        ]
        if not rows:
            continue
        Reading.objects.bulk_create(rows, batch_size=2_000, ignore_conflicts=True)
        # Charts read rollups, never raw rows: the seeded week needs them too.
        rollups_refresh(
            device_id=device.pk,
            metric_ids=[metric.pk for metric in metrics],
            start=times[-1],
            end=end,
        )
        Device.objects.filter(pk=device.pk).update(last_seen_at=end)
    return Reading.objects.count() - before


def _floor(moment: datetime, step: timedelta) -> datetime:
    seconds = int(step.total_seconds())
    return datetime.fromtimestamp(int(moment.timestamp()) // seconds * seconds, tz=moment.tzinfo)


def demo_value(metric: str, time: datetime, device_id: int) -> float:
    """A plausible value with Seoul's daily rhythm: rush-hour dust and noise, afternoon heat."""
    hour = (time.hour + SEOUL_UTC_OFFSET_HOURS + time.minute / 60) % 24
    rng = random.Random(f"{metric}:{device_id}:{time.isoformat()}")  # noqa: S311 - demo values.
    rush = math.exp(-((hour - 8.5) ** 2) / 3) + math.exp(-((hour - 18.5) ** 2) / 4)
    day = math.sin((hour - 9) / 24 * 2 * math.pi)  # Peaks mid-afternoon, lowest before dawn.
    # A dust event over two days of the week lifts every station a little.
    dusty = 1.6 if time.toordinal() % 7 in {2, 3} else 1.0
    values: dict[str, Any] = {
        "pm25": (14 + 16 * rush + rng.gauss(0, 4)) * dusty,
        "pm10": (28 + 30 * rush + rng.gauss(0, 7)) * dusty,
        "temperature": 6 + 5 * day + rng.gauss(0, 0.6),
        "humidity": 58 - 14 * day + rng.gauss(0, 3),
        "noise": 48 + 16 * rush + 6 * (1 if 7 <= hour <= 23 else 0) + rng.gauss(0, 2.5),
    }
    value = float(values[metric])
    low = 0.0 if metric != "noise" else 25.0
    high = 100.0 if metric == "humidity" else 1_000.0
    return round(min(max(value, low), high), 1)


def _seed_reports() -> int:
    districts = {district.slug: district for district in District.objects.all()}
    for category, district_slug, description in REPORTS:
        district = districts[district_slug]
        Report.objects.get_or_create(
            description=description,
            defaults={
                "category": category,
                "district": district,
                "latitude": district.center_latitude,
                "longitude": district.center_longitude,
            },
        )
    return Report.objects.count()
