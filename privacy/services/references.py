"""Naming one customer on the command line: by the platform's id or by the CRM's external id."""

from django.utils.translation import gettext

from touchpoints.models import Customer

ID_PREFIX = "id:"
EXTERNAL_PREFIX = "external:"
_MAX_ID = 2**63 - 1  # the id column is a bigint
_MAX_EXTERNAL_ID = Customer._meta.get_field("external_id").max_length


class CustomerReferenceError(ValueError):
    """The reference names no customer, or more than one; the message says which and how to fix it."""


def _by_id(text: str) -> Customer | None:
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= _MAX_ID:
        return None
    return Customer.objects.filter(pk=int(text)).first()


def _by_external_id(text: str) -> Customer | None:
    if len(text) > _MAX_EXTERNAL_ID:
        return None
    return Customer.objects.filter(external_id=text).first()


def customer_by_reference(reference: str) -> Customer:
    """The customer ``reference`` names: ``id:<n>`` (the platform's id), ``external:<text>`` (the
    CRM's id), or a bare value that is either.

    A bare number that is one customer's id and another customer's external id
    is refused as ambiguous rather than guessed: these references feed exports
    and irreversible erasures. Raises ``CustomerReferenceError``.
    """
    text = (reference or "").strip()
    if not text:
        raise CustomerReferenceError(gettext("Give a customer id or external id."))
    if "\x00" in text:
        raise CustomerReferenceError(gettext("A customer reference cannot contain a NUL character."))
    if text.startswith(ID_PREFIX):
        number = text.removeprefix(ID_PREFIX).strip()
        if not (number.isascii() and number.isdigit() and 0 < int(number) <= _MAX_ID):
            raise CustomerReferenceError(
                gettext("%(reference)s is not a customer id: use id:<a positive whole number>.")
                % {"reference": repr(text)}
            )
        customer = _by_id(number)
        if customer is None:
            raise CustomerReferenceError(gettext("No customer has the id %(id)s.") % {"id": number})
        return customer
    if text.startswith(EXTERNAL_PREFIX):
        external_id = text.removeprefix(EXTERNAL_PREFIX).strip()
        if not external_id or len(external_id) > _MAX_EXTERNAL_ID:
            raise CustomerReferenceError(
                gettext("An external id has 1 to %(max)s characters; got %(count)s.")
                % {"max": _MAX_EXTERNAL_ID, "count": len(external_id)}
            )
        customer = _by_external_id(external_id)
        if customer is None:
            raise CustomerReferenceError(
                gettext("No customer has the external id %(external_id)s.")
                % {"external_id": repr(external_id)}
            )
        return customer
    by_id, by_external_id = _by_id(text), _by_external_id(text)
    if by_id is not None and by_external_id is not None and by_id.pk != by_external_id.pk:
        raise CustomerReferenceError(
            gettext(
                "%(reference)s is the id of customer %(external_id)s and the external id of another "
                "customer: say which with id:%(text)s or external:%(text)s."
            )
            % {"reference": repr(text), "external_id": repr(by_id.external_id), "text": text}
        )
    customer = by_id or by_external_id
    if customer is None:
        raise CustomerReferenceError(
            gettext("No customer has the id or external id %(reference)s.") % {"reference": repr(text)}
        )
    return customer
