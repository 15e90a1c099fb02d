"""The spaces app in the admin: the catalogue, calls with their rubric, review and decisions.

Reviewers see only the applications of their calls with which they declared no conflict, and score
each on one page; managers decide, accepting through a page where they choose the space and the
dates. Every change of state goes through the services. Importing the package registers every model
admin of the app.
"""

from __future__ import annotations

from portal.spaces.admin import applications, calls, catalogue, review

__all__ = ["applications", "calls", "catalogue", "review"]
