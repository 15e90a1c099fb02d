"""Let staff unlock a locked-out login and replace a colleague's lost second factor.

Adds to the staff group that portal 0002 created, with the permissions written out here as they
were when login lockout and two-factor authentication came; it never changes with portal.roles.
"""

from django.db import migrations

# "app_label.codename" each role gains; "app_label.*" grants every permission of an app.
ADDED_PERMISSIONS = {
    "staff": [
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "otp_totp.*",
        "otp_static.*",
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
            matching = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                matching = matching.filter(codename=codename)
            group.permissions.add(*matching)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_user_verified_email"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(add_role_permissions, migrations.RunPython.noop)]
