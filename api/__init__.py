"""The REST API v1 plumbing: API keys, scopes, throttling, idempotency, errors, paging, the schema."""
