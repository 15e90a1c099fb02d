"""Turn the old fixed categories into rows of Category, and give every report its token.

Holds its own copy of the categories as they were (codes, Korean and English names, targets), so
later changes to the app's code never change what this migration did.
"""

import datetime
import uuid

from django.db import migrations

# (code, Korean name, English name, target days, sensitive, order)
CATEGORIES = [
    ("road", "도로·보도 파손", "Road or pavement damage", 7, False, 10),
    ("streetlight", "가로등 고장", "Broken streetlight", 3, False, 20),
    ("waste", "무단 투기·쓰레기", "Illegal dumping or waste", 5, False, 30),
    ("air", "대기질·악취", "Air quality or smell", 7, False, 40),
    ("noise", "소음", "Noise", 7, False, 50),
    ("safety", "안전 위험", "Safety hazard", 2, True, 60),
    ("device", "실증 장비 파손", "Damaged pilot device", 5, False, 70),
    ("other", "기타", "Other", 7, False, 80),
]


def fill(apps, schema_editor):
    category_model = apps.get_model("reports", "Category")
    report_model = apps.get_model("reports", "Report")
    by_code = {}
    for code, name_ko, name_en, target_days, sensitive, order in CATEGORIES:
        category, _created = category_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name_ko,
                "name_ko": name_ko,
                "name_en": name_en,
                "target_days": target_days,
                "sensitive": sensitive,
                "order": order,
            },
        )
        by_code[code] = category
    for report in report_model.objects.all().iterator():
        category = by_code.get(report.category) or by_code["other"]
        report.category_ref = category
        report.token = uuid.uuid4()
        report.due_at = report.created_at + datetime.timedelta(days=category.target_days)
        report.save(update_fields=["category_ref", "token", "due_at"])


def unfill(apps, schema_editor):
    report_model = apps.get_model("reports", "Report")
    known = {code for code, *_rest in CATEGORIES}
    for report in report_model.objects.select_related("category_ref").iterator():
        code = report.category_ref.code if report.category_ref_id else "other"
        report.category = code if code in known else "other"
        report.save(update_fields=["category"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_categories_photos_workflow")]

    operations = [migrations.RunPython(fill, unfill)]
