"""HTML views of the surveys app: the public survey pages and the survey builder."""
