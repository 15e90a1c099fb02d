"""Create the reviewer group, and give pilot managers and staff the spaces app's permissions.

The permissions are written out here as they were when the spaces app came; the migration never
changes with portal.roles.
"""

from django.db import migrations

# "app_label.codename" each role gains; "app_label.*" grants every permission of an app.
ADDED_PERMISSIONS = {
    "reviewer": [
        "spaces.view_call",
        "spaces.view_criterion",
        "spaces.view_application",
        "spaces.view_attachment",
        "spaces.view_score",
        "spaces.add_score",
        "spaces.change_score",
        "spaces.view_conflictofinterest",
        "spaces.add_conflictofinterest",
    ],
    "pilot_manager": [
        "spaces.view_innovationdistrict",
        "spaces.add_innovationdistrict",
        "spaces.change_innovationdistrict",
        "spaces.view_space",
        "spaces.add_space",
        "spaces.change_space",
        "spaces.view_spacephoto",
        "spaces.add_spacephoto",
        "spaces.change_spacephoto",
        "spaces.delete_spacephoto",
        "spaces.view_call",
        "spaces.add_call",
        "spaces.change_call",
        "spaces.view_criterion",
        "spaces.add_criterion",
        "spaces.change_criterion",
        "spaces.delete_criterion",
        "spaces.view_organisation",
        "spaces.view_membership",
        "spaces.view_application",
        "spaces.change_application",
        "spaces.view_attachment",
        "spaces.view_score",
        "spaces.view_conflictofinterest",
        "spaces.view_allocation",
    ],
    "staff": ["spaces.*"],
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
            matching = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                matching = matching.filter(codename=codename)
            group.permissions.add(*matching)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0002_role_groups"),
        ("spaces", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_role_permissions, migrations.RunPython.noop)]
