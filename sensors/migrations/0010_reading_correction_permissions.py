"""Let managers see the history of corrected readings, and staff manage it.

Adds to the role groups that portal 0002 created, with the permissions written out here as they
were when corrections came; it never changes with portal.roles.
"""

from django.db import migrations

# "app_label.codename" each role gains.
ADDED_PERMISSIONS = {
    "pilot_manager": ["sensors.view_readingcorrection"],
    "staff": [
        "sensors.view_readingcorrection",
        "sensors.add_readingcorrection",
        "sensors.change_readingcorrection",
        "sensors.delete_readingcorrection",
    ],
}


def create_permissions_so_far(apps):
    """Create the permissions of every model known at this point of the migrations.

    Django creates them only after the last migration has run; the groups need them now.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # create_permissions skips an app without a models module, which historical apps lack.
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = None


def add_role_permissions(apps, schema_editor):
    create_permissions_so_far(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in ADDED_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        for name in names:
            app_label, codename = name.split(".")
            group.permissions.add(
                *permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_staff_unlock_logins"),
        ("sensors", "0009_reading_corrections"),
    ]

    operations = [migrations.RunPython(add_role_permissions, migrations.RunPython.noop)]
