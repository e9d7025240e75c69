"""The admin shows an invitation's status but changes it only through the services, which publish
its webhook events (an admin edit would bounce an invitation without telling anyone)."""

import pytest
from django.contrib import admin

from surveys.models import Invitation

pytestmark = pytest.mark.django_db


def test_an_invitations_status_and_reason_are_read_only_in_the_admin(rf, manager):
    request = rf.get("/admin/")
    request.user = manager
    readonly = admin.site._registry[Invitation].get_readonly_fields(request)
    assert {"status", "suppression_reason", "bounced_at", "sent_at"} <= set(readonly)
