"""The audit log in Chinese: every event's name and the page's words, with the stored codes kept."""

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditAction, AuditEvent
from audit.services import audit_record
from tests.followups.chinese import ZH, english_left, language_restored  # noqa: F401 - autouse

pytestmark = pytest.mark.django_db


def test_the_audit_log_reads_in_chinese_and_keeps_the_codes(manager_client, manager):
    for action in AuditAction:
        audit_record(action=action, actor=manager, target=f"target-{action.value}", details={"n": 1})

    response = manager_client.get(reverse("audit-log"), HTTP_ACCEPT_LANGUAGE=ZH)

    html = response.content.decode()
    assert "审计日志" in html and "已删除客户个人数据" in html and "API 密钥已创建" in html
    assert set(AuditEvent.objects.values_list("action", flat=True)) == set(AuditAction.values)
    data = []  # what the events recorded, shown as it is: names, targets, details
    for event in AuditEvent.objects.all():
        data += [event.actor_label, event.target, *event.details, *map(str, event.details.values())]
    assert english_left(html, data=data) == []


def test_every_event_name_has_a_chinese_label():
    with translation.override(ZH):
        labels = {action.value: str(action.label) for action in AuditAction}

    assert all(label and not label.isascii() for label in labels.values()), labels
