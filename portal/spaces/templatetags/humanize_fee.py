from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def fee(monthly_fee: int) -> str:
    """A space's monthly fee in won, or "Free"."""
    if not monthly_fee:
        return _("Free")
    return _("₩%(fee)s a month") % {"fee": f"{monthly_fee:,}"}
