"""Organisations: registering one, inviting people, removing them, handing over ownership, and
what happens to them when a member deletes their account."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.celery import enqueue_on_commit
from portal.models import User
from portal.notifications.services import notify
from portal.roles import Role
from portal.spaces.errors import SpacesError
from portal.spaces.models import Invitation, Membership, Organisation
from portal.spaces.notices import SpaceNotice
from portal.spaces.permissions import user_is_owner
from portal.spaces.services.applications import WITHDRAWABLE, application_withdraw
from portal.spaces.validators import registration_number_normalise, validate_registration_number


def require_owner(user: User, organisation: Organisation) -> None:
    if not user_is_owner(user, organisation):
        raise ValidationError(
            _("Only an owner of %(organisation)s can do that.") % {"organisation": organisation},
            code=SpacesError.NOT_AN_OWNER,
        )


def _join_startup_role(user: User) -> None:
    # Startup members may propose pilots; the group comes from the portal's role migrations.
    group = Group.objects.filter(name=str(Role.STARTUP_MEMBER)).first()
    if group is not None:
        user.groups.add(group)


@transaction.atomic
def organisation_register(
    *,
    by: User,
    name: str,
    registration_number: str,
    sector: str,
    team_size: int,
    founded_on: dt.date,
    website: str = "",
) -> Organisation:
    """Register a startup with `by` as its first owner; the number must pass its check digit."""
    number = registration_number_normalise(registration_number)
    validate_registration_number(number)
    if Organisation.objects.filter(registration_number=number).exists():
        raise ValidationError(
            _("An organisation with this business registration number is already registered."),
            code=SpacesError.REGISTRATION_NUMBER_TAKEN,
        )
    organisation = Organisation(
        name=name.strip(),
        registration_number=number,
        sector=sector,
        team_size=team_size,
        founded_on=founded_on,
        website=website.strip(),
    )
    organisation.full_clean()
    organisation.save()
    Membership.objects.create(organisation=organisation, user=by, role=Membership.Role.OWNER)
    _join_startup_role(by)
    return organisation


@transaction.atomic
def invitation_send(*, organisation: Organisation, by: User, email: str) -> Invitation:
    """An owner invites someone by e-mail; the e-mail with the link follows on commit."""
    require_owner(by, organisation)
    address = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=address).exists():
        raise ValidationError(
            _("%(email)s is already a member.") % {"email": address},
            code=SpacesError.ALREADY_A_MEMBER,
        )
    invitation = Invitation.objects.create(organisation=organisation, email=address, invited_by=by)
    enqueue_on_commit("portal.spaces.tasks.invitation_email", invitation.pk)
    return invitation


def invitation_email(*, invitation_id: int) -> bool:
    """E-mail the invitation's link; returns False when it was accepted meanwhile."""
    invitation = (
        Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True)
        .select_related("organisation", "invited_by")
        .first()
    )
    if invitation is None:
        return False
    language = invitation.invited_by.preferred_language if invitation.invited_by else None
    with translation.override(language or settings.LANGUAGE_CODE):
        send_mail(
            subject=_("You are invited to join %(organisation)s")
            % {"organisation": invitation.organisation.name},
            message=_(
                "%(person)s invites you to join %(organisation)s on the Living Lab Portal. "
                "Log in or sign up with this e-mail address, then open this link:"
            )
            % {
                "person": invitation.invited_by or "",
                "organisation": invitation.organisation.name,
            }
            + f"\n\n{settings.SITE_URL}{invitation.get_absolute_url()}",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[invitation.email],
        )
    return True


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Join the organisation through an invitation sent to the user's own e-mail address."""
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(token=token)
    )
    if invitation.accepted_at is not None:
        raise ValidationError(
            _("This invitation has already been used."), code=SpacesError.INVITATION_USED
        )
    if (user.email or "").strip().lower() != invitation.email:
        raise ValidationError(
            _("This invitation was sent to another e-mail address."),
            code=SpacesError.INVITATION_OTHER_EMAIL,
        )
    membership, _created = Membership.objects.get_or_create(
        organisation=invitation.organisation, user=user
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    _join_startup_role(user)
    return membership


def _owner_count(organisation: Organisation) -> int:
    return organisation.memberships.filter(role=Membership.Role.OWNER).count()


@transaction.atomic
def membership_remove(*, organisation: Organisation, by: User, member: User) -> None:
    """An owner removes someone; the last owner cannot leave the organisation without one."""
    require_owner(by, organisation)
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    membership = organisation.memberships.filter(user=member).first()
    if membership is None:
        raise ValidationError(
            _("%(person)s is not a member.") % {"person": member},
            code=SpacesError.NOT_A_MEMBER,
        )
    if membership.role == Membership.Role.OWNER and _owner_count(organisation) == 1:
        raise ValidationError(
            _("Hand over ownership before the last owner leaves."), code=SpacesError.LAST_OWNER
        )
    membership.delete()
    notify(
        users=[member],
        kind=SpaceNotice.MEMBERSHIP,
        about=organisation,
        subject=gettext_lazy("You are no longer a member of %(organisation)s"),
        body=gettext_lazy("%(owner)s removed you from %(organisation)s."),
        params={"organisation": organisation.name, "owner": str(by)},
    )


@transaction.atomic
def ownership_transfer(*, organisation: Organisation, by: User, to: User) -> None:
    """The owner `by` hands ownership to the member `to` and stays on as a member."""
    require_owner(by, organisation)
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    target = organisation.memberships.filter(user=to).first()
    if target is None:
        raise ValidationError(
            _("%(person)s is not a member.") % {"person": to}, code=SpacesError.NOT_A_MEMBER
        )
    target.role = Membership.Role.OWNER
    target.save(update_fields=["role"])
    if to.pk != by.pk:
        organisation.memberships.filter(user=by).update(role=Membership.Role.MEMBER)
    notify(
        users=[to],
        kind=SpaceNotice.MEMBERSHIP,
        about=organisation,
        subject=gettext_lazy("You now own %(organisation)s"),
        body=gettext_lazy("%(owner)s handed over the ownership of %(organisation)s to you."),
        params={"organisation": organisation.name, "owner": str(by)},
        link=organisation.get_absolute_url(),
    )


@transaction.atomic
def organisations_leave(*, user: User) -> None:
    """Take the user out of every organisation of theirs, as their account is being deleted.

    No organisation is left without an owner while it has members: where the user is the last
    owner, the longest-standing other member becomes owner and is told. Where the user is the only
    member, the organisation stays on record with its decided applications and allocations, which
    are the city's record too, but its undecided applications are withdrawn: nobody is left to
    answer for them, and a space must not go to an organisation nobody speaks for.

    The caller holds the transaction that deletes the account.
    """
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        others = (
            organisation.memberships.exclude(user=user)
            .select_related("user")
            .order_by("joined_at", "pk")
        )
        heir = others.first()
        if heir is None:
            for application in organisation.applications.filter(status__in=WITHDRAWABLE):
                application_withdraw(application=application, by=user)
        elif (
            membership.role == Membership.Role.OWNER
            and not others.filter(role=Membership.Role.OWNER).exists()
        ):
            heir.role = Membership.Role.OWNER
            heir.save(update_fields=["role"])
            notify(
                users=[heir.user],
                kind=SpaceNotice.MEMBERSHIP,
                about=organisation,
                subject=gettext_lazy("You now own %(organisation)s"),
                body=gettext_lazy(
                    "%(person)s deleted their account. As the longest-standing member of "
                    "%(organisation)s, you are now its owner."
                ),
                params={"organisation": organisation.name, "person": str(user)},
                link=organisation.get_absolute_url(),
            )
        membership.delete()


@transaction.atomic
def invitations_forget(*, email: str) -> int:
    """Delete every invitation sent to the address, used or not; returns how many there were."""
    address = email.strip()
    if not address:
        return 0
    deleted, _by_model = Invitation.objects.filter(email__iexact=address).delete()
    return deleted
