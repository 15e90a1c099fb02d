"""Leave room in the pages of rows that ingest updates thousands of times a second.

Every reading updates its minute and hour rollup rows, and every batch its device's last-seen
time. PostgreSQL can update a row in place (a "HOT" update, touching no index) only when its page
has room for the new version; tables filled to 100% (the default) make nearly every update write
a new entry in each of the table's indexes as well. Applies to pages written from now on.
"""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

FILLFACTORS = {"sensors_minuterollup": 70, "sensors_hourrollup": 70, "sensors_device": 80}


def leave_room(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, percent in FILLFACTORS.items():
        schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {int(percent)})")


def fill_up(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in FILLFACTORS:
        schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("sensors", "0006_names_in_two_languages")]

    operations = [migrations.RunPython(leave_room, fill_up)]
