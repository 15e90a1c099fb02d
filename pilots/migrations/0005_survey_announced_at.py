from django.db import migrations, models
from django.db.models import Min

# The address of a survey's page when this migration was written, which is what the notices
# sent until then link to; written out so that a later change of the URLs does not change it.
SURVEY_PATH = "/pilots/{slug}/surveys/{survey_id}/"


def record_past_announcements(apps, schema_editor):
    """Surveys already announced keep the time of their first notice, so nobody hears twice."""
    Survey = apps.get_model("pilots", "Survey")
    Notification = apps.get_model("pilots", "Notification")
    for survey in Survey.objects.select_related("pilot").iterator():
        # Notices link to the survey's page.
        link = SURVEY_PATH.format(slug=survey.pilot.slug, survey_id=survey.pk)
        first = Notification.objects.filter(
            kind="survey_open", pilot_id=survey.pilot_id, link=link
        ).aggregate(first=Min("created_at"))["first"]
        if first is not None:
            Survey.objects.filter(pk=survey.pk).update(announced_at=first)


class Migration(migrations.Migration):
    dependencies = [
        ("pilots", "0004_role_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="survey",
            name="announced_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="opening announced at"
            ),
        ),
        migrations.RunPython(record_past_announcements, migrations.RunPython.noop),
    ]
