"""REST API v1 resources of the journeys app: journeys (with peak–end) and journey maps (read-only)."""
