"""A believable demo of the platform: a year of customers, journeys and survey answers.

``build_demo(customers=…, seed=…, months=…, force=…, language=…)`` seeds it in one
transaction, in English or Simplified Chinese (``DEMO_LANGUAGES``); ``manage.py
seed_demo`` is its command-line edge. The story the numbers tell, in either
language: overall NPS around +20, Delivery and the Support call disappoint
(expectation ratio below 1), the In-store purchase delights (above 1), and
service is the strongest driver of recommendation. The journeys are assembled
from the interactions by the published maps' rules, as live ones are: most
complete, and about one in seven is abandoned, the customer having given up
before buying, most often after a pre-sale contact that went badly.

- ``languages``: the demo languages; ``content_zh``, ``names_zh`` and
  ``comments_zh`` the Chinese demo's words (the English ones sit with their use)
- ``catalogue``: touchpoints; ``journey_maps`` the journey maps, published with their assembly rules
- ``questionnaires``: the three surveys and their questions
- ``people``: customers and the demo staff logins
- ``activity``: interactions along journeys (the journeys themselves are assembled from them)
- ``responses``: invitations, responses and answers; ``comments`` their free text
- ``builder``: the orchestration, wipe and bulk inserts
"""

from .builder import DemoDataPresent, DemoSummary, build_demo, demo_data_counts
from .content_zh import COMPANY_NAME as CHINESE_COMPANY_NAME
from .languages import DEFAULT_LANGUAGE, DEMO_LANGUAGES
from .people import DEMO_AGENT, DEMO_MANAGER, DEMO_PASSWORD

__all__ = [
    "CHINESE_COMPANY_NAME",
    "DEFAULT_LANGUAGE",
    "DEMO_AGENT",
    "DEMO_LANGUAGES",
    "DEMO_MANAGER",
    "DEMO_PASSWORD",
    "DemoDataPresent",
    "DemoSummary",
    "build_demo",
    "demo_data_counts",
]
