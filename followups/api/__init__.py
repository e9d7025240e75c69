"""REST API v1 resources of the follow-up app: ``/follow-ups/``."""
