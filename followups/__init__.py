"""Follow-up cases: one per detractor response or floor breach, worked by agents, watched by managers.

Cases are opened by the metrics refresh (``analytics.services.follow_up_triggers`` finds the
triggers of a refreshed day and calls ``followups.services.follow_ups_open``), worked on the
``/follow-ups/`` pages and through ``/api/v1/follow-ups/``.
"""
