"""Reports point at their Category row; the old text column goes; roles gain the new models.

The permissions each role gains are written out here as they were when these models came.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

ADDED_PERMISSIONS = {
    "pilot_manager": [
        "reports.view_category",
        "reports.view_categoryattribute",
        "reports.view_photo",
        "reports.view_reportupdate",
        "reports.add_reportupdate",
        "reports.view_support",
    ],
    "staff": ["reports.*"],
}


def add_role_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # create_permissions skips an app without a models module, which historical apps lack.
        app_config.models_module = True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = None
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
    dependencies = [("reports", "0003_fill_categories")]

    operations = [
        # A default, so that migrating back can re-add the old column before 0003 refills it.
        migrations.AlterField(
            model_name="report",
            name="category",
            field=models.CharField(default="other", max_length=20, verbose_name="category"),
        ),
        migrations.RemoveField(model_name="report", name="category"),
        migrations.RenameField(model_name="report", old_name="category_ref", new_name="category"),
        migrations.AlterField(
            model_name="report",
            name="category",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reports",
                to="reports.category",
                verbose_name="category",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="token",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="token"
            ),
        ),
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["category", "status"], name="report_category_status"),
        ),
        migrations.RunPython(add_role_permissions, migrations.RunPython.noop),
    ]
