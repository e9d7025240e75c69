"""Customer search: by name, email, phone or external id, as you type, and without JavaScript."""

import json
from datetime import timedelta

import factory
import pytest
from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tests.factories import CustomerFactory, InteractionFactory
from touchpoints import selectors
from touchpoints.selectors import customer_search

pytestmark = pytest.mark.django_db


def names(result) -> list[str]:
    return [customer.name for customer in result.customers]


def factory_name(surname: str):
    return factory.Sequence(lambda n: f"Person{n} {surname}")


def test_a_name_is_found_from_any_part_of_it_in_any_case():
    CustomerFactory(name="Grace Hopper")
    CustomerFactory(name="Ada Lovelace")

    assert names(customer_search(query="hoPP")) == ["Grace Hopper"]


def test_the_words_of_a_name_may_come_in_any_order():
    CustomerFactory(name="Grace Brewster Hopper")
    CustomerFactory(name="Grace Kelly")

    assert names(customer_search(query="hopper grace")) == ["Grace Brewster Hopper"]


@pytest.mark.parametrize(
    "query",
    ["wang.fang@example.cn", "WANG.FANG", "+86 138 0013 8000", "0013 8000", "CRM-778899", "crm-7788"],
)
def test_email_phone_and_external_id_find_the_customer(query):
    CustomerFactory(
        name="王芳", email="wang.fang@example.cn", phone="+8613800138000", external_id="CRM-778899"
    )
    CustomerFactory(name="Someone Else", email="else@example.com", phone="+442079460000", external_id="X-1")

    assert names(customer_search(query=query)) == ["王芳"]


# --- phone numbers as caller ID and people write them (stored in E.164) ----------------------------


@pytest.fixture
def caller(settings):
    settings.PHONE_DEFAULT_REGION = "GB"
    CustomerFactory(name="Someone Else", phone="+442079460000")
    return CustomerFactory(name="Grace Hopper", phone="+447700900496")


@pytest.mark.parametrize(
    "query", ["+44 7700 900496", "07700 900496", "+447700900496", "7700900496", "0044 7700 900496"]
)
def test_a_whole_phone_number_in_any_form_finds_its_customer_exactly(caller, query):
    result = customer_search(query=query)

    assert result.customers == [caller] and result.exact == caller


@pytest.mark.parametrize("query", ["07700 900", "7700 9004", "900496", "+44 7700"])
def test_a_partial_phone_number_matches_by_its_digits(caller, query):
    result = customer_search(query=query)

    assert result.customers == [caller] and result.exact is None


def test_a_phone_number_typed_in_the_search_page_opens_its_customer(agent_client, caller):
    response = agent_client.get(reverse("customer-search"), {"q": "07700 900496"})

    assert response.status_code == 302
    assert response["Location"] == reverse("customer-detail", args=[caller.id])


# --- Chinese, Japanese and Korean names: two characters are a name ------------------------------


def test_two_chinese_characters_find_a_given_or_a_family_name():
    CustomerFactory(name="王子涵")
    CustomerFactory(name="欧阳子涵")
    CustomerFactory(name="王芳")
    CustomerFactory(name="Zihan Wang")

    assert names(customer_search(query="子涵")) == ["欧阳子涵", "王子涵"]
    assert names(customer_search(query="王子")) == ["王子涵"]
    assert names(customer_search(query="王芳")) == ["王芳"]
    assert names(customer_search(query="欧阳 子涵")) == ["欧阳子涵"]


def test_two_japanese_or_korean_characters_search_too():
    CustomerFactory(name="山田太郎")
    CustomerFactory(name="김민준")

    assert names(customer_search(query="太郎")) == ["山田太郎"]
    assert names(customer_search(query="민준")) == ["김민준"]


def test_one_chinese_character_is_too_short_unless_it_is_an_exact_key():
    CustomerFactory(name="王芳", external_id="王")

    assert customer_search(query="芳").too_short and customer_search(query="芳").customers == []
    assert names(customer_search(query="王")) == ["王芳"]


def test_a_two_character_search_costs_the_same_few_queries(agent_client, django_assert_max_num_queries):
    for n in range(30):
        InteractionFactory(customer=CustomerFactory(name=f"王{n}子涵"))
    CustomerFactory(name="李子涵")

    with django_assert_max_num_queries(8):
        response = agent_client.get(reverse("customer-search-results"), {"q": "子涵"})

    assert response.content.decode().count("result-link") == selectors.SEARCH_LIMIT


def test_a_short_word_beside_a_longer_one_matches_the_start_of_a_name_word():
    CustomerFactory(name="Grace Hopper")
    CustomerFactory(name="Grace Thompson")

    assert names(customer_search(query="grace ho")) == ["Grace Hopper"]
    assert names(customer_search(query="ho grace")) == ["Grace Hopper"]


def test_an_exact_key_finds_its_customer_alone():
    CustomerFactory(name="Aaron ab12", external_id="AB12-9")
    exact = CustomerFactory(name="Zed Zimmer", external_id="ab12")

    result = customer_search(query="ab12")

    assert result.customers == [exact]
    assert result.exact == exact


def test_names_starting_with_the_query_come_before_names_containing_it():
    CustomerFactory(name="Anna Berg")
    CustomerFactory(name="Bergit Lund")

    assert names(customer_search(query="berg")) == ["Bergit Lund", "Anna Berg"]


def test_fewer_than_three_characters_only_match_an_exact_key():
    CustomerFactory(name="Li Na", external_id="L1")
    CustomerFactory(name="Lin Li", external_id="Q7")

    short = customer_search(query="Li")
    exact = customer_search(query="Q7")

    assert short.too_short and short.customers == []
    assert names(exact) == ["Lin Li"]


def test_a_broad_query_ranks_a_bounded_number_of_matches(monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 5)
    CustomerFactory.create_batch(12, name=factory_name("Smith"))

    result = customer_search(query="smith", limit=3)

    assert len(result.customers) == 3
    assert result.capped and result.more and result.ranked == 5


def test_results_carry_the_latest_contact():
    customer = CustomerFactory(name="Grace Hopper")
    InteractionFactory(customer=customer, occurred_at=timezone.now() - timedelta(days=9))
    latest = InteractionFactory(customer=customer, occurred_at=timezone.now() - timedelta(days=2))

    (found,) = customer_search(query="grace").customers

    assert found.last_contact_at == latest.occurred_at


def test_search_page_works_as_a_plain_get_form(agent_client):
    CustomerFactory(name="Grace Hopper")
    CustomerFactory(name="Grace Kelly")

    response = agent_client.get(reverse("customer-search"), {"q": "grace"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="get"' in html and 'name="q"' in html
    assert "Grace Hopper" in html and "Grace Kelly" in html
    assert "/static/js/workspace.js" in html and "/static/css/workspace.css" in html


def test_an_exact_key_naming_one_customer_opens_them(agent_client):
    customer = CustomerFactory(external_id="CRM-42")

    response = agent_client.get(reverse("customer-search"), {"q": "CRM-42"})

    assert response.status_code == 302
    assert response["Location"] == reverse("customer-detail", args=[customer.id])


def test_the_results_fragment_is_the_list_alone(agent_client):
    CustomerFactory(name="Grace Hopper")

    response = agent_client.get(reverse("customer-search-results"), {"q": "hopper"})

    html = response.content.decode()
    assert "Grace Hopper" in html
    assert "<html" not in html and "<form" not in html


def test_no_match_says_so(agent_client):
    response = agent_client.get(reverse("customer-search-results"), {"q": "nobody-here"})

    assert "No customer matches" in response.content.decode()


def test_search_text_is_escaped(agent_client):
    CustomerFactory(name="<script>alert(1)</script> Smith")

    response = agent_client.get(reverse("customer-search-results"), {"q": "<script>"})

    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)" in response.content


def test_search_costs_the_same_few_queries_however_many_match(agent_client, django_assert_max_num_queries):
    for n in range(40):
        customer = CustomerFactory(name=f"Person{n} Smith")
        InteractionFactory(customer=customer)

    with django_assert_max_num_queries(8):
        response = agent_client.get(reverse("customer-search-results"), {"q": "smith"})

    assert response.content.decode().count("result-link") == selectors.SEARCH_LIMIT


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_postgresql_serves_substring_search_from_the_trigram_indexes():
    CustomerFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'touchpoints_customer'")
        indexes = {name for (name,) in cursor.fetchall()}
        cursor.execute("SET LOCAL enable_seqscan = off")
        query = selectors.Customer.objects.filter(selectors._substring("hopper")).values_list("id")
        plan = query.explain()

    assert {f"customer_{c}_trgm_idx" for c in ("name", "email", "external_id", "phone")} <= indexes
    assert "customer_name_trgm_idx" in plan and "customer_email_trgm_idx" in plan


def _index_scans(plan: list) -> list[dict]:
    """Every index scan node of an EXPLAIN (FORMAT JSON) plan."""
    found, nodes = [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop()
        if "Index" in node["Node Type"]:
            found.append(node)
        nodes.extend(node.get("Plans", []))
    return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
@pytest.mark.parametrize("query", ["懿轩", "0551 234", "+354 551"])
def test_postgresql_serves_two_cjk_characters_and_partial_phones_from_the_indexes(query):
    """Not only an index scan: one that reads only candidates. A pattern the trigram index cannot
    use ("%懿轩%") shows up as an index scan returning every row (the control). The wanted name and
    number are ones no other test stores: rows of earlier tests, rolled back, stay in the index."""
    others = 500
    selectors.Customer.objects.bulk_create(
        selectors.Customer(external_id=f"OTHER-{n}", name=f"司马懿轩{n}", phone=f"+4420{n:08d}")
        for n in range(others)
    )
    wanted = CustomerFactory(name="司马懿轩", phone="+3545512345")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE touchpoints_customer")
        cursor.execute("SET LOCAL enable_seqscan = off")

    def scanned(condition) -> list[tuple[str, int]]:
        plan = selectors.Customer.objects.filter(condition).values("id").explain(format="json", analyze=True)
        return [(scan.get("Index Name"), scan["Actual Rows"]) for scan in _index_scans(json.loads(plan))]

    assert all(rows >= others for _, rows in scanned(Q(name__icontains="懿轩")))
    scans = scanned(selectors._substring(query))
    assert scans and all(rows < others / 2 for _, rows in scans), scans
    assert list(selectors.Customer.objects.filter(selectors._substring(query))) == [wanted]
