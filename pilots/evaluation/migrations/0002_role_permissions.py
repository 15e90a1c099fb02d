"""Give pilot managers the permissions for evaluation plans, scorecards and decisions.

Adds to the groups that portal 0002 created, with the permissions written out here as they were
when these models came; it never changes with portal.roles.
"""

from django.db import migrations

ADDED_PERMISSIONS = {
    "pilot_manager": [
        "evaluation.view_evaluationplan",
        "evaluation.add_evaluationplan",
        "evaluation.change_evaluationplan",
        "evaluation.view_planamendment",
        "evaluation.view_scorecard",
        "evaluation.view_decision",
        "evaluation.add_decision",
    ],
    "staff": ["evaluation.*"],
}


def create_permissions_so_far(apps):
    """Create the permissions of every model known at this point of the migrations."""
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
        ("evaluation", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_role_permissions, migrations.RunPython.noop)]
