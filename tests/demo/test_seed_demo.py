"""``manage.py seed_demo``: a complete, consistent, deterministic demo in one transaction."""

import io
import math
import re
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.utils import timezone

from access.roles import AGENT, MANAGER
from journeys.models import Journey, JourneyMap
from surveys.models import Answer, Invitation, Question, Response, Survey
from touchpoints.models import Channel, Customer, Interaction, Stage, Touchpoint

SMALL = ("--customers", "60", "--seed", "7")
DEMO_PASSWORD = "demo-password-2026"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
MODELS = (
    Touchpoint,
    JourneyMap,
    Customer,
    Journey,
    Interaction,
    Survey,
    Question,
    Invitation,
    Response,
    Answer,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The demo logins are checked by signing in; the default hasher would make that slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def ratios_by_touchpoint() -> dict[str, list[float]]:
    """Experienced / expected per touchpoint, from the stored expectation-pair answers."""
    ratios = defaultdict(list)
    pairs = Answer.objects.filter(question__type=Question.Type.EXPECTATION_EXPERIENCE).values_list(
        "response__invitation__interaction__touchpoint__code", "expected", "score", "question__direction"
    )
    for code, expected, experienced, direction in pairs:
        assert direction == "higher_is_better"
        ratios[code].append(experienced / expected)
    return ratios


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


@pytest.mark.django_db
def test_touchpoints_cover_every_stage_and_channel():
    seed(*SMALL)

    assert 18 <= Touchpoint.objects.count() <= 22
    assert set(Touchpoint.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Touchpoint.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Touchpoint.objects.filter(floor_score__isnull=False).count() >= 3
    delivery = Touchpoint.objects.get(name="Delivery")
    assert (delivery.measure_name, delivery.measure_unit, delivery.measure_direction) == (
        "Delivery time",
        "days",
        "lower_is_better",
    )
    support = Touchpoint.objects.get(name="Support call")
    assert (support.measure_name, support.measure_unit) == ("Waiting time", "minutes")


@pytest.mark.django_db
def test_two_journey_maps_with_ordered_steps_that_journeys_follow():
    """The journeys are assembled from the interactions by the maps' rules (seed_demo writes none
    itself): their steps follow the map's order, a completed one ended at its map's end step, one
    abandoned (the customer gave up) at its last interaction, more than the timeout ago."""
    seed(*SMALL)
    now = timezone.now()

    maps = {m.name: m for m in JourneyMap.objects.prefetch_related("steps")}
    assert set(maps) == {"Online purchase", "In-store purchase"}
    for journey_map in maps.values():
        positions = [step.position for step in journey_map.steps.all()]
        assert positions == list(range(1, len(positions) + 1))
        assert len(positions) >= 5

    position = {
        (step.journey_map_id, step.touchpoint_id): step.position
        for journey_map in maps.values()
        for step in journey_map.steps.all()
    }
    ends = {
        (step.journey_map_id, step.touchpoint_id)
        for m in maps.values()
        for step in m.steps.all()
        if step.ends
    }
    journeys = Journey.objects.select_related("journey_map").prefetch_related("interactions")
    assert journeys.count() >= 60
    skipped = 0
    for journey in journeys:
        steps = sorted(journey.interactions.all(), key=lambda i: (i.occurred_at, i.id))
        assert steps, "every journey has at least one interaction"
        assert all(i.customer_id == journey.customer_id for i in steps)
        assert journey.origin == Journey.Origin.ASSEMBLED and journey.assembly_key == steps[0].id
        # Interactions at the map's steps follow its order in time, skipping steps at times; only
        # the online purchase takes contacts outside the map (a support call on the way).
        on_map = [i for i in steps if (journey.journey_map_id, i.touchpoint_id) in position]
        order = [position[(journey.journey_map_id, i.touchpoint_id)] for i in on_map]
        assert order == sorted(set(order)) and on_map[0] == steps[0]
        assert len(on_map) == len(steps) or journey.journey_map.include_outside
        skipped += order != list(range(order[0], order[0] + len(order)))
        assert journey.furthest_step == order[-1]
        ended_at_end = (journey.journey_map_id, steps[-1].touchpoint_id) in ends
        if journey.status == Journey.Status.COMPLETED:
            assert ended_at_end and journey.ended_at == steps[-1].occurred_at
        elif journey.status == Journey.Status.ABANDONED:
            assert not ended_at_end and journey.ended_at == steps[-1].occurred_at
            assert now - journey.ended_at > journey.journey_map.timeout
        else:
            assert journey.status == Journey.Status.IN_PROGRESS
            assert journey.ended_at is None and not ended_at_end
    assert skipped > 0
    assert {j.status for j in journeys} == set(Journey.Status.values)


@pytest.mark.django_db
def test_interactions_carry_channel_agent_scores_and_measures():
    seed(*SMALL)
    agent = get_user_model().objects.get(username="demo-agent")
    now = timezone.now()

    interactions = Interaction.objects.select_related("touchpoint")
    assert interactions.count() > 300
    for interaction in interactions:
        touchpoint = interaction.touchpoint
        assert interaction.channel == touchpoint.channel
        assert 0 <= interaction.experience_score <= 10
        assert interaction.occurred_at <= now
        by_agent = touchpoint.channel in (Channel.PHONE, Channel.IN_STORE)
        assert interaction.agent_id == (agent.pk if by_agent else None)
        if touchpoint.measure_name:
            assert interaction.expected_value > 0
            assert interaction.actual_value >= 0
        else:
            assert interaction.expected_value is None and interaction.actual_value is None
    assert len(set(interactions.values_list("source", flat=True))) == 3


@pytest.mark.django_db
def test_three_live_surveys_with_their_questions():
    seed(*SMALL)

    surveys = {s.name: s for s in Survey.objects.prefetch_related("questions")}
    assert set(surveys) == {"Relationship NPS", "After your visit", "Customer satisfaction"}
    for survey in surveys.values():
        assert survey.status == Survey.Status.LIVE
        assert survey.languages == ["en", "zh-hans"]
        assert set(survey.titles) == {"en", "zh-hans"}
        for question in survey.questions.all():
            assert set(question.texts) == {"en", "zh-hans"}
            assert question.required == (question.type != Question.Type.TEXT)

    def shape(name):
        return [(q.type, q.scale_min, q.scale_max) for q in surveys[name].questions.all()]

    relationship = surveys["Relationship NPS"]
    assert relationship.kind == Survey.Kind.RELATIONSHIP
    assert shape("Relationship NPS")[:2] == [("nps", 0, 10), ("text", None, None)]
    drivers = relationship.questions.filter(type=Question.Type.RATING)
    assert {(q.driver, q.scale_min, q.scale_max) for q in drivers} == {
        (driver, 1, 5) for driver in Question.Driver.values
    }
    nps = relationship.questions.get(type=Question.Type.NPS)
    assert set(nps.scale_labels) == {"en", "zh-hans"}

    assert surveys["After your visit"].kind == Survey.Kind.TRANSACTIONAL
    assert shape("After your visit") == [
        ("nps", 0, 10),
        ("expectation_experience", 1, 10),
        ("ces", 1, 7),
        ("text", None, None),
    ]
    pair = surveys["After your visit"].questions.get(type=Question.Type.EXPECTATION_EXPERIENCE)
    assert pair.direction == "higher_is_better"
    assert surveys["Customer satisfaction"].kind == Survey.Kind.CSAT
    assert shape("Customer satisfaction") == [("csat", 1, 5), ("text", None, None)]


@pytest.mark.django_db
def test_answers_respect_their_question_type_and_scale():
    seed(*SMALL)

    answers = Answer.objects.select_related("question")
    assert Response.objects.count() >= 30
    assert answers.count() >= 150
    for answer in answers:
        question = answer.question
        assert answer.question_type == question.type
        if question.type == Question.Type.TEXT:
            assert answer.text and answer.score is None
            continue
        assert question.scale_min <= answer.score <= question.scale_max
        assert answer.score == int(answer.score)
        if question.type == Question.Type.EXPECTATION_EXPERIENCE:
            assert question.scale_min <= answer.expected <= question.scale_max
        else:
            assert answer.expected is None
    # Every required question of a response's survey is answered.
    for response in Response.objects.prefetch_related("answers", "survey__questions"):
        required = {q.pk for q in response.survey.questions.all() if q.required}
        assert required <= {a.question_id for a in response.answers.all()}


@pytest.mark.django_db
def test_invitations_are_consistent_and_about_a_third_answer():
    seed(*SMALL)
    now = timezone.now()

    invitations = Invitation.objects.select_related("customer", "interaction", "survey")
    assert len({i.token_hash for i in invitations}) == invitations.count()
    for invitation in invitations:
        assert re.fullmatch(r"[0-9a-f]{64}", invitation.token_hash)
        assert invitation.expires_at > invitation.created_at
        if invitation.survey.kind == Survey.Kind.RELATIONSHIP:
            assert invitation.interaction is None
        else:
            assert invitation.interaction.customer_id == invitation.customer_id
            assert invitation.send_after > invitation.interaction.occurred_at
        if invitation.status == Invitation.Status.SUPPRESSED:
            assert invitation.customer.email_opt_out and invitation.suppression_reason
            assert invitation.sent_at is None
        if invitation.status == Invitation.Status.RESPONDED:
            assert invitation.sent_at <= invitation.opened_at <= invitation.responded_at <= now
            assert invitation.response.submitted_at == invitation.responded_at
    emailed = invitations.exclude(status__in=["suppressed", "bounced"]).count()
    responded = invitations.filter(status="responded").count()
    assert 0.25 <= responded / emailed <= 0.5
    assert invitations.exclude(status="responded").exists()


@pytest.mark.django_db
def test_delivery_and_support_call_disappoint_and_in_store_purchase_delights():
    seed(*SMALL)

    ratios = ratios_by_touchpoint()
    for code in ("delivery", "support-call", "instore-purchase"):
        assert len(ratios[code]) >= 3, code
    assert geometric_mean(ratios["delivery"]) < 1
    assert geometric_mean(ratios["support-call"]) < 1
    assert geometric_mean(ratios["instore-purchase"]) > 1


@pytest.mark.django_db
def test_comments_are_written_in_the_customers_language():
    seed(*SMALL)

    comments = Answer.objects.filter(question_type=Question.Type.TEXT).values_list(
        "text", "response__language"
    )
    languages = {language for _, language in comments}
    assert languages == {"en", "zh-hans"}
    for text, language in comments:
        assert bool(CHINESE.search(text)) == (language == "zh-hans"), text


@pytest.mark.django_db
def test_demo_users_sign_in_with_their_roles(client):
    output = seed(*SMALL)

    users = get_user_model().objects
    manager, agent = users.get(username="demo-manager"), users.get(username="demo-agent")
    assert (manager.first_name, manager.is_staff) == ("Maya", True)
    assert list(manager.groups.values_list("name", flat=True)) == [MANAGER]
    assert agent.first_name == "Alex"
    assert list(agent.groups.values_list("name", flat=True)) == [AGENT]
    assert client.login(username="demo-manager", password=DEMO_PASSWORD)
    assert client.login(username="demo-agent", password=DEMO_PASSWORD)
    lines = output.splitlines()
    assert "Demo manager: demo-manager / demo-password-2026" in lines
    assert "Demo agent:   demo-agent / demo-password-2026" in lines


@pytest.mark.django_db
def test_second_run_without_force_is_refused_and_changes_nothing():
    seed(*SMALL)
    before = table_counts()

    with pytest.raises(CommandError, match="--force"):
        seed("--customers", "10", "--seed", "8")

    assert table_counts() == before


@pytest.mark.django_db
def test_if_empty_skips_quietly_when_data_exists_and_still_prints_the_logins():
    seed(*SMALL)
    before = table_counts()

    output = seed("--if-empty", "--customers", "10")
    assert "not seeded" in output
    assert "Demo manager: demo-manager / demo-password-2026" in output
    assert "Demo agent:   demo-agent / demo-password-2026" in output
    assert table_counts() == before


@pytest.mark.django_db
def test_if_empty_on_an_empty_database_seeds():
    output = seed("--if-empty", *SMALL)
    assert "Seeded demo data" in output
    assert Customer.objects.exists()


@pytest.mark.django_db
def test_force_wipes_the_data_and_seeds_again(client):
    seed(*SMALL)
    user = get_user_model().objects.get(username="demo-agent")
    user.set_password("changed")
    user.save()

    seed("--customers", "25", "--seed", "8", "--force")

    assert list(Customer.objects.order_by("external_id").values_list("external_id", flat=True)) == [
        f"CUST-{n:06d}" for n in range(1, 26)
    ]
    counts = table_counts()
    assert (counts["Touchpoint"], counts["JourneyMap"], counts["Survey"]) == (20, 2, 3)
    assert client.login(username="demo-agent", password=DEMO_PASSWORD)


@pytest.mark.django_db
def test_same_seed_gives_same_data_and_another_seed_does_not():
    def snapshot():
        customers = sorted(Customer.objects.values_list("external_id", "name"))
        nps_total = Answer.objects.filter(question_type=Question.Type.NPS).aggregate(s=Sum("score"))["s"]
        return customers, nps_total, table_counts()

    seed(*SMALL)
    first = snapshot()
    seed(*SMALL, "--force")
    assert snapshot() == first
    seed("--customers", "60", "--seed", "8", "--force")
    assert snapshot() != first


@pytest.mark.django_db
def test_a_failure_midway_leaves_nothing_written(monkeypatch):
    from demo.services import builder

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(builder, "_backdate", broken)

    with pytest.raises(RuntimeError, match="disk full"):
        seed(*SMALL)

    assert set(table_counts().values()) == {0}
    assert not get_user_model().objects.filter(username__startswith="demo-").exists()


@pytest.mark.django_db
def test_the_seeded_demo_arrives_with_its_metrics_computed():
    from analytics.models import JourneyScore, StaleMark
    from analytics.selectors import MetricFilters, expectation_by_touchpoint, response_summary

    out = seed(*SMALL)

    assert "Rebuilt" in out
    assert response_summary(filters=MetricFilters()).responses == Response.objects.count()
    scored = Journey.objects.filter(interactions__experience_score__isnull=False).distinct().count()
    assert JourneyScore.objects.count() == scored > 0
    by_code = {
        Touchpoint.objects.get(id=row.touchpoint_id).code: row.survey.geometric_mean
        for row in expectation_by_touchpoint(filters=MetricFilters())
    }
    for code, ratios in ratios_by_touchpoint().items():
        assert by_code[code] == pytest.approx(geometric_mean(ratios), rel=1e-9), code
    assert not StaleMark.objects.exists()
