# A notice is about any object, not only a pilot: `pilot` becomes the generic `about`, filled from
# it, so that the apps above pilots (reports, spaces) can send notices too. Kinds are registered by
# the apps that send them, so the column keeps no fixed choices.

import django.db.models.deletion
from django.db import migrations, models


def pilot_to_about(apps, schema_editor):
    notification = apps.get_model("notifications", "Notification")
    if not notification.objects.filter(pilot__isnull=False).exists():
        return
    content_type = apps.get_model("contenttypes", "ContentType")
    pilot_type, _created = content_type.objects.get_or_create(app_label="pilots", model="pilot")
    notification.objects.filter(pilot__isnull=False).update(
        about_type=pilot_type, about_id=models.F("pilot_id")
    )


def about_to_pilot(apps, schema_editor):
    notification = apps.get_model("notifications", "Notification")
    notification.objects.filter(
        about_type__app_label="pilots", about_type__model="pilot"
    ).update(pilot_id=models.F("about_id"))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0001_initial"),
        ("pilots", "0006_notifications_move_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="about_id",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="about (id)"),
        ),
        migrations.AddField(
            model_name="notification",
            name="about_type",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="about (type)",
            ),
        ),
        migrations.RunPython(pilot_to_about, about_to_pilot),
        migrations.RemoveField(model_name="notification", name="pilot"),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(max_length=40, verbose_name="kind"),
        ),
        migrations.AlterField(
            model_name="notificationoptout",
            name="kind",
            field=models.CharField(max_length=40, verbose_name="kind"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["about_type", "about_id"], name="notification_about"),
        ),
    ]
