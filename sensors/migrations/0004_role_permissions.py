"""Give pilot managers the permissions for alerts and device credentials."""

from django.db import migrations

from portal.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_role_groups"),
        ("sensors", "0003_credentials_rollups_alerts"),
    ]

    operations = [migrations.RunPython(sync_role_groups, migrations.RunPython.noop)]
