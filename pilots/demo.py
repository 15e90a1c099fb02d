"""The demo's pilots, in Korean and English: their places, consent texts, rules, areas and a survey.

Called from `portal.livinglab.demo.seed`, after the districts exist. Idempotent like the rest of
the demo: pilots are found again by slug, and a second run adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from pilots.models import ConsentVersion, EligibilityRule, Pilot, Survey, SurveyQuestion
from portal.models import District, User

Phase = Pilot.Phase
Domain = Pilot.Domain

# A text in Korean and in English.
KoEn = tuple[str, str]


@dataclass(frozen=True)
class DemoPilot:
    slug: str
    title: KoEn
    domain: str
    phase: str
    districts: list[str]
    partner: KoEn
    summary: KoEn


PILOTS: list[DemoPilot] = [
    DemoPilot(
        "smart-crosswalk",
        ("스마트 횡단보도", "Smart crosswalks"),
        Domain.SAFETY,
        Phase.RUNNING,
        ["gangnam-gu", "seocho-gu"],
        ("서울디지털재단", "Seoul Digital Foundation"),
        (
            "보행자를 감지해 신호와 바닥 조명을 조절하는 횡단보도로 야간 보행 사고를 줄입니다.",
            "Crosswalks that sense pedestrians and adjust the signals and floor lights, to cut "
            "pedestrian accidents at night.",
        ),
    ),
    DemoPilot(
        "air-quality-bus-stops",
        ("버스정류장 미세먼지 측정망", "Fine-dust sensors at bus stops"),
        Domain.ENVIRONMENT,
        Phase.RUNNING,
        ["jongno-gu", "jung-gu", "mapo-gu"],
        ("에어센스랩", "AirSense Lab"),
        (
            "버스정류장 120곳에 저가형 미세먼지 센서를 달아 시민이 기다리는 곳의 공기를 "
            "실시간으로 알립니다.",
            "Low-cost fine-dust sensors at 120 bus stops tell residents, as it happens, what the "
            "air is like where they wait.",
        ),
    ),
    DemoPilot(
        "school-zone-speed",
        ("어린이보호구역 과속 경보", "Speed warnings in school zones"),
        Domain.SAFETY,
        Phase.RECRUITING,
        ["nowon-gu", "dobong-gu"],
        ("세이프로드", "SafeRoad"),
        (
            "스쿨존에서 과속 차량을 감지해 전광판으로 경고하고, 학부모 의견을 모아 효과를 "
            "평가합니다.",
            "Electronic signs warn speeding drivers in school zones; parents' views help judge "
            "whether it works.",
        ),
    ),
    DemoPilot(
        "shared-e-scooter-parking",
        ("공유 킥보드 전용 주차구역", "Parking bays for shared e-scooters"),
        Domain.MOBILITY,
        Phase.EVALUATING,
        ["gwanak-gu", "dongjak-gu"],
        ("모빌리티원", "Mobility One"),
        (
            "지정 주차구역과 반납 인센티브로 보도 위 무단 방치를 줄이는지 시험합니다.",
            "Tests whether marked parking bays and a reward for returning scooters there keep "
            "pavements clear.",
        ),
    ),
    DemoPilot(
        "demand-responsive-bus",
        ("수요응답형 마을버스", "Village bus on demand"),
        Domain.MOBILITY,
        Phase.RUNNING,
        ["eunpyeong-gu"],
        ("셔클", "Shucle"),
        (
            "앱으로 호출하면 경로를 바꿔 운행하는 마을버스로 교통 소외 지역의 이동을 돕습니다.",
            "A village bus that changes its route when called from an app, for neighbourhoods "
            "that buses and trains pass by.",
        ),
    ),
    DemoPilot(
        "rooftop-solar-sharing",
        ("아파트 옥상 태양광 공유", "Sharing rooftop solar power"),
        Domain.ENERGY,
        Phase.RECRUITING,
        ["gangdong-gu", "songpa-gu"],
        ("햇빛발전협동조합", "Sunlight Power Cooperative"),
        (
            "아파트 옥상 태양광 전력을 이웃과 나누는 P2P 거래를 주민과 함께 시험합니다.",
            "Residents try trading the power of their apartment block's rooftop solar panels "
            "with their neighbours.",
        ),
    ),
    DemoPilot(
        "community-battery",
        ("마을 공유 배터리", "Neighbourhood battery"),
        Domain.ENERGY,
        Phase.RUNNING,
        ["seongdong-gu"],
        ("에너지큐브", "Energy Cube"),
        (
            "마을 단위 에너지저장장치로 피크 시간 전력 사용을 줄이고 정전 시 비상 전력을 "
            "공급합니다.",
            "A battery shared by the neighbourhood lowers power use at peak hours and keeps the "
            "lights on in a power cut.",
        ),
    ),
    DemoPilot(
        "heat-shelter-sensors",
        ("무더위 쉼터 환경 센서", "Sensors in heat-wave shelters"),
        Domain.HEALTH,
        Phase.EVALUATING,
        ["yeongdeungpo-gu", "guro-gu"],
        ("서울시 복지정책실", "Seoul Welfare Policy Office"),
        (
            "무더위 쉼터의 온도와 이용 인원을 측정해 폭염 대응을 개선합니다.",
            "Measures the temperature and the number of visitors in heat-wave shelters to "
            "improve how the city copes with heat.",
        ),
    ),
    DemoPilot(
        "noise-map-nightlife",
        ("유흥가 소음 지도", "Night-time noise map"),
        Domain.ENVIRONMENT,
        Phase.RUNNING,
        ["mapo-gu", "yongsan-gu"],
        ("사운드시티", "Sound City"),
        (
            "밤거리 소음을 측정해 주민과 상인이 함께 볼 수 있는 소음 지도를 만듭니다.",
            "Measures street noise at night for a map that residents and shopkeepers can read "
            "together.",
        ),
    ),
    DemoPilot(
        "smart-bins",
        ("스마트 쓰레기통", "Smart bins"),
        Domain.ENVIRONMENT,
        Phase.SCALED_UP,
        ["jung-gu", "jongno-gu"],
        ("클린큐브", "CleanCube"),
        (
            "채움 정도를 알리는 압축 쓰레기통으로 수거 경로를 최적화합니다. 시범 결과에 따라 "
            "확대되었습니다.",
            "Compacting bins that report how full they are make collection rounds shorter. "
            "Scaled up after the pilot's results.",
        ),
    ),
    DemoPilot(
        "elderly-care-iot",
        ("독거 어르신 안심 돌봄", "Care for older people living alone"),
        Domain.HEALTH,
        Phase.RUNNING,
        ["gangbuk-gu", "seongbuk-gu"],
        ("케어링크", "CareLink"),
        (
            "전력 사용 패턴으로 이상 징후를 감지해 돌봄 인력에게 알립니다. 본인 동의를 받은 "
            "가구만 참여합니다.",
            "Unusual patterns in a home's electricity use alert care workers. Only households "
            "that have agreed take part.",
        ),
    ),
    DemoPilot(
        "digital-civic-kiosk",
        ("주민센터 디지털 민원 키오스크", "Civil-service kiosks at community centres"),
        Domain.GOVERNANCE,
        Phase.PROPOSED,
        ["jungnang-gu"],
        ("", ""),
        (
            "어르신도 쓰기 쉬운 음성 안내 민원 키오스크를 주민센터에 시범 설치합니다.",
            "Kiosks with spoken guidance, easy for older residents to use, are tried out at "
            "community service centres.",
        ),
    ),
    DemoPilot(
        "pedestrian-flow-market",
        ("전통시장 보행 흐름 분석", "Footfall at a traditional market"),
        Domain.MOBILITY,
        Phase.RECRUITING,
        ["dongdaemun-gu"],
        ("플로우랩", "FlowLab"),
        (
            "전통시장 입구의 보행자 수를 세어 상인과 함께 혼잡 시간대 운영을 개선합니다.",
            "Counts people at the market's entrances so that traders can plan the busiest "
            "hours together.",
        ),
    ),
    DemoPilot(
        "cctv-smart-lighting",
        ("안심 골목 스마트 조명", "Smart lighting for safer alleys"),
        Domain.SAFETY,
        Phase.STOPPED,
        ["geumcheon-gu"],
        ("라이트웨이", "LightWay"),
        (
            "사람이 지나가면 밝아지는 골목 조명을 시험했으나 주민 의견에 따라 중단했습니다.",
            "Alley lights that brighten as someone passes were tried, then stopped after "
            "residents said what they thought.",
        ),
    ),
    DemoPilot(
        "ev-curbside-charging",
        ("도로변 전기차 충전", "Kerbside charging for electric cars"),
        Domain.ENERGY,
        Phase.EXTENDED,
        ["yangcheon-gu", "gangseo-gu"],
        ("차지온", "ChargeOn"),
        (
            "가로등을 활용한 도로변 충전기를 시험했고, 겨울철 자료를 더 모으기 위해 "
            "연장되었습니다.",
            "Chargers built into street lights were tried at the kerbside; the pilot was "
            "extended to gather more data over the winter.",
        ),
    ),
    DemoPilot(
        "flood-sensors",
        ("저지대 침수 감지", "Flood sensors in low-lying streets"),
        Domain.SAFETY,
        Phase.RUNNING,
        ["gangnam-gu", "gwanak-gu"],
        ("워터가드", "WaterGuard"),
        (
            "반지하 밀집 지역 도로에 수위 센서를 설치해 폭우 시 주민에게 대피 알림을 보냅니다.",
            "Water-level sensors in streets lined with semi-basement homes warn residents to "
            "leave when heavy rain comes.",
        ),
    ),
    DemoPilot(
        "green-roof-cooling",
        ("녹색 지붕 냉방 효과", "Cooling by green roofs"),
        Domain.ENVIRONMENT,
        Phase.PROPOSED,
        ["seodaemun-gu"],
        ("그린루프", "Green Roof"),
        (
            "공공건물 옥상 녹화가 실내 온도와 냉방 에너지에 주는 효과를 측정합니다.",
            "Measures how planted roofs on public buildings change indoor temperatures and the "
            "energy spent on cooling.",
        ),
    ),
    DemoPilot(
        "bike-lane-counters",
        ("자전거도로 이용량 측정", "Counting cyclists on bike paths"),
        Domain.MOBILITY,
        Phase.RUNNING,
        ["yeongdeungpo-gu", "mapo-gu"],
        ("바이크카운트", "BikeCount"),
        (
            "한강 자전거도로의 이용량을 세어 신규 노선 계획에 반영합니다.",
            "Counts the cyclists on the Han River bike paths to help plan new routes.",
        ),
    ),
    DemoPilot(
        "indoor-air-daycare",
        ("어린이집 실내 공기질", "Indoor air in daycare centres"),
        Domain.HEALTH,
        Phase.RECRUITING,
        ["songpa-gu", "gwangjin-gu"],
        ("키즈에어", "KidsAir"),
        (
            "어린이집 실내 이산화탄소와 미세먼지를 측정해 환기 안내를 보냅니다.",
            "Measures carbon dioxide and fine dust inside daycare centres and says when to let "
            "fresh air in.",
        ),
    ),
    DemoPilot(
        "open-data-dashboard",
        ("구청 열린 데이터 대시보드", "The district's open data dashboard"),
        Domain.GOVERNANCE,
        Phase.EVALUATING,
        ["seocho-gu"],
        ("데이터서울", "Data Seoul"),
        (
            "구의 주요 지표를 주민이 직접 볼 수 있는 대시보드를 시범 운영합니다.",
            "A dashboard where residents can follow the district's main figures for themselves.",
        ),
    ),
]

GOALS: dict[str, KoEn] = {
    "smart-crosswalk": (
        "야간 횡단보도 보행자 사고를 30% 줄이고, 보행자가 더 안전하다고 느끼는지 확인합니다.",
        "Cut pedestrian accidents at crosswalks at night by 30%, and find out whether "
        "pedestrians feel safer.",
    ),
    "school-zone-speed": (
        "스쿨존 통과 차량의 평균 속도를 시속 30km 이하로 낮출 수 있는지 시험합니다.",
        "Find out whether the average speed of cars through school zones can be brought "
        "down to 30 km/h or less.",
    ),
    "rooftop-solar-sharing": (
        "이웃 간 전력 거래가 가구당 전기요금을 얼마나 줄이는지 측정합니다.",
        "Measure how much trading power between neighbours lowers each household's "
        "electricity bill.",
    ),
    "elderly-care-iot": (
        "이상 징후를 24시간 안에 알아채 돌봄 공백을 줄일 수 있는지 확인합니다.",
        "Find out whether noticing warning signs within 24 hours closes gaps in care.",
    ),
}

CONSENT_TEXT: KoEn = (
    "{title} 시범사업 참여 동의서\n\n"
    "1. 수집 항목: 이름(아이디), 이메일, 거주 자치구, 설문 응답.\n"
    "2. 이용 목적: 시범사업의 효과 평가와 참여자 안내에만 씁니다.\n"
    "3. 보관 기간: 시범사업 종료 후 1년, 또는 참여를 철회하고 삭제를 요청할 때까지.\n"
    "4. 제3자 제공: 협력 기관({partner})에는 개인을 알아볼 수 없는 통계만 제공합니다.\n"
    "5. 언제든지 참여를 철회할 수 있으며, 철회해도 불이익은 없습니다.",
    "Consent to take part in the pilot “{title}”\n\n"
    "1. What we collect: your name (user name), email, home district and survey answers.\n"
    "2. What for: only to evaluate the pilot and to keep its participants informed.\n"
    "3. How long: for a year after the pilot ends, or until you withdraw and ask us to delete "
    "it.\n"
    "4. Who else sees it: the partner organisation ({partner}) receives only statistics in which "
    "nobody can be recognised.\n"
    "5. You may withdraw at any time, and withdrawing costs you nothing.",
)

# (slug, capacity, rules as (kind, value)); a small capacity on one pilot shows the waiting list.
PLACES: list[tuple[str, int | None, list[tuple[str, int | None]]]] = [
    ("smart-crosswalk", 40, [(EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS, None)]),
    (
        "school-zone-speed",
        2,
        [
            (EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS, None),
            (EligibilityRule.Kind.MINIMUM_AGE, 19),
        ],
    ),
    ("rooftop-solar-sharing", 25, [(EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS, None)]),
    ("elderly-care-iot", 60, [(EligibilityRule.Kind.MINIMUM_AGE, 65)]),
    ("air-quality-bus-stops", None, []),
    ("demand-responsive-bus", 80, []),
    ("pedestrian-flow-market", 30, []),
    ("indoor-air-daycare", 20, []),
]

SURVEY_TITLE: KoEn = ("스마트 횡단보도 첫 달 의견", "Smart crosswalks: your first month")
SURVEY_INTRODUCTION: KoEn = (
    "한 달 동안 써 보신 느낌을 알려 주세요. 3분이면 충분합니다.",
    "Tell us how the first month went for you. It takes three minutes.",
)
# (position, kind, prompt, choices one per line, required)
SURVEY_QUESTIONS: list[tuple[int, str, KoEn, KoEn, bool]] = [
    (
        1,
        SurveyQuestion.Kind.RATING,
        (
            "밤에 길을 건널 때 전보다 안전하다고 느끼십니까?",
            "Do you feel safer than before when you cross at night?",
        ),
        ("", ""),
        True,
    ),
    (
        2,
        SurveyQuestion.Kind.CHOICE,
        ("주로 언제 이 횡단보도를 건너십니까?", "When do you usually use this crosswalk?"),
        ("아침\n낮\n저녁\n밤", "Morning\nDaytime\nEvening\nNight"),
        True,
    ),
    (
        3,
        SurveyQuestion.Kind.TEXT,
        ("바라는 점이 있으면 적어 주세요.", "Is there anything you would like us to change?"),
        ("", ""),
        False,
    ),
]


def both(field: str, text: KoEn) -> dict[str, str]:
    """A translated field's columns set to a Korean and an English text."""
    korean, english = text
    return {f"{field}_ko": korean, f"{field}_en": english}


def seed_pilots(*, today: date) -> dict[str, Pilot]:
    """Create or refresh the demo's pilots, by slug; `today` places their dates."""
    districts = {district.slug: district for district in District.objects.all()}
    pilots: dict[str, Pilot] = {}
    for index, demo in enumerate(PILOTS):
        start = _start_date(today, demo.phase, index)
        described: dict[str, Any] = {
            "domain": demo.domain,
            **both("title", demo.title),
            **both("partner", demo.partner),
            **both("summary", demo.summary),
        }
        pilot, _created = Pilot.objects.update_or_create(
            slug=demo.slug,
            defaults=described,
            # Phase and dates are only where a pilot starts: a manager moves it on from there, and
            # running the demo again must not undo that.
            create_defaults={
                **described,
                "phase": demo.phase,
                "start_date": start,
                "end_date": start + timedelta(days=180 + 30 * (index % 6)) if start else None,
            },
        )
        pilot.districts.set([districts[name] for name in demo.districts])
        pilots[demo.slug] = pilot
    _seed_living_lab(pilots)
    return pilots


def managers_add(*, manager: User) -> None:
    """Make `manager` a manager of every demo pilot."""
    for pilot in Pilot.objects.filter(slug__in=[demo.slug for demo in PILOTS]):
        pilot.managers.add(manager)


def _start_date(today: date, phase: str, index: int) -> date | None:
    if phase == Phase.PROPOSED:
        return None
    if phase == Phase.RECRUITING:
        return today + timedelta(days=14 + index)
    months_ago: dict[str, int] = {Phase.RUNNING: 3, Phase.EVALUATING: 7, Phase.STOPPED: 8}
    return today - timedelta(days=30 * months_ago.get(phase, 12) + index)


def _square_around(pilot: Pilot, half_size: float = 0.006) -> dict[str, object]:
    district = pilot.districts.order_by("code").first()
    if district is None:
        return {}
    lat, lon = district.center_latitude, district.center_longitude
    ring = [
        [round(lon - half_size, 6), round(lat - half_size * 0.8, 6)],
        [round(lon + half_size, 6), round(lat - half_size * 0.8, 6)],
        [round(lon + half_size * 1.2, 6), round(lat + half_size * 0.6, 6)],
        [round(lon - half_size * 0.7, 6), round(lat + half_size, 6)],
        [round(lon - half_size, 6), round(lat - half_size * 0.8, 6)],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def _consent_texts(demo: DemoPilot) -> KoEn:
    korean, english = CONSENT_TEXT
    return (
        korean.format(title=demo.title[0], partner=demo.partner[0] or "—"),
        english.format(title=demo.title[1], partner=demo.partner[1] or "—"),
    )


def _seed_living_lab(pilots: dict[str, Pilot]) -> None:
    """Places, goals, areas, consent texts and rules; and a survey on the crosswalk pilot."""
    demos = {demo.slug: demo for demo in PILOTS}
    for slug, capacity, rules in PLACES:
        pilot = pilots.get(slug)
        if pilot is None:
            continue
        pilot.capacity = capacity
        if slug in GOALS:
            for column, goal in both("goal", GOALS[slug]).items():
                setattr(pilot, column, goal)
        if not pilot.area:
            pilot.area = _square_around(pilot)
        pilot.save(update_fields=["capacity", "goal_ko", "goal_en", "area", "updated_at"])
        ConsentVersion.objects.get_or_create(
            pilot=pilot, number=1, defaults=both("text", _consent_texts(demos[slug]))
        )
        for kind, value in rules:
            EligibilityRule.objects.update_or_create(
                pilot=pilot, kind=kind, defaults={"value": value}
            )
    crosswalk = pilots.get("smart-crosswalk")
    if crosswalk is not None:
        _seed_survey(crosswalk)


def _seed_survey(pilot: Pilot) -> None:
    korean_title, _english = SURVEY_TITLE
    survey, _created = Survey.objects.update_or_create(
        pilot=pilot,
        title_ko=korean_title,
        defaults={**both("title", SURVEY_TITLE), **both("introduction", SURVEY_INTRODUCTION)},
        create_defaults={
            "phase": Pilot.Phase.RUNNING,
            **both("title", SURVEY_TITLE),
            **both("introduction", SURVEY_INTRODUCTION),
        },
    )
    for position, kind, prompt, choices, required in SURVEY_QUESTIONS:
        SurveyQuestion.objects.update_or_create(
            survey=survey,
            position=position,
            defaults={
                "kind": kind,
                "required": required,
                **both("prompt", prompt),
                **both("choices", choices),
            },
        )
