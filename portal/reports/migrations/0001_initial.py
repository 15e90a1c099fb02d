# Takes over the reports table that portal 0004 renamed, as it was, without touching it; the
# model's permissions follow it by moving its content type.

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    if content_type.objects.filter(app_label="reports", model="report").exists():
        content_type.objects.filter(app_label="portal", model="report").delete()
    else:
        content_type.objects.filter(app_label="portal", model="report").update(
            app_label="reports"
        )


def move_content_type_back(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="reports", model="report").update(app_label="portal")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0004_reports_move_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Report",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("category", models.CharField(choices=[("road", "Road or pavement damage"), ("streetlight", "Broken streetlight"), ("waste", "Illegal dumping or waste"), ("air", "Air quality or smell"), ("noise", "Noise"), ("safety", "Safety hazard"), ("device", "Damaged pilot device"), ("other", "Other")], max_length=20, verbose_name="category")),
                        ("description", models.TextField(max_length=4000, verbose_name="description")),
                        ("latitude", models.FloatField(validators=[django.core.validators.MinValueValidator(-90), django.core.validators.MaxValueValidator(90)], verbose_name="latitude")),
                        ("longitude", models.FloatField(validators=[django.core.validators.MinValueValidator(-180), django.core.validators.MaxValueValidator(180)], verbose_name="longitude")),
                        ("status", models.CharField(choices=[("open", "Open"), ("acknowledged", "Acknowledged"), ("in_progress", "In progress"), ("closed", "Closed")], default="open", max_length=20, verbose_name="status")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                        ("district", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="reports", to="portal.district", verbose_name="district")),
                        ("reporter", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="reports", to=settings.AUTH_USER_MODEL, verbose_name="reporter")),
                    ],
                    options={
                        "verbose_name": "report",
                        "verbose_name_plural": "reports",
                        "ordering": ["-created_at"],
                        "indexes": [models.Index(fields=["status", "-created_at"], name="report_status_created"), models.Index(fields=["district", "-created_at"], name="report_district_created")],
                        "constraints": [models.CheckConstraint(condition=models.Q(("latitude__gte", -90), ("latitude__lte", 90), ("longitude__gte", -180), ("longitude__lte", 180)), name="report_coordinates_on_earth")],
                    },
                ),
            ]
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
