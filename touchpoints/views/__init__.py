"""Staff pages of the touchpoints app: the managers' CSV import."""

from .csv_files import csv_import

__all__ = ["csv_import"]
