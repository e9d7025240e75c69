"""Staff pages of the touchpoints app: the managers' CSV import and export."""

from .csv_files import csv_import, customers_export, interactions_export

__all__ = ["csv_import", "customers_export", "interactions_export"]
