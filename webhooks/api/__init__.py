"""REST API v1 resources of the webhooks app: ``/webhooks/`` subscriptions."""
