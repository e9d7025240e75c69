"""Every analytics test starts in the default language (English), whatever an earlier test left
active: a request through ``LocaleMiddleware`` leaves its language active on the thread, and the
figure builders, downloads and commands tested here without a request speak the active one."""

import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _default_language():
    with translation.override(settings.LANGUAGE_CODE):
        yield
