"""The append-only audit log: who signed in, exported, changed roles or API keys, erased data.

Write through ``audit.services.audit_record``; read through ``audit.selectors``.
"""
