"""The staff roles and the access rules every staff page applies.

Two groups, created by a data migration (``analytics/migrations/0002_roles.py``):
"CX manager" (everything) and "Agent" (customers, interactions, follow-ups).
A signed-in user with neither role, and who is not a superuser, sees nothing
but the 403 page. The group names are stored values, never translated; people
read each role's label (``ROLE_LABELS``) in their language.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

MANAGER = "CX manager"
AGENT = "Agent"
ROLES = (MANAGER, AGENT)
ROLE_LABELS: dict[str, Promise] = {
    MANAGER: pgettext_lazy("role", "CX manager"),
    AGENT: pgettext_lazy("role", "Agent"),
}


def user_roles(user) -> frozenset[str]:
    """The roles a user holds; a superuser holds every role."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    cached = getattr(user, "_cem_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._cem_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def role_required(*roles: str) -> Callable:
    """Decorate a view: sign-in required, then one of ``roles`` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied(gettext("Your account has no role that may open this page."))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@dataclass(frozen=True)
class NavItem:
    label: Promise
    url_name: str
    roles: tuple[str, ...]


# Each feature adds its pages here, with the roles that may open them.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem(pgettext_lazy("navigation", "Home"), "home", ROLES),
    NavItem(pgettext_lazy("navigation", "Customers"), "customer-search", ROLES),
    NavItem(pgettext_lazy("navigation", "Follow-ups"), "follow-up-list", ROLES),
    NavItem(pgettext_lazy("navigation", "Surveys"), "survey-builder-list", (MANAGER,)),
    NavItem(pgettext_lazy("navigation", "Journey maps"), "journey-map-list", (MANAGER,)),
    NavItem(pgettext_lazy("navigation", "Dashboards"), "dashboard-overview", (MANAGER,)),
    NavItem(_("Audit log"), "audit-log", (MANAGER,)),
)


def navigation(request: HttpRequest) -> dict:
    """Template context: the navigation entries the signed-in user may open, and ``user_roles``:
    the labels of the roles they hold (for the header's badges), in ``ROLES`` order."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "user_roles": frozenset()}
    roles = user_roles(user)
    items = []
    for item in NAVIGATION:
        if not roles & set(item.roles):
            continue
        url = reverse(item.url_name)
        items.append({"label": item.label, "url": url, "active": request.path == url})
    labels = [ROLE_LABELS[role] for role in ROLES if role in roles]
    return {"nav_items": items, "user_roles": labels, "is_manager": MANAGER in roles}
