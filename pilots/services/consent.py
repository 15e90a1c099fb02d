"""A pilot's consent texts: publishing a new version, and checking a resident's agreement."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from modeltranslation.settings import AVAILABLE_LANGUAGES, DEFAULT_LANGUAGE
from modeltranslation.utils import build_localized_fieldname

from pilots import selectors
from pilots.errors import PilotErrorCode
from pilots.models import ConsentVersion, Pilot
from pilots.notices import PilotNotice
from pilots.services.common import manager_required, pilot_locked
from portal.cache import Scope, cache_version_bump
from portal.languages import texts_by_language
from portal.models import User
from portal.notifications.services import in_readers_language, notify


def consent_version_validate(*, pilot: Pilot, text: str | Mapping[str, str]) -> dict[str, str]:
    """The text as it would be published, by language, or a ValidationError saying why it cannot be.

    `text` maps languages to the text in each; a plain string is the text in the default language
    (Korean), which every version needs, while the English may follow in a later version. Forms
    call this before saving so that the manager sees the reason next to the text; the publishing
    service calls it again under the pilot's lock. `pilot` may be still unsaved.
    """
    given = {DEFAULT_LANGUAGE: text} if isinstance(text, str) else text
    texts = {language: given.get(language, "").strip() for language in AVAILABLE_LANGUAGES}
    if not texts[DEFAULT_LANGUAGE]:
        raise ValidationError(_("The consent text is empty."), code=PilotErrorCode.CONSENT_EMPTY)
    current = selectors.current_consent(pilot) if pilot.pk else None
    # Saying again what the current version says, in the languages given, is no new version.
    before = texts_by_language(current, "text") if current is not None else None
    if before and all(not text or text == before[language] for language, text in texts.items()):
        raise ValidationError(
            _("This text is the same as the current version."),
            code=PilotErrorCode.CONSENT_UNCHANGED,
        )
    return texts


@transaction.atomic
def consent_version_publish(
    *, pilot: Pilot, text: str | Mapping[str, str], by: User
) -> ConsentVersion:
    """Publish a new consent text; every participant counts as inactive until they agree to it.

    `text` is as for consent_version_validate: by language, or the default language's alone.
    """
    manager_required(by, pilot)
    locked = pilot_locked(pilot)
    texts = consent_version_validate(pilot=locked, text=text)
    current = selectors.current_consent(locked)
    number = (locked.consent_versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = ConsentVersion.objects.create(
        pilot=locked,
        number=number,
        published_by=by,
        text=texts[DEFAULT_LANGUAGE],
        **{build_localized_fieldname("text", language): texts[language] for language in texts},
    )
    # Only those holding a place are told now; residents on the waiting list keep their old
    # consent and are asked to agree to the new text when a place becomes theirs (see
    # pilots.services.enrolment, where places are filled).
    if current is not None:
        notify(
            users=[enrolment.user for enrolment in selectors.participating(locked)],
            kind=PilotNotice.CONSENT_UPDATE,
            about=locked,
            subject=gettext_lazy("Please read the new consent text of %(pilot)s"),
            body=gettext_lazy(
                "The consent text of %(pilot)s has changed. Until you agree to the new version "
                "you count as an inactive participant."
            ),
            params={"pilot": in_readers_language(locked, "title")},
            link=locked.get_absolute_url() + "join/",
        )
    # Pages say whether a pilot can be joined, which takes a consent text.
    cache_version_bump(Scope.PILOTS)
    return version


def consent_agreement_check(
    *, pilot: Pilot, consent_version: int | None, consent_data_use: bool, consent_contact: bool
) -> ConsentVersion:
    """The pilot's current consent text, if the resident agreed to all of it, as it is now.

    `consent_version` is the number of the text the resident read; the caller holds the
    pilot's lock, so the text cannot change before the agreement is stored.
    """
    current = selectors.current_consent(pilot)
    if current is None:
        raise ValidationError(
            _("This pilot has no consent text yet, so nobody can join it."),
            code=PilotErrorCode.NO_CONSENT,
        )
    if consent_version != current.number:
        raise ValidationError(
            _(
                "The consent text has changed since you opened it (now version %(number)s). "
                "Please read it again."
            )
            % {"number": current.number},
            code=PilotErrorCode.CONSENT_OUTDATED,
        )
    missing = []
    if not consent_data_use:
        missing.append(_("the use of your data"))
    if not consent_contact:
        missing.append(_("being contacted about the pilot"))
    if missing:
        raise ValidationError(
            _("To take part you must agree to %(items)s.") % {"items": _(" and ").join(missing)},
            code=PilotErrorCode.CONSENT_MISSING,
        )
    return current
