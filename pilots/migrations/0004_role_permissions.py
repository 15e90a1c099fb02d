"""Give pilot managers the permissions for phases, consent, eligibility, surveys and questions.

Adds to the groups that portal 0002 created, with the permissions written out here as they were
when these models came (staff gains every permission of pilots); it never changes with
portal.roles.
"""

from django.db import migrations

# "app_label.codename" each role gains; "app_label.*" grants every permission of an app.
ADDED_PERMISSIONS = {
    "pilot_manager": [
        "pilots.view_phasechange",
        "pilots.view_consentversion",
        "pilots.add_consentversion",
        "pilots.view_eligibilityrule",
        "pilots.add_eligibilityrule",
        "pilots.change_eligibilityrule",
        "pilots.delete_eligibilityrule",
        "pilots.view_enrolment",
        "pilots.view_survey",
        "pilots.add_survey",
        "pilots.change_survey",
        "pilots.delete_survey",
        "pilots.view_surveyquestion",
        "pilots.add_surveyquestion",
        "pilots.change_surveyquestion",
        "pilots.delete_surveyquestion",
        "pilots.view_surveyresponse",
        "pilots.view_pilotquestion",
        "pilots.change_pilotquestion",
    ],
    "staff": ["pilots.*"],
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
        ("pilots", "0003_living_lab"),
        ("portal", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(add_role_permissions, migrations.RunPython.noop)]
