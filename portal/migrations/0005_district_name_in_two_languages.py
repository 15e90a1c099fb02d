# A district's name becomes one field kept in Korean and English by django-modeltranslation. Its
# columns keep their names and values (`name_ko`, `name_en`); the new `name` column, which
# modeltranslation keeps beside them, starts as the Korean name.

from django.db import migrations, models


def fill_name(apps, schema_editor):
    apps.get_model("portal", "District").objects.update(name=models.F("name_ko"))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0004_reports_move_out"),
    ]

    operations = [
        migrations.AddField(
            model_name="district",
            name="name",
            field=models.CharField(default="", max_length=40, verbose_name="name"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="district",
            name="name_en",
            field=models.CharField(max_length=40, null=True, verbose_name="name"),
        ),
        migrations.AlterField(
            model_name="district",
            name="name_ko",
            field=models.CharField(max_length=40, null=True, verbose_name="name"),
        ),
        migrations.RunPython(fill_name, migrations.RunPython.noop),
    ]
