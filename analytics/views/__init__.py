"""HTML and JSON views of the analytics app: health, dashboards, follow-up cases."""
