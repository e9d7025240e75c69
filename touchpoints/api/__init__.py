"""REST API v1 resources of the touchpoints app: customers, touchpoints, interactions (thin views)."""
