# Metric names become one field kept in Korean and English by django-modeltranslation; their
# columns keep their names and values (`name_ko`, `name_en`), and the new `name` column beside
# them starts as the Korean name. Devices get a display name in both languages, empty until a
# manager (or the demo) gives one; pages show the device's identifier until then.

from django.db import migrations, models

DISPLAY_NAME_HELP = "What residents see, such as “Gwanak-gu fine-dust station 35”."


def fill_metric_name(apps, schema_editor):
    apps.get_model("sensors", "Metric").objects.update(name=models.F("name_ko"))


class Migration(migrations.Migration):
    dependencies = [
        ("sensors", "0005_credential_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="device",
            name="display_name",
            field=models.CharField(
                blank=True,
                help_text=DISPLAY_NAME_HELP,
                max_length=120,
                verbose_name="display name",
            ),
        ),
        migrations.AddField(
            model_name="device",
            name="display_name_en",
            field=models.CharField(
                blank=True,
                help_text=DISPLAY_NAME_HELP,
                max_length=120,
                null=True,
                verbose_name="display name",
            ),
        ),
        migrations.AddField(
            model_name="device",
            name="display_name_ko",
            field=models.CharField(
                blank=True,
                help_text=DISPLAY_NAME_HELP,
                max_length=120,
                null=True,
                verbose_name="display name",
            ),
        ),
        migrations.AddField(
            model_name="metric",
            name="name",
            field=models.CharField(default="", max_length=60, verbose_name="name"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="metric",
            name="name_en",
            field=models.CharField(max_length=60, null=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="metric",
            name="name_ko",
            field=models.CharField(max_length=60, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_metric_name, migrations.RunPython.noop),
    ]
