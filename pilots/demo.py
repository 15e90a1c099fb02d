"""Demo content for pilots as living labs: places, consent texts, rules, areas and a survey.

Called from `portal.livinglab.demo.seed`; idempotent like the rest of the demo.
"""

from __future__ import annotations

from pilots.models import ConsentVersion, EligibilityRule, Pilot, Survey, SurveyQuestion

CONSENT_TEXT = (
    "{title} 시범사업 참여 동의서\n\n"
    "1. 수집 항목: 이름(아이디), 이메일, 거주 자치구, 설문 응답.\n"
    "2. 이용 목적: 시범사업의 효과 평가와 참여자 안내에만 씁니다.\n"
    "3. 보관 기간: 시범사업 종료 후 1년, 또는 참여를 철회하고 삭제를 요청할 때까지.\n"
    "4. 제3자 제공: 협력 기관({partner})에는 개인을 알아볼 수 없는 통계만 제공합니다.\n"
    "5. 언제든지 참여를 철회할 수 있으며, 철회해도 불이익은 없습니다.\n\n"
    "Consent to take part in {title}: we collect your user name, email, home district and "
    "survey answers, use them only to evaluate the pilot and to contact you about it, keep them "
    "for a year after the pilot ends, and share only anonymous statistics with the partner. "
    "You may withdraw at any time."
)

GOALS: dict[str, str] = {
    "smart-crosswalk": (
        "야간 횡단보도 보행자 사고를 30% 줄이고, 보행자가 더 안전하다고 느끼는지 확인합니다."
    ),
    "school-zone-speed": (
        "스쿨존 통과 차량의 평균 속도를 시속 30km 이하로 낮출 수 있는지 시험합니다."
    ),
    "rooftop-solar-sharing": "이웃 간 전력 거래가 가구당 전기요금을 얼마나 줄이는지 측정합니다.",
    "elderly-care-iot": "이상 징후를 24시간 안에 알아채 돌봄 공백을 줄일 수 있는지 확인합니다.",
}

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


def seed_living_lab(pilots: dict[str, Pilot]) -> None:
    for slug, capacity, rules in PLACES:
        pilot = pilots.get(slug)
        if pilot is None:
            continue
        pilot.capacity = capacity
        pilot.goal = GOALS.get(slug, pilot.goal)
        if not pilot.area:
            pilot.area = _square_around(pilot)
        pilot.save(update_fields=["capacity", "goal", "area", "updated_at"])
        ConsentVersion.objects.get_or_create(
            pilot=pilot,
            number=1,
            defaults={"text": CONSENT_TEXT.format(title=pilot.title, partner=pilot.partner or "—")},
        )
        for kind, value in rules:
            EligibilityRule.objects.update_or_create(
                pilot=pilot, kind=kind, defaults={"value": value}
            )
    crosswalk = pilots.get("smart-crosswalk")
    if crosswalk is None:
        return
    survey, created = Survey.objects.get_or_create(
        pilot=crosswalk,
        title="스마트 횡단보도 첫 달 의견",
        defaults={
            "phase": Pilot.Phase.RUNNING,
            "introduction": "한 달 동안 써 보신 느낌을 알려 주세요. 3분이면 충분합니다.",
        },
    )
    if created:
        SurveyQuestion.objects.bulk_create(
            [
                SurveyQuestion(
                    survey=survey,
                    position=1,
                    kind=SurveyQuestion.Kind.RATING,
                    prompt="밤에 길을 건널 때 전보다 안전하다고 느끼십니까?",
                ),
                SurveyQuestion(
                    survey=survey,
                    position=2,
                    kind=SurveyQuestion.Kind.CHOICE,
                    prompt="주로 언제 이 횡단보도를 건너십니까?",
                    choices="아침\n낮\n저녁\n밤",
                ),
                SurveyQuestion(
                    survey=survey,
                    position=3,
                    kind=SurveyQuestion.Kind.TEXT,
                    prompt="바라는 점이 있으면 적어 주세요.",
                    required=False,
                ),
            ]
        )
