"""The agent workspace: find a customer, see their whole cross-channel history and current
journeys first (the customer 360), log a contact in seconds. A room above the apps it reads."""
