"""A believable demo of the platform: a year of customers, journeys and survey answers.

``build_demo(customers=…, seed=…, months=…, force=…)`` seeds it in one
transaction; ``manage.py seed_demo`` is its command-line edge. The story the
numbers tell: overall NPS around +20, Delivery and the Support call disappoint
(expectation ratio below 1), the In-store purchase delights (above 1), and
service is the strongest driver of recommendation.

- ``catalogue``: touchpoints and journey maps
- ``questionnaires``: the three surveys and their questions
- ``people``: customers and the demo staff logins
- ``activity``: journeys and interactions
- ``responses``: invitations, responses and answers; ``comments`` their free text
- ``builder``: the orchestration, wipe and bulk inserts
"""

from .builder import DemoDataPresent, DemoSummary, build_demo, demo_data_counts
from .people import DEMO_AGENT, DEMO_MANAGER, DEMO_PASSWORD

__all__ = [
    "DEMO_AGENT",
    "DEMO_MANAGER",
    "DEMO_PASSWORD",
    "DemoDataPresent",
    "DemoSummary",
    "build_demo",
    "demo_data_counts",
]
