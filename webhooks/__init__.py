"""Outbound webhooks: endpoints CRMs subscribe, the outbox, signed delivery with retries, the sweeper.

Every app publishes through one door, ``webhooks.services.webhook_event_publish``, inside its own
transaction, with a payload it builds from its own rows; this app imports no other product app.
``targets`` is the guard against server-side request forgery, ``signing`` the pure signature maths.
"""
