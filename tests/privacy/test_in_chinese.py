"""The erasure page and its answers in Chinese."""

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, InteractionFactory
from tests.followups.chinese import ZH, english_left, language_restored  # noqa: F401 - autouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    customer = CustomerFactory(name="Ada Private", email="ada@example.org", external_id="CRM-ADA", segment="")
    InteractionFactory(customer=customer)
    return customer


def data_of(customer) -> list[str]:
    return [customer.name, customer.external_id, f"customer-{customer.pk}.json"]


def test_the_erase_page_reads_in_chinese(manager_client, customer):
    response = manager_client.get(reverse("customer-erase", args=[customer.pk]), HTTP_ACCEPT_LANGUAGE=ZH)

    html = response.content.decode()
    assert "删除 Ada Private 的个人数据？" in html and "1 次互动" not in html and "1 次联系" in html
    assert english_left(html, data=data_of(customer)) == []


def test_a_wrong_confirmation_is_refused_in_chinese(manager_client, customer):
    response = manager_client.post(
        reverse("customer-erase", args=[customer.pk]), {"confirm": "nope"}, HTTP_ACCEPT_LANGUAGE=ZH
    )

    html = response.content.decode()
    assert response.status_code == 400 and "这不是该客户的外部 ID，未删除任何数据。" in html
    assert english_left(html, data=[*data_of(customer), "nope"]) == []


def test_the_erasure_is_confirmed_in_chinese(manager_client, customer):
    response = manager_client.post(
        reverse("customer-erase", args=[customer.pk]),
        {"confirm": "CRM-ADA"},
        HTTP_ACCEPT_LANGUAGE=ZH,
        follow=True,
    )

    assert f"客户 {customer.pk} 的个人数据已删除。" in response.content.decode()
