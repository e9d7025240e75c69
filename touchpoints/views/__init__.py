"""Staff pages of the touchpoints app: the home page and the agent workspace (customer search,
customer 360, logging an interaction) and the managers' CSV import and export."""

from .csv_files import csv_import, customers_export, interactions_export
from .customers import customer_detail, customer_search, customer_search_results, interaction_create
from .home import home

__all__ = [
    "csv_import",
    "customer_detail",
    "customer_search",
    "customer_search_results",
    "customers_export",
    "home",
    "interaction_create",
    "interactions_export",
]
