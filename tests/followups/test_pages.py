"""What the case pages show people: names rather than usernames, segments as labels."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp, FollowUpReason
from tests.factories import CustomerFactory, InvitationFactory, ResponseFactory
from touchpoints.models import segment_label

pytestmark = pytest.mark.django_db


def case_of(customer=None) -> FollowUp:
    invitation = InvitationFactory(**({"customer": customer} if customer else {}))
    response = ResponseFactory(invitation=invitation)
    now = timezone.now()
    return FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=response.customer,
        response=response,
        score=3,
        opened_at=now - timedelta(hours=1),
        due_at=now + timedelta(hours=47),
    )


def test_the_assign_form_lists_people_by_name(manager_client, manager, agent):
    agent.first_name, agent.last_name = "Alex", "Rivera"
    agent.save()
    manager.first_name, manager.last_name = "", ""
    manager.save()

    page = manager_client.get(reverse("follow-up-detail", args=[case_of().id])).content.decode()

    assert f'<option value="{agent.id}">Alex Rivera</option>' in page
    assert f'<option value="{manager.id}">{manager.username}</option>' in page  # no name: the username


@pytest.mark.parametrize(
    "segment, label",
    [
        ("small_business", "Small business"),
        ("key-accounts", "Key accounts"),
        ("consumer", "Consumer"),
        ("SMB", "SMB"),  # written for people already: kept
        ("Key accounts", "Key accounts"),
        ("", ""),
    ],
)
def test_a_segment_code_reads_as_a_label(segment, label):
    assert segment_label(segment) == label


def test_the_case_page_and_the_customer_360_show_the_segment_label(manager_client):
    customer = CustomerFactory(segment="small_business")

    case_page = manager_client.get(reverse("follow-up-detail", args=[case_of(customer).id]))
    customer_page = manager_client.get(reverse("customer-detail", args=[customer.id]))

    for page in (case_page.content.decode(), customer_page.content.decode()):
        assert "Small business" in page and "small_business" not in page
