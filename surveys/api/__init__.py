"""REST API v1 resources of the surveys app: surveys, invitations to them, responses."""
