"""The staff roles and the access rules every staff page applies.

Two groups, created by a data migration (``analytics/migrations/0002_roles.py``):
"CX manager" (everything) and "Agent" (customers, interactions, follow-ups).
A signed-in user with neither role, and who is not a superuser, sees nothing
but the 403 page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

MANAGER = "CX manager"
AGENT = "Agent"
ROLES = (MANAGER, AGENT)


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
                raise PermissionDenied("Your account has no role that may open this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...]


# Each feature adds its pages here, with the roles that may open them.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "home", ROLES),
    NavItem("Customers", "customer-search", ROLES),
    NavItem("Follow-ups", "follow-up-list", ROLES),
    NavItem("Surveys", "survey-builder-list", (MANAGER,)),
    NavItem("Dashboards", "dashboard-overview", (MANAGER,)),
    NavItem("Audit log", "audit-log", (MANAGER,)),
)


def navigation(request: HttpRequest) -> dict:
    """Template context: the navigation entries the signed-in user may open."""
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
    return {"nav_items": items, "user_roles": roles, "is_manager": MANAGER in roles}
