"""Demo data: a believable company for ``make run`` (``manage.py seed_demo``), written through the
apps' own tables; a room of its own because it seeds every app."""
