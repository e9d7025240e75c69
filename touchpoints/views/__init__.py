"""Staff pages of the touchpoints app: the home page and the agent workspace (customer search,
customer 360, logging an interaction), the managers' CSV import and export, and a customer's data
on request (download, erasure)."""

from .csv_files import csv_import, customers_export, interactions_export
from .customers import customer_detail, customer_search, customer_search_results, interaction_create
from .home import home
from .privacy import customer_erase_confirm, customer_export_download

__all__ = [
    "csv_import",
    "customer_detail",
    "customer_erase_confirm",
    "customer_export_download",
    "customer_search",
    "customer_search_results",
    "customers_export",
    "home",
    "interaction_create",
    "interactions_export",
]
