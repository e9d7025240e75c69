"""A customer's data on request, for CX managers: download it as JSON, or erase it.

Thin views: each loads the customer, calls one privacy service and answers.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from access.roles import MANAGER, role_required
from privacy.forms import CustomerEraseForm
from privacy.services import (
    customer_data_counts,
    customer_erase,
    customer_export,
    customer_is_anonymous,
    customer_is_erased,
)
from touchpoints import selectors
from touchpoints.models import Customer


def _customer(customer_id: int) -> Customer:
    try:
        return selectors.customer_get(customer_id=customer_id)
    except Customer.DoesNotExist:
        raise Http404("No such customer.") from None


@role_required(MANAGER)
@require_GET
def customer_export_download(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Everything held about the customer, as a JSON file; the export is audited."""
    customer = _customer(customer_id)
    document = customer_export(customer, actor=request.user, request=request)
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}-{stamp}.json"'
    response["Cache-Control"] = "no-store"  # personal data: no copy in a shared cache
    return response


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def customer_erase_confirm(request: HttpRequest, customer_id: int) -> HttpResponse:
    """GET shows what erasure removes and asks for the external id; POST erases, back to the customer."""
    customer = _customer(customer_id)
    # Bound on every POST, an empty one included: it gets "required", never the GET page.
    form = CustomerEraseForm(request.POST if request.method == "POST" else None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            customer_erase(customer, actor=request.user, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, gettext("The personal data of customer %(id)s was erased.") % {"id": customer.pk}
            )
            return redirect("customer-detail", customer_id=customer.pk)
    context = {
        "customer": customer,
        "form": form,
        "counts": customer_data_counts(customer),
        "erased": customer_is_erased(customer),
        "anonymous": customer_is_anonymous(customer),
    }
    return render(request, "privacy/customer_erase.html", context, status=400 if form.errors else 200)
