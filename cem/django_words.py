"""Words of Django 5.2's own templates that its zh_Hans catalogue does not translate yet.

Nothing imports this module: it is here so that `makemessages` puts these msgids into our
catalogue, which Django reads before its own (LOCALE_PATHS come first), and the admin is then
Chinese throughout. Drop an entry once Django's catalogue has it.
"""

from django.utils.translation import gettext_noop

DJANGO_WORDS = (
    # django/contrib/admin/templates/admin/app_list.html: the column headers of each app's table.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
