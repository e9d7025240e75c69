"""factory_boy factories for the domain models."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from journeys.models import Journey, JourneyMap, JourneyMapStep
from surveys.models import Answer, Invitation, Question, Response, Survey
from surveys.tokens import token_for, token_hash, token_nonce_new
from touchpoints.models import Channel, Customer, Interaction, Stage, Touchpoint


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    external_id = factory.Sequence(lambda n: f"CUST-{n:06d}")
    name = factory.Faker("name")
    email = factory.LazyAttribute(lambda c: f"{c.external_id.lower()}@example.com")
    segment = "consumer"


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    code = factory.Sequence(lambda n: f"touchpoint-{n}")
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    stage = Stage.POST_SALE
    channel = Channel.PHONE


class JourneyMapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyMap

    name = factory.Sequence(lambda n: f"Journey map {n}")


class JourneyMapStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JourneyMapStep

    journey_map = factory.SubFactory(JourneyMapFactory)
    touchpoint = factory.SubFactory(TouchpointFactory)
    position = factory.Sequence(lambda n: n)


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    customer = factory.SubFactory(CustomerFactory)
    journey_map = factory.SubFactory(JourneyMapFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    customer = factory.SubFactory(CustomerFactory)
    touchpoint = factory.SubFactory(TouchpointFactory)
    channel = factory.LazyAttribute(lambda i: i.touchpoint.channel)
    occurred_at = factory.LazyFunction(timezone.now)


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    kind = Survey.Kind.RELATIONSHIP
    languages = factory.LazyFunction(lambda: ["en", "zh-hans"])
    titles = factory.LazyFunction(lambda: {"en": "Tell us how we did", "zh-hans": "请告诉我们您的体验"})
    status = Survey.Status.LIVE


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    order = factory.Sequence(lambda n: n + 1)
    type = Question.Type.NPS
    texts = factory.LazyFunction(
        lambda: {
            "en": "How likely are you to recommend us to a friend or colleague?",
            "zh-hans": "您向朋友或同事推荐我们的可能性有多大？",
        }
    )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    customer = factory.SubFactory(CustomerFactory)
    token_nonce = factory.LazyFunction(token_nonce_new)
    token_hash = factory.LazyAttribute(lambda i: token_hash(token_for(i.token_nonce)))
    send_after = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    invitation = factory.SubFactory(InvitationFactory)
    survey = factory.LazyAttribute(lambda r: r.invitation.survey)
    customer = factory.LazyAttribute(lambda r: r.invitation.customer)
    submitted_at = factory.LazyFunction(timezone.now)
    language = "en"


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory)
    question_type = factory.LazyAttribute(lambda a: a.question.type)
