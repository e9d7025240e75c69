"""Privacy: a customer's data on request (export), erasing it (erasure), and the response retention
policy. A room of its own because it cuts across every app: its services read and change customers
and interactions, journeys, invitations, responses, suppression entries, follow-up cases and the
webhook outbox, and leave every figure as it was (or recompute it when responses are deleted)."""
