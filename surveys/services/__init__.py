"""Writes owned by the surveys app, one module per area; import from the modules."""
