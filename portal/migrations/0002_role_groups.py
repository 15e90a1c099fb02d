"""Create the role groups (citizen, startup member, pilot manager, staff) with their permissions.

The permissions are written out here as they were when the roles were introduced; later
migrations add what later models need. This migration never changes with portal.roles.
"""

from django.db import migrations

# "app_label.codename" of each role's permissions; "app_label.*" grants every permission of an app.
ROLE_PERMISSIONS = {
    "citizen": [
        "portal.add_report",
        "pilots.view_pilot",
    ],
    "startup_member": [
        "portal.add_report",
        "pilots.view_pilot",
        "pilots.add_pilot",
    ],
    "pilot_manager": [
        "portal.view_district",
        "portal.view_report",
        "portal.change_report",
        "pilots.view_pilot",
        "pilots.change_pilot",
        "sensors.view_metric",
        "sensors.view_device",
        "sensors.add_device",
        "sensors.change_device",
        "sensors.view_reading",
    ],
    "staff": ["portal.*", "pilots.*", "sensors.*"],
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


def create_role_groups(apps, schema_editor):
    create_permissions_so_far(apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=role)
        wanted = permission_model.objects.none()
        for name in names:
            app_label, codename = name.split(".")
            matching = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                matching = matching.filter(codename=codename)
            wanted = wanted | matching
        group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_initial"),
        ("pilots", "0001_initial"),
        ("sensors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
