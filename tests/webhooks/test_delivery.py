"""Outbound webhooks: Standard Webhooks signatures, the outbox, delivery with retries, SSRF guards, events."""

import base64
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cem import celery_app
from followups.models import FollowUpReason
from followups.services import FollowUpTrigger, follow_ups_open
from followups.services.webhook_events import FOLLOWUP_CREATED
from infra.tasks import countdown_horizon, enqueue_on_commit, registered_task
from surveys.models import Invitation, Question
from surveys.services.invitations import invitation_bounce
from surveys.services.responses import response_submit
from surveys.services.webhook_events import INVITATION_BOUNCED, RESPONSE_CREATED, RESPONSE_DETRACTOR
from tests.factories import InvitationFactory, QuestionFactory, ResponseFactory
from webhooks.models import WebhookMessage
from webhooks.services import (
    RETRY_WINDOW,
    webhook_endpoint_create,
    webhook_event_publish,
    webhook_message_deliver,
    webhook_retry_at,
    webhooks_sweep,
)
from webhooks.signing import webhook_signature, webhook_verify

pytestmark = pytest.mark.django_db
PUBLIC_URL = "https://93.184.216.34/hooks"  # an IP literal: creating it needs no DNS


class Receiver:
    """A webhook receiver on 127.0.0.1: records every request (and when, ``at``: monotonic seconds),
    answers from ``script`` (a status or
    a ``(status, headers)`` pair per request), then ``then``; once given the endpoint's ``secret``,
    it answers 401 to a request whose signature does not verify."""

    def __init__(self, *, script=(), then=200, port=0):
        self.requests: list[SimpleNamespace] = []
        self.script, self.then, self.secret = list(script), then, None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver.requests.append(
                    SimpleNamespace(path=self.path, headers=headers, body=body, at=time.monotonic())
                )
                answer = receiver.script.pop(0) if receiver.script else receiver.then
                if receiver.secret and not webhook_verify(secret=receiver.secret, headers=headers, body=body):
                    answer = 401
                status, extra = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in {**extra, "content-length": "0"}.items():
                    self.send_header(name, value)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    with Receiver() as running:
        yield running


def fake_dns(monkeypatch, names: dict[str, str]) -> None:
    """Resolve the host names in ``names`` (mutable: a later change is a DNS rebinding) to its IPs."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def publish(event_type=RESPONSE_CREATED, payload=None) -> list[WebhookMessage]:
    """Publish one event and return its messages; their delivery tasks are not run."""
    webhook_event_publish(event_type=event_type, payload=payload or {"id": 1})
    return list(WebhookMessage.objects.filter(event_type=event_type).order_by("id"))


def deliver(message: WebhookMessage, *, at=None) -> str:
    """Deliver ``message`` when it is due (or ``at``), and refresh it."""
    result = webhook_message_deliver(message_id=message.id, now=at or message.next_attempt_at)
    message.refresh_from_db()
    return result


# --- Signing ---------------------------------------------------------------------------------------


def test_signature_matches_the_standard_webhooks_reference_example():
    signature = webhook_signature(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body='{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_verify_refuses_a_tampered_body_and_a_stale_timestamp():
    secret, now = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", timezone.now()
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp()))}
    headers["webhook-signature"] = "v1,bm9wZQ== " + webhook_signature(
        secret=secret, msg_id="msg_1", timestamp=int(now.timestamp()), body=b"{}"
    )
    assert webhook_verify(secret=secret, headers=headers, body=b"{}", now=now)
    assert not webhook_verify(secret=secret, headers=headers, body=b'{"x":1}', now=now)
    assert not webhook_verify(secret=secret, headers=headers, body=b"{}", now=now + timedelta(minutes=6))


# --- Endpoints -------------------------------------------------------------------------------------


def test_created_endpoint_hands_out_its_secret_once_in_the_whsec_format():
    endpoint, secret = webhook_endpoint_create(url=PUBLIC_URL, events=[RESPONSE_CREATED])
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert (endpoint.secret, endpoint.events, endpoint.active) == (secret, [RESPONSE_CREATED], True)


@pytest.mark.parametrize("events", [[], ["response.updated"], [RESPONSE_CREATED, "nope"]])
def test_endpoint_with_no_or_unknown_event_types_is_refused(events):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url=PUBLIC_URL, events=events)
    assert set(refused.value.message_dict) == {"events"}


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.216.34/",
        "https://user:pw@93.184.216.34/",
        "http://127.0.0.1:8000/hooks",
        "http://localhost/hooks",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_endpoint_url_that_is_not_public_http_is_refused(url):
    with pytest.raises(ValidationError) as refused:
        webhook_endpoint_create(url=url, events=[RESPONSE_CREATED])
    assert set(refused.value.message_dict) == {"url"}


def test_host_name_resolving_to_a_private_address_among_public_ones_is_refused(monkeypatch):
    real = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, *a, **k: (
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in ("93.184.216.34", "10.0.0.7")]
            if host == "crm.example.com"
            else real(host, port, *a, **k)
        ),
    )
    with pytest.raises(ValidationError, match=r"10\.0\.0\.7, a private address"):
        webhook_endpoint_create(url="https://crm.example.com/hooks", events=[RESPONSE_CREATED])


def test_allow_loopback_admits_loopback_but_not_other_private_targets(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    webhook_endpoint_create(url="http://127.0.0.1:9/hooks", events=[RESPONSE_CREATED])
    with pytest.raises(ValidationError):
        webhook_endpoint_create(url="http://10.1.2.3/hooks", events=[RESPONSE_CREATED])


def test_allow_private_targets_admits_private_networks_but_never_link_local(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    webhook_endpoint_create(url="http://10.1.2.3/hooks", events=[RESPONSE_CREATED])
    with pytest.raises(ValidationError, match="link-local"):
        webhook_endpoint_create(url="http://169.254.169.254/", events=[RESPONSE_CREATED])


# --- Publishing ------------------------------------------------------------------------------------


def test_publish_writes_one_message_per_active_endpoint_subscribed_to_the_event():
    subscribed, _ = webhook_endpoint_create(url=PUBLIC_URL, events=[FOLLOWUP_CREATED, RESPONSE_CREATED])
    webhook_endpoint_create(url=PUBLIC_URL, events=[FOLLOWUP_CREATED])
    disabled, _ = webhook_endpoint_create(url=PUBLIC_URL, events=[RESPONSE_CREATED])
    disabled.active = False
    disabled.save()
    messages = publish(RESPONSE_CREATED, {"id": 7})
    assert [(m.endpoint_id, m.status, m.payload) for m in messages] == [(subscribed.id, "pending", {"id": 7})]
    assert json.loads(messages[0].body)["type"] == RESPONSE_CREATED
    assert messages[0].public_id.startswith("msg_")


def test_rolled_back_transaction_publishes_nothing(django_capture_on_commit_callbacks):
    webhook_endpoint_create(url=PUBLIC_URL, events=[RESPONSE_CREATED])
    with django_capture_on_commit_callbacks() as enqueued, pytest.raises(RuntimeError), transaction.atomic():
        webhook_event_publish(event_type=RESPONSE_CREATED, payload={"id": 1})
        raise RuntimeError("the writer fails after publishing")
    assert not WebhookMessage.objects.exists()
    assert enqueued == []


def test_committed_event_is_delivered_signed_per_standard_webhooks(
    receiver, django_capture_on_commit_callbacks
):
    _, secret = webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_publish(event_type=RESPONSE_CREATED, payload={"id": 42})
    [request] = receiver.requests
    message = WebhookMessage.objects.get()
    assert (message.status, message.attempts, message.last_status_code) == ("delivered", 1, 200)
    assert request.headers["content-type"] == "application/json"
    assert request.headers["webhook-id"] == message.public_id
    assert webhook_verify(secret=secret, headers=request.headers, body=request.body)
    assert json.loads(request.body)["data"] == {"id": 42}


# --- Delivery and retries --------------------------------------------------------------------------


def test_failed_attempt_is_retried_after_the_first_backoff_with_jitter(receiver):
    receiver.then = 503
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    attempted_at = message.next_attempt_at
    assert deliver(message) == "retrying"
    assert (message.status, message.attempts, message.last_status_code) == ("pending", 1, 503)
    assert timedelta(seconds=4) <= message.next_attempt_at - attempted_at <= timedelta(seconds=6)


def test_message_is_not_sent_before_it_is_due(receiver):
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    assert deliver(message, at=message.next_attempt_at - timedelta(seconds=1)) == "not_due"
    assert receiver.requests == []


def test_every_retry_carries_the_same_webhook_id_and_a_fresh_timestamp(receiver):
    receiver.script = [503, 500]
    _, secret = webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    results = [deliver(message) for _ in range(3)]
    assert results == ["retrying", "retrying", "delivered"]
    assert {r.headers["webhook-id"] for r in receiver.requests} == {message.public_id}
    assert len({r.headers["webhook-timestamp"] for r in receiver.requests}) == 3
    assert all(
        webhook_verify(secret=secret, headers=r.headers, body=r.body, tolerance=RETRY_WINDOW)
        for r in receiver.requests
    )


def test_redirect_is_not_followed_and_counts_as_a_failure(receiver):
    receiver.script = [(302, {"location": receiver.url + "/elsewhere"})]
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    assert deliver(message) == "retrying"
    assert [r.path for r in receiver.requests] == ["/hooks"]
    assert message.last_status_code == 302


@pytest.mark.parametrize("factor", [0.8, 1.2])
@pytest.mark.parametrize(
    "attempts, nominal", [(1, 5), (2, 300), (3, 1800), (4, 7200), (8, 72000), (12, 72000)]
)
def test_retry_delay_follows_the_schedule_within_twenty_percent_jitter(attempts, nominal, factor):
    created = now = timezone.now()
    extreme = SimpleNamespace(uniform=lambda low, high: low if factor < 1 else high)
    retry = webhook_retry_at(created_at=created, attempts=attempts, now=now, rng=extreme)
    assert retry - now == timedelta(seconds=nominal * factor)


def test_retries_end_within_three_days_of_the_event_even_with_maximal_jitter():
    created = now = timezone.now()
    latest = SimpleNamespace(uniform=lambda low, high: high)
    attempts = 1
    while (retry := webhook_retry_at(created_at=created, attempts=attempts, now=now, rng=latest)) is not None:
        assert retry <= created + timedelta(days=3)
        now, attempts = retry, attempts + 1
    assert now == created + timedelta(days=3)  # the last attempt is capped at the window's end
    assert 9 <= attempts <= 12


def test_message_failing_for_three_days_is_given_up_and_its_endpoint_disabled(receiver):
    receiver.then = 503
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    while deliver(message) == "retrying":
        pass
    endpoint = message.endpoint
    endpoint.refresh_from_db()
    assert message.status == "failed" and message.last_attempt_at <= message.created_at + RETRY_WINDOW
    assert len(receiver.requests) == message.attempts == endpoint.consecutive_failures
    assert not endpoint.active and "failed for 3 days" in endpoint.disabled_reason


def test_endpoint_that_accepted_a_message_meanwhile_stays_enabled(receiver):
    receiver.then = 503
    endpoint, _ = webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    first, later = publish(payload={"id": 1})[0], publish(payload={"id": 2})[1]
    receiver.script = [503, 200]  # `first` fails, `later` gets through
    deliver(first)
    assert deliver(later) == "delivered"
    while deliver(first) == "retrying":
        pass
    endpoint.refresh_from_db()
    assert (first.status, endpoint.active, endpoint.consecutive_failures) == (
        "failed",
        True,
        first.attempts - 1,
    )


def test_message_to_a_disabled_endpoint_fails_without_a_request(receiver):
    endpoint, _ = webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    endpoint.active, endpoint.disabled_reason = False, "receiver gone"
    endpoint.save()
    assert deliver(message) == "failed"
    assert receiver.requests == [] and message.last_error == "endpoint disabled: receiver gone"


def test_delivery_refuses_a_target_no_longer_allowed(receiver, settings):
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    assert deliver(message) == "retrying"
    assert receiver.requests == [] and "loopback" in message.last_error


def test_delivery_refuses_a_host_name_rebound_to_loopback(receiver, settings, monkeypatch):
    names = {"crm.example.com": "93.184.216.34"}
    fake_dns(monkeypatch, names)
    port = receiver.url.split(":")[2].split("/")[0]
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    webhook_endpoint_create(url=f"http://crm.example.com:{port}/hooks", events=[RESPONSE_CREATED])
    [message] = publish()
    names["crm.example.com"] = "127.0.0.1"
    assert deliver(message) == "retrying"
    assert receiver.requests == [] and "127.0.0.1, a loopback address" in message.last_error


# --- Sweeper ---------------------------------------------------------------------------------------


def test_sweep_enqueues_a_due_message_whose_task_was_lost(django_capture_on_commit_callbacks):
    webhook_endpoint_create(url=PUBLIC_URL, events=[RESPONSE_CREATED])
    [message] = publish()
    with django_capture_on_commit_callbacks() as enqueued:
        assert webhooks_sweep(now=message.created_at + timedelta(minutes=1)) == 0  # its task may be queued
        assert webhooks_sweep(now=message.created_at + timedelta(minutes=6)) == 1  # presumed lost
    assert len(enqueued) == 1


def test_sweep_enqueues_a_retry_due_beyond_a_countdown_once_it_is_due(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [7200]  # 2 h ± 20 %: past the countdown horizon (50 min)
    receiver.then = 503
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    deliver(message)
    with django_capture_on_commit_callbacks() as enqueued:
        assert webhooks_sweep(now=message.next_attempt_at - timedelta(seconds=1)) == 0
        assert webhooks_sweep(now=message.next_attempt_at) == 1
        assert webhooks_sweep(now=message.next_attempt_at + timedelta(seconds=30)) == 0
    assert len(enqueued) == 1


def test_sweep_leaves_a_retry_enqueued_with_a_countdown_unless_its_task_is_lost(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [300]
    receiver.then = 503
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    deliver(message)  # enqueues the retry with a countdown (its task is not run here)
    with django_capture_on_commit_callbacks() as enqueued:
        assert webhooks_sweep(now=message.next_attempt_at) == 0
        assert webhooks_sweep(now=message.next_attempt_at + timedelta(minutes=4)) == 0
        assert webhooks_sweep(now=message.next_attempt_at + timedelta(minutes=5)) == 1  # presumed lost
    assert len(enqueued) == 1


# --- Retries on time: a countdown to the due time ----------------------------------------------------


@pytest.fixture
def delivery_tasks(monkeypatch):
    """Delivery tasks enqueued with a countdown, as (message id, countdown), instead of sent."""
    sent = []
    task = registered_task("webhooks.tasks.webhook_deliver")

    def apply_async(args=(), kwargs=None, countdown=None, **options):
        sent.append((*args, countdown))

    monkeypatch.setattr(task, "apply_async", apply_async)
    return sent


@pytest.mark.parametrize("schedule", [[5], [300], [1800]])
def test_failed_attempt_enqueues_the_retry_with_a_countdown_to_its_due_time(
    receiver, settings, delivery_tasks, django_capture_on_commit_callbacks, schedule
):
    settings.WEBHOOK_RETRY_SCHEDULE = schedule
    receiver.then = 503
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    attempted_at = message.next_attempt_at
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(message) == "retrying"
    delay = (message.next_attempt_at - attempted_at).total_seconds()
    assert delivery_tasks == [(message.id, delay)]
    assert 0.8 * schedule[0] <= delay <= 1.2 * schedule[0]
    assert message.enqueued_at == message.next_attempt_at  # enqueued for that time


def test_retry_due_beyond_the_countdown_horizon_is_left_to_the_sweeper(
    receiver, settings, delivery_tasks, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [7200]
    receiver.then = 503
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        assert deliver(message) == "retrying"
    assert (delivery_tasks, enqueued) == ([], [])
    assert message.enqueued_at < message.next_attempt_at  # due for the sweeper


def test_countdown_horizon_keeps_a_countdown_and_two_time_limits_within_the_visibility_timeout():
    conf = celery_app.conf
    visibility = conf.broker_transport_options["visibility_timeout"]
    assert countdown_horizon() == visibility - 2 * conf.task_time_limit == 3000
    with pytest.raises(ValueError):
        enqueue_on_commit("webhooks.tasks.webhook_deliver", 1, countdown=countdown_horizon() + 1)


def test_an_early_duplicate_of_a_countdown_task_makes_no_attempt(receiver, settings, delivery_tasks):
    settings.WEBHOOK_RETRY_SCHEDULE = [300]
    receiver.then = 503
    webhook_endpoint_create(url=receiver.url, events=[RESPONSE_CREATED])
    [message] = publish()
    deliver(message)
    assert deliver(message, at=message.next_attempt_at - timedelta(seconds=1)) == "not_due"
    assert deliver(message) == "retrying"  # the countdown task, on time
    assert len(receiver.requests) == message.attempts == 2


# --- Events emitted by the writers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "score, events", [("3", {RESPONSE_CREATED, RESPONSE_DETRACTOR}), ("9", {RESPONSE_CREATED})]
)
def test_submitted_response_emits_created_and_for_a_detractor_detractor(score, events):
    webhook_endpoint_create(url=PUBLIC_URL, events=[RESPONSE_CREATED, RESPONSE_DETRACTOR])
    question = QuestionFactory(type=Question.Type.NPS)
    invitation = InvitationFactory(survey=question.survey, status=Invitation.Status.SENT)
    response = response_submit(invitation=invitation, data={f"q{question.id}": score}, language="en")
    messages = WebhookMessage.objects.all()
    assert {m.event_type for m in messages} == events
    payload = messages[0].payload
    assert (payload["id"], payload["customer_external_id"]) == (response.id, invitation.customer.external_id)
    assert payload["answers"] == [
        {
            "question_id": question.id,
            "type": "nps",
            "score": float(score),
            "expected": None,
            "text": "",
            "choices": [],
        }
    ]


def test_follow_up_opened_emits_created_once_however_often_it_is_opened():
    webhook_endpoint_create(url=PUBLIC_URL, events=[FOLLOWUP_CREATED])
    response = ResponseFactory()
    trigger = FollowUpTrigger(
        reason=FollowUpReason.DETRACTOR, customer_id=response.customer_id, score=2, response_id=response.id
    )
    follow_ups_open(triggers=[trigger])
    follow_ups_open(triggers=[trigger])
    [message] = WebhookMessage.objects.all()
    assert (message.event_type, message.payload["response_id"]) == (FOLLOWUP_CREATED, response.id)


def test_bounced_invitation_emits_invitation_bounced():
    webhook_endpoint_create(url=PUBLIC_URL, events=[INVITATION_BOUNCED])
    invitation = InvitationFactory(status=Invitation.Status.SENT)
    invitation_bounce(invitation=invitation, reason="mailbox unknown")
    [message] = WebhookMessage.objects.all()
    assert message.payload["id"] == invitation.id
    assert (message.payload["email"], message.payload["reason"]) == (
        invitation.customer.email,
        "mailbox unknown",
    )
