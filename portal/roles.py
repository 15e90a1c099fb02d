"""The roles people have in the portal, as Django groups with model permissions.

The groups are created by a migration (portal 0002) and kept in step by later migrations that call
`sync_role_groups`; code asks "may this user..." through permissions, never through group names.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    STARTUP_MEMBER = "startup_member", _("Startup member")
    PILOT_MANAGER = "pilot_manager", _("Pilot manager")
    REVIEWER = "reviewer", _("Reviewer of space applications")
    STAFF = "staff", _("Staff")


# Roles whose members work in the admin site.
ADMIN_ROLES = {Role.PILOT_MANAGER, Role.REVIEWER, Role.STAFF}

# "app_label.codename" of each role's permissions; "app_label.*" grants every permission of an app.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CITIZEN: [
        "reports.add_report",
        "pilots.view_pilot",
    ],
    Role.STARTUP_MEMBER: [
        "reports.add_report",
        "pilots.view_pilot",
        "pilots.add_pilot",
    ],
    Role.PILOT_MANAGER: [
        "portal.view_district",
        "reports.view_report",
        "reports.change_report",
        "reports.view_category",
        "reports.view_categoryattribute",
        "reports.view_photo",
        "reports.view_reportupdate",
        "reports.add_reportupdate",
        "reports.view_support",
        "pilots.view_pilot",
        "pilots.change_pilot",
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
        "sensors.view_metric",
        "sensors.view_device",
        "sensors.add_device",
        "sensors.change_device",
        "sensors.view_reading",
        "sensors.view_readingcorrection",
        "sensors.view_alert",
        "sensors.change_alert",
        "sensors.view_devicecredential",
        "sensors.add_devicecredential",
        "sensors.change_devicecredential",
        "evaluation.view_evaluationplan",
        "evaluation.add_evaluationplan",
        "evaluation.change_evaluationplan",
        "evaluation.view_planamendment",
        "evaluation.view_scorecard",
        "evaluation.view_decision",
        "evaluation.add_decision",
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
    # Reviewers are assigned per call; the call decides which applications they see.
    Role.REVIEWER: [
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
    Role.STAFF: [
        "portal.*",
        # Unlocking a locked-out login, and replacing a lost second factor.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "otp_totp.*",
        "otp_static.*",
        "notifications.*",
        "pilots.*",
        "sensors.*",
        "reports.*",
        "spaces.*",
        "evaluation.*",
    ],
}


def sync_role_groups(apps: Any, schema_editor: Any = None) -> None:
    """Create each role's group and give it exactly the permissions listed above.

    Written against the historical `apps` so that migrations can call it; it first creates the
    permissions of every model known so far, which Django would otherwise only do after the last
    migration has run.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.get_or_create(name=str(role))
        wanted = permission_model.objects.none()
        for name in names:
            app_label, codename = name.split(".")
            matching = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                matching = matching.filter(codename=codename)
            wanted = wanted | matching
        group.permissions.set(wanted)
