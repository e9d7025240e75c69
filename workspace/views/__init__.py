"""The agent workspace: the home page, customer search, the customer 360 and logging a contact."""

from .customers import customer_detail, customer_search, customer_search_results, interaction_create
from .home import home

__all__ = ["customer_detail", "customer_search", "customer_search_results", "home", "interaction_create"]
