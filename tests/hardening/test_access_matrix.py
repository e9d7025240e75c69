"""Who may open what: every page and every API call, from every side, in two tables.

``PAGES``: each URL name the site serves (``test_every_page_is_in_the_matrix`` walks the URL
resolver, so a new page fails until it is added here), with the answer each role gets:

    L    302 to the login page          403  refused (a role is missing)
    404  not there for this role        200, 302, 405, 409 as such
    *    suffix: the request changes rows; without it, it must change none

Its URL arguments name objects of the test world (``others_case``: a case assigned to another
agent), ``=text`` is literal and ``+name`` the body posted. Unnamed routes and the admin have
short tables of their own below.

``API``: each call of API v1 (``test_every_api_call_is_in_the_matrix`` walks the resolver too),
with the scope it needs and the answer to a key holding just that scope, a key holding every
other scope (so no other scope, alone or together, opens the call), a revoked key holding every
scope, no key, and a signed-in superuser's session (the API takes keys only). "(no key)": no
scope opens the call. A method a path does not offer is 405 to every valid key, whatever its scopes.

Every request runs in a savepoint rolled back afterwards, so each role meets the same world.
"""

import json
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from api.keys import api_key_create, api_key_revoke
from api.scopes import ALL_SCOPES

from .conftest import api_client, db_state, signed_in
from .test_form_input import csv_file

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "agent", "manager", "superuser")

# fmt: off
PAGES = [
    # anonymous, no role, agent,   method  url name                          URL arguments +body
    # manager, superuser
    ("200  302  302  302  302",   "GET",  "login",                          ""),
    ("200  302  302  302  302",   "POST", "login",                          "+wrong_login"),
    ("405  405  405  405  405",   "GET",  "logout",                         ""),
    ("302  302  302  302  302",   "POST", "logout",                         ""),
    ("405  405  405  405  405",   "GET",  "language-set",                   ""),
    # Signed out, the choice is a cookie only; signed in, it is kept with the account.
    ("302  302* 302* 302* 302*",  "POST", "language-set",                   "+language"),
    ("200  200  200  200  200",   "GET",  "health",                         ""),
    ("200  200  200  200  200",   "GET",  "api-schema",                     ""),
    ("200  200  200  200  200",   "GET",  "api-docs",                       ""),
    ("L    403  200  200  200",   "GET",  "home",                           ""),
    ("L    403  200  200  200",   "GET",  "customer-search",                ""),
    ("L    403  200  200  200",   "GET",  "customer-search-results",        ""),
    ("L    403  200  200  200",   "GET",  "customer-detail",                "customer"),
    ("L    403  404  404  404",   "GET",  "customer-detail",                "missing"),
    ("L    403  405  405  405",   "GET",  "customer-interaction-create",    "customer"),
    ("L    403  302* 302* 302*",  "POST", "customer-interaction-create",    "customer +log"),
    ("L    403  403  200  200",   "GET",  "customer-export",                "customer"),
    ("L    403  403  200  200",   "GET",  "customer-erase",                 "customer"),
    ("L    403  403  302* 302*",  "POST", "customer-erase",                 "customer +erase"),
    ("L    403  403  200  200",   "GET",  "csv-import",                     ""),
    ("L    403  403  200  200",   "GET",  "export-new",                     ""),
    ("L    403  403  200  200",   "POST", "export-new",                     "+export"),
    # Object level: an export job is its requester's alone.
    ("L    403  403  200  404",   "GET",  "export-job",                     "export_job"),
    ("L    403  403  200  404",   "GET",  "export-job-state",               "export_job"),
    ("L    403  403  404  404",   "GET",  "export-download",                "export_job"),
    ("L    403  403  200* 200*",  "POST", "csv-import",                     "+csv"),
    ("L    403  403  200  200",   "GET",  "csv-export-customers",           ""),
    ("L    403  403  200  200",   "GET",  "csv-export-interactions",        ""),
    ("L    403  403  200  200",   "GET",  "audit-log",                      ""),
    ("L    403  403  200  200",   "GET",  "dashboard-overview",             ""),
    ("L    403  403  200  200",   "GET",  "dashboard-touchpoints",          ""),
    ("L    403  403  200  200",   "GET",  "dashboard-touchpoint-detail",    "delivery"),
    ("L    403  403  200  200",   "GET",  "dashboard-journeys",             ""),
    ("L    403  403  200  200",   "GET",  "dashboard-drivers",              ""),
    ("L    403  403  200  200",   "GET",  "dashboard-comments",             ""),
    ("L    403  403  200  200",   "GET",  "dashboard-export",               "=overview =csv"),
    ("L    403  200  200  200",   "GET",  "follow-up-list",                 ""),
    # Object level: an agent sees the queue and their own cases, never a colleague's.
    ("L    403  200  200  200",   "GET",  "follow-up-detail",               "queue_case"),
    ("L    403  200  200  200",   "GET",  "follow-up-detail",               "agents_case"),
    ("L    403  404  200  200",   "GET",  "follow-up-detail",               "others_case"),
    ("L    403  302* 302* 302*",  "POST", "follow-up-take",                 "queue_case"),
    ("L    403  302  302  302",   "POST", "follow-up-take",                 "others_case"),
    ("L    403  302* 302* 302*",  "POST", "follow-up-update",               "agents_case +work"),
    ("L    403  403  302* 302*",  "POST", "follow-up-update",               "queue_case +work"),
    ("L    403  404  302* 302*",  "POST", "follow-up-update",               "others_case +work"),
    ("L    403  200  200  200",   "POST", "follow-up-update",               "resolved_case +reopen"),
    ("L    403  403  302* 302*",  "POST", "follow-up-assign",               "queue_case +assign"),
    # Public pages: the token is the key, whoever follows the link.
    ("200  200  200  200  200",   "GET",  "survey-thanks",                  ""),
    ("200* 200* 200* 200* 200*",  "GET",  "survey-answer",                  "token"),
    ("302* 302* 302* 302* 302*",  "POST", "survey-answer",                  "token +answers"),
    ("404  404  404  404  404",   "GET",  "survey-answer",                  "answered_token"),
    ("409  409  409  409  409",   "POST", "survey-answer",                  "answered_token +answers"),
    ("200  200  200  200  200",   "GET",  "survey-unsubscribe",             "token"),
    ("200* 200* 200* 200* 200*",  "POST", "survey-unsubscribe",             "token"),
    ("L    403  403  200  200",   "GET",  "survey-preview",                 "survey"),
    ("L    403  403  200  200",   "GET",  "survey-builder-list",            ""),
    ("L    403  403  200  200",   "GET",  "survey-builder-create",          ""),
    ("L    403  403  302* 302*",  "POST", "survey-builder-create",          "+survey"),
    ("L    403  403  200  200",   "GET",  "survey-builder-detail",          "survey"),
    ("L    403  403  200  200",   "GET",  "survey-builder-edit",            "draft"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-edit",            "draft +survey"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-publish",         "draft"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-close",           "survey"),
    ("L    403  403  200  200",   "GET",  "survey-builder-question-create", "draft"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-question-create", "draft +question"),
    ("L    403  403  200  200",   "GET",  "survey-builder-question-edit",   "draft draft_question"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-question-edit",   "draft draft_question +question"),
    # Object level: a question is reached through its own survey only.
    ("L    403  403  404  404",   "GET",  "survey-builder-question-edit",   "survey draft_question"),
    ("L    403  403  200  200",   "GET",  "survey-builder-question-delete", "draft draft_question"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-question-delete", "draft draft_question"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-question-move",   "survey csat +up"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-rule-create",     "survey +rule"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-rule-active",     "survey rule +off"),
    ("L    403  403  302* 302*",  "POST", "survey-builder-rule-delete",     "survey rule"),
    ("L    403  403  200  200",   "GET",  "journey-map-list",               ""),
    ("L    403  403  200  200",   "GET",  "journey-map-create",             ""),
    ("L    403  403  302* 302*",  "POST", "journey-map-create",             "+journey_map"),
    ("L    403  403  200  200",   "GET",  "journey-map-edit",               "journey_map"),
    ("L    403  403  404  404",   "GET",  "journey-map-edit",               "missing"),
    ("L    403  403  302* 302*",  "POST", "journey-map-edit",               "journey_map +map_edit"),
    # Without script, a step button shows the change and saves nothing.
    ("L    403  403  200  200",   "POST", "journey-map-edit",               "journey_map +map_move"),
    ("L    403  403  200  200",   "POST", "journey-map-preview",            "journey_map +map_preview"),
    ("L    403  403  302* 302*",  "POST", "journey-map-publish",            "journey_map"),
    # The world's map is a draft: nothing to withdraw (the editor says so).
    ("L    403  403  302  302",   "GET",  "journey-map-withdraw",           "journey_map"),
    ("L    403  403  302  302",   "POST", "journey-map-withdraw",           "journey_map"),
    ("L    403  403  200  200",   "GET",  "journey-map-run",                "journey_map assembly_run"),
    ("L    403  403  200  200",   "GET",  "journey-map-run-state",          "journey_map assembly_run"),
    # Object level: a run is reached through its own map only.
    ("L    403  403  404  404",   "GET",  "journey-map-run",                "missing assembly_run"),
]
# fmt: on


def _page_data(world) -> dict[str, Callable[[], object]]:
    """The body of each kind of post, valid for whoever may make it."""
    return {
        "wrong_login": lambda: {"username": "maya", "password": "not her password"},
        "language": lambda: {"language": "zh-hans", "next": "/"},
        "log": lambda: {"touchpoint": world.counter.id, "notes": "Called"},
        "erase": lambda: {"confirm": "C-1"},
        "csv": lambda: {
            "kind": "customers",
            "file": csv_file(["external_id", "name"], [["MATRIX-1", "Matrix"]]),
        },
        "work": lambda: {"status": "in_progress", "note": "Called"},
        "reopen": lambda: {"status": "open", "note": "Reopen"},
        "assign": lambda: {"assignee": world.agent.id},
        "answers": lambda: {f"q{world.questions['nps'].id}": "9", "lang": "en"},
        "survey": lambda: {
            "name": "Matrix survey",
            "kind": "relationship",
            "languages": ["en"],
            "default_language": "en",
            "title_en": "How did we do?",
        },
        "question": lambda: {"type": "text", "required": "on", "text_en": "Anything else?"},
        "up": lambda: {"direction": "up"},
        "rule": lambda: {"touchpoint": world.counter.id, "delay_hours": "24"},
        "off": lambda: {"active": "0"},
        "export": lambda: {"kind": "customers", "file_format": "csv"},
        "journey_map": lambda: {"name": "Matrix map", "description": ""},
        "map_edit": lambda: _map_editor_post(world, name="Matrix map"),
        "map_move": lambda: {**_map_editor_post(world), "move": "0:down"},
        "map_preview": lambda: {**_map_editor_post(world), "action": "preview"},
    }


def _map_editor_post(world, **fields) -> dict:
    """The journey-map editor's post: the world's map with its one step (the counter)."""
    return {
        "name": world.journey_map.name,
        "description": "",
        "timeout_days": "30",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-touchpoint": str(world.counter.id),
        "steps-0-position": "1",
        "steps-0-floor_score": "",
        **fields,
    }


def _argument(world, name: str):
    """A URL argument: ``=text`` as written, ``missing`` an id nothing has, else the world's
    object of that name (its id; a token as it is)."""
    if name.startswith("="):
        return name[1:]
    if name == "missing":
        return 10**9
    if name in world.questions:
        return world.questions[name].id
    value = getattr(world, name)
    return value if isinstance(value, str) else value.id


def page_request(world, name: str, arguments: str) -> tuple[str, dict | None]:
    """The path of a ``PAGES`` row and the body it posts (None for none)."""
    words = arguments.split()
    args = [_argument(world, word) for word in words if not word.startswith("+")]
    bodies = [word[1:] for word in words if word.startswith("+")]
    return reverse(name, args=args), (_page_data(world)[bodies[0]]() if bodies else None)


def expected(statuses: str) -> dict[str, str]:
    return dict(zip(ROLES, statuses.split(), strict=True))


def answer_of(response, changed: bool) -> str:
    login = reverse("login") + "?next="
    if response.status_code == 302 and response["Location"].startswith(login):
        answer = "L"
    else:
        answer = str(response.status_code)
    return answer + ("*" if changed else "")


def isolated(request: Callable):
    """Run ``request`` in a savepoint rolled back afterwards; returns its answer and whether it
    changed any row of the domain tables."""
    with transaction.atomic():
        before = db_state()
        response = request()
        changed = db_state() != before
        transaction.set_rollback(True)
    return response, changed


def page_id(row) -> str:
    _, method, name, arguments = row
    return f"{method} {name} {arguments}".strip()


def users_of(world, superuser, outsider) -> dict:
    return {
        "anonymous": None,
        "outsider": outsider,
        "agent": world.agent,
        "manager": world.manager,
        "superuser": superuser,
    }


@pytest.mark.parametrize("role", ROLES)
def test_page_access(world, superuser, outsider, role):
    """The role's column of ``PAGES``: the answer to each row, as the table says."""
    user = users_of(world, superuser, outsider)[role]
    got, want = {}, {}
    for row in PAGES:
        statuses, method, name, arguments = row
        client = signed_in(user)  # afresh: a row may sign out
        path, data = page_request(world, name, arguments)
        send = getattr(client, method.lower())
        response, changed = isolated(lambda send=send, path=path, data=data: send(path, data))
        got[page_id(row)] = answer_of(response, changed)
        want[page_id(row)] = expected(statuses)[role]
    assert got == want


def _urls(resolver=None, namespace=None, prefix=""):
    """(namespace, name, route, pattern) of every URL pattern, depth first."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _urls(pattern, pattern.namespace or namespace, route)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, route, pattern


def _named_urls():
    """(namespace, name, pattern) of every named URL pattern."""
    for namespace, name, _route, pattern in _urls():
        if name:
            yield namespace, name, pattern


def test_every_page_is_in_the_matrix():
    """A page added to the site fails here until the matrix says who may open it."""
    served = {name for namespace, name, _ in _named_urls() if namespace is None}
    assert served == {row[2] for row in PAGES}


# Routes without a name: a path of each, and the answer to anonymous, agent, superuser.
UNNAMED = {
    "favicon.ico": ("/favicon.ico", "302 302 302"),
    "admin/login/": ("/admin/login/", "200 200 302"),  # staff signed in go on to the admin
    "api/^": ("/api/v2/anything/", "404 404 404"),
}


def test_every_unnamed_route_is_known_and_answers_as_listed(world, superuser):
    assert {route for namespace, name, route, _ in _urls() if not name and namespace is None} == set(UNNAMED)
    got = {
        route: " ".join(str(signed_in(user).get(path).status_code) for user in (None, world.agent, superuser))
        for route, (path, _) in UNNAMED.items()
    }
    assert got == {route: statuses for route, (_, statuses) in UNNAMED.items()}


# --- the admin ---------------------------------------------------------------------------------


def _admin_pages(world) -> list[str]:
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
        obj = model.objects.first()
        if obj is not None:
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    return pages


def test_the_admin_is_for_staff_only(world, superuser, outsider):
    """The admin (index, every model's list, add and change pages) opens for staff; everyone
    else, managers included, is sent to the admin's own sign-in. Computed tables take no "add"
    even from a superuser (403)."""
    problems = []
    for role, user in users_of(world, superuser, outsider).items():
        client = signed_in(user)
        for path in _admin_pages(world):
            response = client.get(path)
            if role == "superuser":
                ok = response.status_code == 200 or (path.endswith("/add/") and response.status_code == 403)
            else:
                ok = response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
            if not ok:
                problems.append(f"{role} {path}: {response.status_code}")
    assert not problems, "\n".join(problems)


# --- API v1 --------------------------------------------------------------------------------------

# fmt: off
API = [
    # with the scope, every other scope,  call (path under /api/v1)          scope needed          body
    # revoked key, no key, session
    ("200  403  401  401  401",  "GET /customers/",                     "customers:read",     None),
    ("201* 403  401  401  401",  "POST /customers/",                    "customers:write",    "customer"),
    ("200* 403  401  401  401",  "POST /customers/bulk/",               "customers:write",    "bulk"),
    ("200  403  401  401  401",  "GET /customers/C-1/",                 "customers:read",     None),
    ("404  403  401  401  401",  "GET /customers/NOPE/",                "customers:read",     None),
    ("200* 403  401  401  401",  "PUT /customers/C-1/",                 "customers:write",    "name"),
    ("200* 403  401  401  401",  "PATCH /customers/C-1/",               "customers:write",    "name"),
    ("204* 403  401  401  401",  "DELETE /customers/C-1/",              "customers:write",    None),
    ("200  200  401  401  401",  "GET /touchpoints/",                   None,                 None),
    ("201* 403  401  401  401",  "POST /touchpoints/",                  "interactions:write", "touchpoint"),
    ("200  200  401  401  401",  "GET /touchpoints/delivery/",          None,                 None),
    ("200* 403  401  401  401",  "PATCH /touchpoints/delivery/",        "interactions:write", "name"),
    ("405  405  401  401  401",  "DELETE /touchpoints/delivery/",       "interactions:write", None),
    ("200  403  401  401  401",  "GET /interactions/",                  "customers:read",     None),
    ("201* 403  401  401  401",  "POST /interactions/",                 "interactions:write", "interaction"),
    ("200* 403  401  401  401",  "POST /interactions/bulk/",            "interactions:write", "interactions"),
    ("200  403  401  401  401",  "GET /journeys/",                      "customers:read",     None),
    ("200  403  401  401  401",  "GET /journeys/{journey}/",            "customers:read",     None),
    ("201* 403  401  401  401",  "POST /journeys/",                     "journeys:write",     "journey"),
    ("200* 403  401  401  401",  "PATCH /journeys/{journey}/",          "journeys:write",     "end"),
    ("200* 403  401  401  401",  "POST /journeys/{journey}/interactions/", "journeys:write",  "attach"),
    ("405  405  401  401  401",  "PUT /journeys/{journey}/",            "(no key)",           "end"),
    ("405  405  401  401  401",  "DELETE /journeys/{journey}/",         "(no key)",           None),
    ("200  403  401  401  401",  "GET /journey-maps/",                  "customers:read",     None),
    ("200  403  401  401  401",  "GET /journey-maps/{journey_map}/",    "customers:read",     None),
    ("405  405  401  401  401",  "POST /journey-maps/",                 "(no key)",           "name"),
    ("200  403  401  401  401",  "GET /surveys/",                       "surveys:read",       None),
    ("200  403  401  401  401",  "GET /surveys/{survey}/",              "surveys:read",       None),
    ("405  405  401  401  401",  "DELETE /surveys/{survey}/",           "(no key)",           None),
    ("201* 403  401  401  401",  "POST /surveys/{survey}/invitations/", "invitations:write",  "invite"),
    # Object level: only a live survey takes invitations.
    ("400  403  401  401  401",  "POST /surveys/{draft}/invitations/",  "invitations:write",  "invite"),
    ("200  403  401  401  401",  "GET /invitations/",                   "invitations:read",   None),
    ("200  403  401  401  401",  "GET /invitations/{invitation}/",      "invitations:read",   None),
    ("200  403  401  401  401",  "GET /responses/",                     "responses:read",     None),
    ("405  405  401  401  401",  "POST /responses/",                    "(no key)",           "name"),
    ("200  403  401  401  401",  "GET /metrics/nps/",                   "metrics:read",       None),
    ("200  403  401  401  401",  "GET /metrics/csat/",                  "metrics:read",       None),
    ("200  403  401  401  401",  "GET /metrics/ces/",                   "metrics:read",       None),
    ("200  403  401  401  401",  "GET /metrics/expectation/",           "metrics:read",       None),
    ("200  403  401  401  401",  "GET /metrics/peak-end/",              "metrics:read",       None),
    ("200  403  401  401  401",  "GET /metrics/drivers/",               "metrics:read",       None),
    # Past authorization a funnel needs its journey map: without one, a 400 naming the field.
    ("400  403  401  401  401",  "GET /metrics/journeys/",              "metrics:read",       None),
    ("200  403  401  401  401",  "GET /follow-ups/",                    "followups:read",     None),
    ("200  403  401  401  401",  "GET /follow-ups/{queue_case}/",       "followups:read",     None),
    ("200* 403  401  401  401",  "PATCH /follow-ups/{queue_case}/",     "followups:write",    "work"),
    # Object level: a resolved case is closed, whoever asks.
    ("400  403  401  401  401",  "PATCH /follow-ups/{resolved_case}/",  "followups:write",    "reopen"),
    ("405  405  401  401  401",  "PUT /follow-ups/{queue_case}/",       "followups:write",    "work"),
    # Webhook subscriptions (and their URLs) are seen and changed with webhooks:manage only.
    ("200  403  401  401  401",  "GET /webhooks/",                      "webhooks:manage",    None),
    ("201* 403  401  401  401",  "POST /webhooks/",                     "webhooks:manage",    "webhook"),
    ("200  403  401  401  401",  "GET /webhooks/{webhook}/",            "webhooks:manage",    None),
    ("405  405  401  401  401",  "PATCH /webhooks/{webhook}/",          "webhooks:manage",    "name"),
    ("204* 403  401  401  401",  "DELETE /webhooks/{webhook}/",         "webhooks:manage",    None),
    ("200  403  401  401  401",  "GET /exports/",                       "exports:read",       None),
    ("202* 403  401  401  401",  "POST /exports/",                      "exports:read",       "export"),
    # Object level: an export job is seen by the key that started it only.
    ("404  403  401  401  401",  "GET /exports/{export_job}/",          "exports:read",       None),
    ("404  403  401  401  401",  "GET /exports/{export_job}/download/", "exports:read",       None),
]
# fmt: on
PRINCIPALS = ("scope", "others", "revoked", "none", "session")


def _api_body(world, name: str | None):
    return {
        None: None,
        "name": {"name": "Renamed"},
        "customer": {"external_id": "N-1", "name": "New"},
        "bulk": {"items": [{"external_id": "N-2", "name": "New"}]},
        "touchpoint": {"code": "returns", "name": "Returns", "stage": "post_sale", "channel": "web"},
        "interaction": {"customer": "C-1", "touchpoint": "counter"},
        "interactions": {"items": [{"customer": "C-1", "touchpoint": "counter", "external_id": "I-1"}]},
        "invite": {"customer": "C-1"},
        "work": {"status": "in_progress", "note": "Called"},
        "reopen": {"status": "open"},
        "webhook": {"url": "https://crm.example.com/hooks/2", "events": ["followup.created"]},
        "export": {"kind": "customers"},
        "journey": {"external_id": "ORDER-1", "customer": "C-1", "journey_map": world.journey_map.id},
        "end": {"status": "completed"},
        "attach": {"interactions": [world.interaction.id]},
    }[name]


def _api_path(world, template: str) -> str:
    names = ("journey", "journey_map", "survey", "draft", "invitation")
    names += ("queue_case", "resolved_case", "webhook", "export_job")
    return template.format(**{name: getattr(world, name).id for name in names})


def _keyed(scopes) -> object:
    return api_client(api_key_create(name="Matrix", scopes=list(scopes))[1])


def api_principals(world, superuser, needs: str | None) -> dict:
    revoked_key, revoked = api_key_create(name="Revoked")
    api_key_revoke(api_key=revoked_key)
    if needs is None:  # any key may call: "others" is a key with one unrelated scope
        scope, others = ["customers:read"], ["metrics:read"]
    elif needs not in ALL_SCOPES:  # no scope opens the call
        scope, others = list(ALL_SCOPES), list(ALL_SCOPES)
    else:
        scope, others = [needs], [name for name in ALL_SCOPES if name != needs]
    session = Client()
    session.force_login(superuser)
    return {
        "scope": _keyed(scope),
        "others": _keyed(others),
        "revoked": api_client(revoked),
        "none": api_client(None),
        "session": session,
    }


def api_id(row) -> str:
    return row[1]


def api_call(world, row) -> tuple[str, str]:
    """The method and full path of an ``API`` row."""
    method, template = row[1].split()
    return method.lower(), "/api/v1" + _api_path(world, template)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_api_access(world, superuser, principal):
    """The principal's column of ``API``: the answer to each row, as the table says."""
    got, want = {}, {}
    clients = {}
    for row in API:
        statuses, _, needs, body = row
        if needs not in clients:
            clients[needs] = api_principals(world, superuser, needs)[principal]
        method, path = api_call(world, row)
        data = _api_body(world, body)
        text = None if data is None else json.dumps(data)
        send = getattr(clients[needs], method)

        def call(send=send, path=path, text=text, method=method):
            if method == "get":
                return send(path)
            return send(path, text, content_type="application/json")

        response, changed = isolated(call)
        if response.status_code in (401, 403, 404, 405):
            assert set(response.json()) == {"errors"}, response.content
        got[api_id(row)] = str(response.status_code) + ("*" if changed else "")
        want[api_id(row)] = dict(zip(PRINCIPALS, statuses.split(), strict=True))[principal]
    assert got == want


def _api_calls() -> set[tuple[str, str]]:
    """(url name, METHOD) of every call the API routes, from the resolver."""
    calls = set()
    for namespace, name, pattern in _named_urls():
        if namespace != "api":
            continue
        callback = pattern.callback
        if getattr(callback, "actions", None):
            methods = callback.actions
        else:
            view = callback.view_class
            methods = [m for m in view.http_method_names if hasattr(view, m)]
        calls |= {(name, method.upper()) for method in methods if method not in ("head", "options")}
    return calls


def test_every_api_call_is_in_the_matrix(world):
    """A call added to the API fails here until the matrix says which keys may make it."""
    covered = {
        (resolve(path).url_name, method.upper()) for method, path in (api_call(world, row) for row in API)
    }
    assert _api_calls() <= covered, sorted(_api_calls() - covered)
