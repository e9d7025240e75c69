"""REST API v1 resources of the analytics app: metrics, follow-up cases, webhook subscriptions."""
