"""Load Seoul's 25 districts and their boundaries from portal/data/seoul_districts.geojson."""

from django.db import migrations
from django.utils.text import slugify

from portal.geo import centroid, seoul_districts


def load_districts(apps, schema_editor):
    district_model = apps.get_model("portal", "District")
    for feature in seoul_districts():
        properties = feature["properties"]
        latitude, longitude = centroid(feature["geometry"])
        district_model.objects.update_or_create(
            code=properties["code"],
            defaults={
                "slug": slugify(properties["name_en"]),
                "name_ko": properties["name_ko"],
                "name_en": properties["name_en"],
                "boundary": feature["geometry"],
                "center_latitude": round(latitude, 6),
                "center_longitude": round(longitude, 6),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_role_groups")]

    operations = [migrations.RunPython(load_districts, migrations.RunPython.noop)]
