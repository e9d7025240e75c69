"""Forms of the surveys app: the survey builder and the public answer pages."""
