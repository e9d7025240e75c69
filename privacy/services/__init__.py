"""Privacy: a customer's data on request (export), erasing it (erasure), and the response
retention policy — each a service here, with thin views, commands and a task around them.

Privacy cuts across the apps: these services read and change customers and
interactions, journeys, invitations, responses, suppression entries, follow-up
cases and the webhook outbox, and leave every figure the dashboards show as it
was (or, when responses are deleted, recomputed from what remains).
"""

from .erasure import ErasureReport, customer_erase
from .export import EXPORT_FORMAT, customer_data_counts, customer_export
from .placeholders import ANONYMOUS_NAME, ERASED_NAME, customer_is_anonymous, customer_is_erased
from .references import CustomerReferenceError, customer_by_reference
from .retention import ANONYMISE, DELETE, MODES, RetentionReport, responses_retention_apply, retention_cutoff

__all__ = [
    "ANONYMISE",
    "ANONYMOUS_NAME",
    "DELETE",
    "ERASED_NAME",
    "EXPORT_FORMAT",
    "MODES",
    "CustomerReferenceError",
    "ErasureReport",
    "RetentionReport",
    "customer_by_reference",
    "customer_data_counts",
    "customer_erase",
    "customer_export",
    "customer_is_anonymous",
    "customer_is_erased",
    "responses_retention_apply",
    "retention_cutoff",
]
