"""The platform's plumbing, used by every app and importing none: database lookups and migration
operations, progress bars for commands, rate-limit counters, outage answers, security headers, the
admin's JSON guard, and the two seams through which a lower app reaches a higher one (``hooks``,
``tasks``)."""
