"""Load Seoul's 25 districts and their boundaries from portal/data/seoul_districts.geojson."""

from django.db import migrations

from portal.geo import seoul_districts


def load_districts(apps, schema_editor):
    district_model = apps.get_model("portal", "District")
    for fields in seoul_districts():
        district_model.objects.update_or_create(code=fields.pop("code"), defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_role_groups")]

    operations = [migrations.RunPython(load_districts, migrations.RunPython.noop)]
