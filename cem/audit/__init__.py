"""The append-only audit log: who signed in, exported, changed roles or API keys, erased data.

Write through ``cem.audit.services.audit_record``; read through ``cem.audit.selectors``.
"""
