# Reports moved to their own app, `reports`: the table is renamed here and the model leaves the
# portal's state; reports 0001 takes it over without touching the database.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_seoul_districts"),
    ]

    operations = [
        migrations.AlterModelTable(name="report", table="reports_report"),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Report")]
        ),
    ]
