"""Each report keeps its cell of the map's cluster grid at zooms 9 to 14, filled here for the
reports there are; 0006 then requires them and indexes them.

Holds its own copy of the grid (a cell's side is 90 / 2^zoom degrees, its row counted from the
South Pole and its column from the antimeridian, packed as row · 2^20 + column), so later changes
to the app's code never change what this migration did. One UPDATE per zoom, in the database.
"""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Floor

ZOOMS = range(9, 15)
ROW_FACTOR = 2**20


def fill(apps, schema_editor):
    report_model = apps.get_model("reports", "Report")
    for zoom in ZOOMS:
        side = 90 / 2**zoom
        report_model.objects.update(
            **{
                f"cell_z{zoom}": Floor((F("latitude") + 90) / side) * ROW_FACTOR
                + Floor((F("longitude") + 180) / side)
            }
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_category_required")]

    operations = [
        *(
            migrations.AddField(
                model_name="report",
                name=f"cell_z{zoom}",
                field=models.BigIntegerField(editable=False, null=True),
            )
            for zoom in ZOOMS
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
