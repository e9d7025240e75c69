"""Receivers that record sign-ins, sign-outs and role changes.

Django announces these acts only through signals (the auth signals, and model signals for
a user's groups and flags, which the admin changes directly), so the audit log listens.
A role change is a change of a user's groups or of ``is_staff`` / ``is_superuser``; the
flags are compared with the stored row before the save and recorded after it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save

from .models import AuditAction
from .services import audit_record

ROLE_FLAGS = ("is_staff", "is_superuser")
_FLAG_CHANGES = "_audit_role_flag_changes"
_GROUPS_CLEARED = "_audit_groups_cleared"


def _signed_in(sender, request, user, **kwargs) -> None:
    audit_record(action=AuditAction.SIGN_IN, actor=user, request=request, target=user.get_username())


def _signed_out(sender, request, user, **kwargs) -> None:
    if user is None:  # signing out without being signed in
        return
    audit_record(action=AuditAction.SIGN_OUT, actor=user, request=request, target=user.get_username())


def _sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    # ``credentials`` comes with the password already masked by Django; only the name is kept.
    username = str(credentials.get(get_user_model().USERNAME_FIELD, "") or credentials.get("username", ""))
    audit_record(
        action=AuditAction.SIGN_IN_FAILED,
        request=request,
        target=username,
        details={"username": username},
    )


def _role_flags_before_save(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not set(update_fields) & set(ROLE_FLAGS):
        return  # e.g. ``last_login`` on every sign-in
    before = None
    if instance.pk is not None:
        before = sender._default_manager.filter(pk=instance.pk).values(*ROLE_FLAGS).first()
    if before is None:  # a new user: only a grant is worth recording
        before = dict.fromkeys(ROLE_FLAGS, False)
    changes = {
        flag: {"from": before[flag], "to": getattr(instance, flag)}
        for flag in ROLE_FLAGS
        if before[flag] != getattr(instance, flag)
    }
    setattr(instance, _FLAG_CHANGES, changes)


def _role_flags_after_save(sender, instance, **kwargs) -> None:
    changes = instance.__dict__.pop(_FLAG_CHANGES, None)
    if changes:
        audit_record(action=AuditAction.ROLE_CHANGE, target=instance.get_username(), details=changes)


def _group_names(pks) -> list[str]:
    return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))


def _groups_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    """``user.groups.add/remove/clear`` (``reverse`` False) or ``group.user_set…`` (True)."""
    User = get_user_model()
    if action == "pre_clear":
        if reverse:
            cleared = {user.pk: [instance.name] for user in instance.user_set.all()}
        else:
            cleared = {instance.pk: sorted(instance.groups.values_list("name", flat=True))}
        setattr(instance, _GROUPS_CLEARED, cleared)
        return
    if action == "post_clear":
        changes = {pk: {"removed": names} for pk, names in instance.__dict__.pop(_GROUPS_CLEARED, {}).items()}
    elif action in ("post_add", "post_remove") and pk_set:
        key = "added" if action == "post_add" else "removed"
        if reverse:
            changes = {pk: {key: [instance.name]} for pk in pk_set}
        else:
            changes = {instance.pk: {key: _group_names(pk_set)}}
    else:
        return
    users = {user.pk: user for user in User._default_manager.filter(pk__in=changes)}
    for pk, change in changes.items():
        if not any(change.values()) or pk not in users:
            continue
        audit_record(
            action=AuditAction.ROLE_CHANGE, target=users[pk].get_username(), details={"groups": change}
        )


def connect() -> None:
    User = get_user_model()
    user_logged_in.connect(_signed_in, dispatch_uid="audit-sign-in")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-sign-out")
    user_login_failed.connect(_sign_in_failed, dispatch_uid="audit-sign-in-failed")
    pre_save.connect(_role_flags_before_save, sender=User, dispatch_uid="audit-role-flags-before")
    post_save.connect(_role_flags_after_save, sender=User, dispatch_uid="audit-role-flags-after")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="audit-groups")
