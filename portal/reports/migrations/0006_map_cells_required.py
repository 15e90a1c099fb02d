"""Every report now has its map cells (0005 filled them; the filing service sets them), so they
are required, and each zoom's cells get an index that holds what a cluster needs."""

from django.db import migrations, models

ZOOMS = range(9, 15)


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_map_cells")]

    operations = [
        *(
            migrations.AlterField(
                model_name="report",
                name=f"cell_z{zoom}",
                field=models.BigIntegerField(editable=False),
            )
            for zoom in ZOOMS
        ),
        *(
            migrations.AddIndex(
                model_name="report",
                index=models.Index(
                    fields=[f"cell_z{zoom}"],
                    include=("latitude", "longitude", "status", "due_at"),
                    name=f"report_cell_z{zoom}",
                ),
            )
            for zoom in ZOOMS
        ),
    ]
