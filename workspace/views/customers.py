"""The agent workspace: find a customer as you type, see their whole history, log a contact.

Thin views: each validates its input, calls one selector or ``interaction_log`` and renders.
The search works as a plain GET form; ``static/js/workspace.js`` adds as-you-type results by
fetching ``customer_search_results`` (the same list, as an HTML fragment).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language_info, gettext
from django.views.decorators.http import require_GET, require_POST

from access.roles import ROLES, role_required
from journeys import selectors as journeys
from touchpoints import selectors as ledger
from touchpoints.models import Customer
from touchpoints.services import interaction_log
from workspace import selectors
from workspace.forms import CustomerSearchForm, InteractionLogForm, add_service_error


def _language_name(code: str) -> str:
    """The customer's language as the agent reads it ("Simplified Chinese", "简体中文"); an unknown
    code as it is stored."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def _search(request: HttpRequest):
    form = CustomerSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    return form, ledger.customer_search(query=query)


@role_required(*ROLES)
@require_GET
def customer_search(request: HttpRequest) -> HttpResponse:
    """The search page; a query that names exactly one customer by id, email or phone opens them."""
    form, result = _search(request)
    if result.exact is not None and result.matched == 1:
        return redirect("customer-detail", customer_id=result.exact.pk)
    return render(request, "workspace/customer_search.html", {"form": form, "result": result})


@role_required(*ROLES)
@require_GET
def customer_search_results(request: HttpRequest) -> HttpResponse:
    """The result list alone, for the as-you-type box."""
    _form, result = _search(request)
    return render(request, "workspace/_search_results.html", {"result": result})


def _customer_page(request: HttpRequest, customer_id: int, *, form=None, before=None) -> HttpResponse:
    try:
        view = selectors.customer_360(customer_id=customer_id, before=before)
    except Customer.DoesNotExist:
        raise Http404("No such customer.") from None
    context = {
        "view": view,
        "customer": view.customer,
        "language_name": _language_name(view.customer.locale),
        "form": form or InteractionLogForm(customer=view.customer),
        "categories": ledger.interaction_categories_recent(),
        "before": before,
    }
    return render(request, "workspace/customer_detail.html", context)


@role_required(*ROLES)
@require_GET
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer 360, with the form to log a contact; ``?before=`` pages back in the history."""
    return _customer_page(request, customer_id, before=_instant(request.GET.get("before", "")))


def _instant(text: str):
    """An aware date-time from the query string, or None for anything else (never an error)."""
    try:
        moment = parse_datetime(text) if text else None
    except ValueError:  # well-formed but impossible, e.g. month 13
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _logged_message(interaction) -> str:
    """What the agent reads after logging: the contact, and the journey it joined. Assembly runs once
    the log commits: inline where tasks run eagerly (the journey is known here), else in a moment."""
    words = {"touchpoint": interaction.touchpoint.name, "channel": interaction.get_channel_display()}
    journey = journeys.journey_of_interaction(interaction_id=interaction.pk)
    if journey is not None and journey.journey_map is not None:
        words["journey"] = journey.journey_map.name
        return gettext("Logged: %(touchpoint)s · %(channel)s. It joined the journey %(journey)s.") % words
    if journey is not None:
        return gettext("Logged: %(touchpoint)s · %(channel)s. It joined an unmapped journey.") % words
    if journeys.journey_assembly_pending(customer_id=interaction.customer_id):
        return (
            gettext(
                "Logged: %(touchpoint)s · %(channel)s. The journey maps place it in a moment: "
                "reload the page to see which journey it joined."
            )
            % words
        )
    return gettext("Logged: %(touchpoint)s · %(channel)s.") % words


@role_required(*ROLES)
@require_POST
def interaction_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Log a contact with the customer, by the signed-in user; back to the customer page."""
    try:
        customer = ledger.customer_get(customer_id=customer_id)
    except Customer.DoesNotExist:
        raise Http404("No such customer.") from None
    form = InteractionLogForm(request.POST, customer=customer)
    if form.is_valid():
        try:
            interaction = interaction_log(customer=customer, agent=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _logged_message(interaction))
            url = reverse("customer-detail", kwargs={"customer_id": customer.pk})
            return redirect(f"{url}#interaction-{interaction.pk}")
    return _customer_page(request, customer_id, form=form)
