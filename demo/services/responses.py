"""Survey invitations for one customer's activity, and the answers of those who reply.

Who is asked: a relationship NPS wave every six months (customers who had a
contact by then), the after-visit survey after key moments of a journey, a
CSAT after some standalone contacts. Opted-out customers are suppressed, a few
addresses bounce, about a third of those emailed reply.

What they answer follows what happened: the transactional NPS, the expectation
pair, CES and CSAT follow the interaction's experience score; the relationship
NPS follows six driver ratings (service weighing most) and the customer's
overall experience, so key-driver analysis has something to find.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from surveys.models import Answer, Invitation, Question, Response
from surveys.tokens import token_new
from touchpoints.models import Interaction, Stage

from . import content_zh
from .activity import CustomerActivity
from .catalogue import SPECS
from .comments import DEMO_COMMENTS, comment_for, nps_sentiment
from .questionnaires import DemoSurveys

EXPIRY = timedelta(days=60)
WAVE = timedelta(days=182)
TRANSACTIONAL_PER_JOURNEY = 2
STANDALONE_INVITE_RATE = 0.4
RESPONSE_RATE = {"relationship": 0.3, "transactional": 0.42, "csat": 0.38}
BOUNCE_RATE = 0.012
COMMENT_RATE = {"detractor": 0.5, "passive": 0.25, "promoter": 0.4}
SUPPRESSION_REASON = {
    "en": "Customer unsubscribed from survey email.",
    "zh-hans": content_zh.SUPPRESSION_REASON,
}
# Offsets that put the overall NPS in the +10…+30 band of a decent company.
TRANSACTIONAL_NPS_OFFSET = 2.9
RELATIONSHIP_NPS_CENTRE = 8.2
# Driver weights on the 0–10 recommend score, and each driver's mean rating (1–5).
DRIVER_WEIGHTS = {
    "service": 1.0,
    "product": 0.65,
    "convenience": 0.45,
    "relationship": 0.35,
    "price": 0.25,
    "brand": 0.2,
}
DRIVER_MEANS = {
    "service": 3.3,
    "product": 4.0,
    "convenience": 3.7,
    "relationship": 3.6,
    "price": 3.2,
    "brand": 3.9,
}


@dataclass
class Batch:
    """Rows waiting for ``bulk_create``, in insertion (foreign-key) order."""

    invitations: list[Invitation] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)


def _whole(value: float, low: int, high: int) -> int:
    return int(min(high, max(low, round(value))))


def _answer(response: Response, question: Question, **values) -> Answer:
    # question_type repeats the question's type: the database's scale CHECKs key on it.
    return Answer(response=response, question=question, question_type=question.type, **values)


def _comment_topic(interaction: Interaction, sentiment: str) -> str:
    """The touchpoint a comment may name; praise for a measure only when the promise was beaten."""
    late = interaction.actual_value is not None and interaction.actual_value > interaction.expected_value
    return "" if sentiment == "promoter" and late else interaction.touchpoint.code


class Responder:
    """Invites one customer and, when they reply, writes their answers."""

    def __init__(
        self, rng: random.Random, surveys: DemoSurveys, *, now: datetime, batch: Batch, language: str = "en"
    ):
        self.rng, self.surveys, self.now, self.batch = rng, surveys, now, batch
        self.q = surveys.questions
        self.language = language  # the demo's: its suppression notes and comment tables

    # --- invitations ---------------------------------------------------------------

    def invite(self, activity: CustomerActivity, survey, send_after: datetime, interaction=None):
        """One invitation; returns the Response when the customer replies, else None."""
        rng, draft = self.rng, activity.draft
        customer = draft.customer
        nonce, _token, hashed = token_new()  # the token itself is never stored
        invitation = Invitation(
            survey=survey,
            customer=customer,
            interaction=interaction,
            token_nonce=nonce,
            token_hash=hashed,
            language=customer.locale,
            send_after=send_after,
            # Placeholder: the builder moves created_at/expires_at to send_after(+60 d)
            # in one UPDATE after the insert (created_at is auto_now_add).
            expires_at=self.now + EXPIRY,
        )
        self.batch.invitations.append(invitation)
        Status = Invitation.Status
        if draft.opted_out_at is not None and send_after >= draft.opted_out_at:
            invitation.status, invitation.suppressed_at = Status.SUPPRESSED, send_after
            invitation.suppression_reason = SUPPRESSION_REASON[self.language]
            return None
        invitation.sent_at = send_after + timedelta(minutes=rng.uniform(1, 30))
        if rng.random() < BOUNCE_RATE:
            invitation.status = Status.BOUNCED
            invitation.bounced_at = invitation.sent_at + timedelta(minutes=rng.uniform(1, 10))
            return None
        expires_at = send_after + EXPIRY
        delay = timedelta(hours=min(rng.expovariate(1 / 20), 24 * 50))
        if rng.random() < RESPONSE_RATE[survey.kind] and invitation.sent_at + delay <= self.now:
            invitation.status = Status.RESPONDED
            invitation.responded_at = invitation.sent_at + delay
            invitation.opened_at = invitation.responded_at - timedelta(minutes=rng.uniform(0.5, 4))
            invitation.opened_at = max(invitation.opened_at, invitation.sent_at)
            response = Response(
                invitation=invitation,
                survey=survey,
                customer=customer,
                submitted_at=invitation.responded_at,
                language=customer.locale,
            )
            self.batch.responses.append(response)
            return response
        if rng.random() < 0.3 and invitation.sent_at + delay <= self.now:
            invitation.opened_at = invitation.sent_at + delay
        if expires_at <= self.now:
            invitation.status = Status.EXPIRED
        else:
            invitation.status = Status.OPENED if invitation.opened_at else Status.SENT
        return None

    def customer(self, activity: CustomerActivity, *, start: datetime) -> None:
        """Every invitation (and reply) for one customer's activity."""
        rng = self.rng
        for steps in activity.journey_interactions:
            asked = 0
            for interaction in steps:
                weight = SPECS[interaction.touchpoint.code].survey_weight
                if asked < TRANSACTIONAL_PER_JOURNEY and rng.random() < weight:
                    asked += self._after(activity, interaction, self.surveys.transactional)
        for interaction in activity.standalone:
            if rng.random() < STANDALONE_INVITE_RATE:
                # Service contacts get the after-visit survey (with its expectation
                # pair); light-touch ones a one-question CSAT.
                key_moment = SPECS[interaction.touchpoint.code].survey_weight >= 0.2
                self._after(
                    activity, interaction, self.surveys.transactional if key_moment else self.surveys.csat
                )
        self._relationship_waves(activity, start=start)

    def _after(self, activity, interaction: Interaction, survey) -> int:
        send_after = interaction.occurred_at + timedelta(hours=self.rng.uniform(1, 6))
        if send_after + timedelta(minutes=30) > self.now:
            return 0
        response = self.invite(activity, survey, send_after, interaction)
        if response is not None:
            if survey is self.surveys.csat:
                self._csat(response, activity, interaction)
            else:
                self._transactional(response, activity, interaction)
        return 1

    def _relationship_waves(self, activity: CustomerActivity, *, start: datetime) -> None:
        rng, interactions = self.rng, activity.interactions
        wave = self.now - timedelta(days=14)
        while wave >= start:
            before = [i.experience_score for i in interactions if i.occurred_at < wave]
            if before and rng.random() < 0.7:
                send_after = wave + timedelta(hours=rng.uniform(0, 72))
                response = self.invite(activity, self.surveys.relationship, send_after)
                if response is not None:
                    post_sale = [
                        i.experience_score
                        for i in interactions
                        if i.occurred_at < wave and i.touchpoint.stage == Stage.POST_SALE
                    ]
                    self._relationship(response, activity, before, post_sale)
            wave -= WAVE

    # --- answers -------------------------------------------------------------------

    def _comment(self, response, question, *, sentiment: str, language: str, **about) -> None:
        if self.rng.random() < COMMENT_RATE[sentiment]:
            tables = DEMO_COMMENTS[self.language][language]
            text = comment_for(self.rng, sentiment=sentiment, language=language, tables=tables, **about)
            self.batch.answers.append(_answer(response, question, text=text))

    def _transactional(self, response: Response, activity: CustomerActivity, interaction: Interaction):
        rng, q, mood = self.rng, self.q, activity.draft.mood
        score = interaction.experience_score
        nps = _whole(TRANSACTIONAL_NPS_OFFSET + 0.8 * score + 0.7 * mood + rng.gauss(0, 1.2), 0, 10)
        expected = _whole(rng.gauss(7.4, 0.9), 1, 10)
        experienced = _whole(0.9 * score + 1.0 + rng.gauss(0, 0.5), 1, 10)
        ces = _whole(1.0 + 0.6 * score + rng.gauss(0, 0.9), 1, 7)
        self.batch.answers += [
            _answer(response, q["transactional.nps"], score=nps),
            _answer(response, q["transactional.expectation"], expected=expected, score=experienced),
            _answer(response, q["transactional.ces"], score=ces),
        ]
        self._comment(
            response,
            q["transactional.comment"],
            sentiment=nps_sentiment(nps),
            language=response.language,
            touchpoint=_comment_topic(interaction, nps_sentiment(nps)),
        )

    def _csat(self, response: Response, activity: CustomerActivity, interaction: Interaction):
        rng, q = self.rng, self.q
        csat = _whole(0.45 * interaction.experience_score + 0.9 + rng.gauss(0, 0.55), 1, 5)
        self.batch.answers.append(_answer(response, q["csat.csat"], score=csat))
        sentiment = "promoter" if csat >= 4 else "passive" if csat == 3 else "detractor"
        self._comment(
            response,
            q["csat.comment"],
            sentiment=sentiment,
            language=response.language,
            touchpoint=_comment_topic(interaction, sentiment),
        )

    def _relationship(self, response, activity, experienced: list[float], post_sale: list[float]):
        rng, q, mood = self.rng, self.q, activity.draft.mood
        overall = (sum(experienced) / len(experienced) - 7.0) / 1.5
        service = (sum(post_sale) / len(post_sale) - 6.0) / 1.5 if post_sale else 0.0
        # Latent standing per driver: a halo from mood and overall experience, service
        # also from the post-sale contacts, plus the driver's own part.
        latent = {
            driver: 0.3 * mood + 0.35 * overall + (0.5 * service if driver == "service" else 0.0)
            for driver in DRIVER_WEIGHTS
        }
        latent = {driver: value + rng.gauss(0, 0.85) for driver, value in latent.items()}
        recommend = RELATIONSHIP_NPS_CENTRE + sum(DRIVER_WEIGHTS[d] * v for d, v in latent.items())
        nps = _whole(recommend + rng.gauss(0, 1.0), 0, 10)
        self.batch.answers.append(_answer(response, q["relationship.nps"], score=nps))
        ratings = {d: _whole(DRIVER_MEANS[d] + 0.8 * v + rng.gauss(0, 0.3), 1, 5) for d, v in latent.items()}
        for driver, rating in ratings.items():
            self.batch.answers.append(_answer(response, q[f"relationship.driver.{driver}"], score=rating))
        sentiment = nps_sentiment(nps)
        # A detractor names the weakest driver, anyone else the strongest (ties: the weightier).
        if sentiment == "detractor":
            driver = min(ratings, key=lambda d: (ratings[d], -DRIVER_WEIGHTS[d]))
        else:
            driver = max(ratings, key=lambda d: (ratings[d], DRIVER_WEIGHTS[d]))
        self._comment(
            response,
            q["relationship.comment"],
            sentiment=sentiment,
            language=response.language,
            driver=driver if sentiment != "passive" else "",
        )
