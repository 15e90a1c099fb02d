"""Who may do what with a pilot's evaluation."""

from __future__ import annotations

from typing import Any

from pilots.models import Pilot
from pilots.permissions import user_manages_pilot


def user_manages_evaluation(user: Any, pilot: Pilot) -> bool:
    """Whether the user may read and change the pilot's plan and record its decisions.

    The same people who manage the pilot: its own managers, and staff who see every pilot.
    """
    return user_manages_pilot(user, pilot)


def user_sees_scorecards(user: Any, pilot: Pilot) -> bool:
    """Scorecards are public: the evidence for a decision about a city's pilot is everyone's."""
    return True
