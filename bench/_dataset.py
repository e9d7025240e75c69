"""The benchmark data set: what it holds, built as numpy columns.

``bench/_dataset_catalogue.py`` writes the catalogue (touchpoints, surveys, journey maps),
``bench/_dataset_load.py`` loads it all.

For ``n`` survey responses (every figure is drawn from one seeded generator, so a size and a
seed always give the same rows):

* customers: ``max(5 000, n / 10)``. Segments are skewed (consumer 55 %, small business 27 %, the
  other three 18 % together), value tiers follow the segment (enterprise customers are gold or
  platinum far more often), and how active a customer is varies (a gamma-distributed weight: a
  few customers account for many interactions and responses);
* 20 touchpoints over the three stages (``touchpoints_new``); their shares of the interactions
  follow a Zipf law (exponent 1.1; with the journeys held to their maps' steps, the largest
  takes about a fifth of the interactions, the top three about 40 %);
  a few touchpoints score lower than the rest, every fourth has a measure (a wait time);
* interactions: ``0.85 n``, 60 % of them in journeys. A journey is one customer's 3–6
  interactions over up to five days on the steps of one of the three journey maps, in step
  order; the rest fall anywhere in the year on any touchpoint. 90 % of journey interactions and
  70 % of the others carry an experience score (0–10, around 7; a journey has a mood of its own);
* journeys: completed, abandoned (12 % of the finished ones) or, when their last interaction is
  in the last three days, in progress (no end);
* responses: one invitation each, 25 % / 45 % / 30 % to the relationship (NPS), transactional
  (NPS, expectation/experience pair, CES) and CSAT surveys. 90 % of transactional and every CSAT
  invitation follow a distinct interaction, of the same customer, an hour to two days before the
  response; the scores of a response share a latent satisfaction (tied to that interaction's
  experience score), so the drivers correlate with NPS. NPS is about +32;
* everything in the 365 days before today (today stays empty); ids ascend with time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

SEGMENTS = ("consumer", "smb", "enterprise", "public_sector", "partner")
SEGMENT_P = (0.55, 0.27, 0.08, 0.06, 0.04)
TIERS = ("standard", "silver", "gold", "platinum")
TIER_P = (0.70, 0.20, 0.08, 0.02)
# The value tiers of each segment (rows in SEGMENTS order).
TIER_BY_SEGMENT = np.array(
    [
        (0.80, 0.15, 0.04, 0.01),
        (0.60, 0.28, 0.10, 0.02),
        (0.25, 0.30, 0.30, 0.15),
        (0.50, 0.30, 0.15, 0.05),
        (0.45, 0.30, 0.18, 0.07),
    ]
)
STAGE_SIZES = (("pre_sale", 6), ("mid_sale", 6), ("post_sale", 8))
CHANNELS = ("phone", "email", "chat", "web", "in_store", "social", "sms", "app")
# Share of responses per survey (relationship, transactional, CSAT) and of those following an
# interaction.
SURVEY_P = (0.25, 0.45, 0.30)
WITH_INTERACTION = (0.0, 0.9, 1.0)
NPS_P = np.array([2, 1, 1, 2, 2, 4, 6, 12, 20, 25, 25], dtype=float) / 100
CSAT_P = np.array([5, 8, 17, 40, 30], dtype=float) / 100
CES_P = np.array([3, 5, 8, 14, 25, 25, 20], dtype=float) / 100
DAYS = 365
INTERACTIONS_PER_RESPONSE = 0.85
JOURNEY_SHARE = 0.6
JOURNEY_STEPS = (3, 6)
JOURNEY_DAYS = 5
# Touchpoint numbers (1–20) from the largest share of interactions down (Zipf, exponent 1.1).
TOUCHPOINT_RANK = (13, 7, 1, 15, 8, 3, 18, 10, 2, 14, 9, 16, 4, 11, 19, 5, 12, 17, 6, 20)
ZIPF_EXPONENT = 1.1
# Experience-score offsets of the touchpoints that do worse or better than the rest.
TOUCHPOINT_OFFSET = {8: -1.6, 15: -1.0, 19: -0.8, 3: 0.6, 13: 0.4}
# Journey maps: name, share of journeys, touchpoint numbers in step order (pre-, mid-, post-sale).
JOURNEY_MAPS = (
    ("Online purchase", 0.5, (1, 2, 4, 7, 8, 10, 13, 15, 18)),
    ("In-store purchase", 0.3, (3, 5, 9, 11, 14, 16, 19)),
    ("Service request", 0.2, (6, 12, 13, 17, 18, 20)),
)
# Outcomes of interactions per stage, and how often.
OUTCOMES = {
    "pre_sale": (("informed", "other", ""), (0.7, 0.1, 0.2)),
    "mid_sale": (("purchased", "not_purchased", "pending"), (0.6, 0.25, 0.15)),
    "post_sale": (("resolved", "pending", "escalated"), (0.75, 0.15, 0.1)),
}
SOURCES = (("api", "agent", "import"), (0.6, 0.3, 0.1))


@dataclass
class Shape:
    """What was generated (or found already loaded), with the ids the benchmarks need."""

    responses: int
    customers: int
    seed: int = 0
    touchpoints: list[dict] = field(default_factory=list)
    survey_ids: list[int] = field(default_factory=list)
    # per survey: [(question_id, type)]
    questions: list[list[tuple[int, str]]] = field(default_factory=list)
    survey_touchpoint: list[int | None] = field(default_factory=list)
    journey_map_ids: list[int] = field(default_factory=list)
    first_day: date | None = None
    last_day: date | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    reused: bool = False
    loaded_at: datetime | None = None
    load_average: str = ""  # 1, 5 and 15 minutes, when the load was recorded


def zipf_shares(count: int) -> np.ndarray:
    """Share of interactions of touchpoints 1..count (index 0 is touchpoint 1)."""
    weight = 1.0 / np.arange(1, count + 1) ** ZIPF_EXPONENT
    shares = np.empty(count)
    shares[np.array(TOUCHPOINT_RANK[:count]) - 1] = weight / weight.sum()
    return shares


def _pick(rng: np.random.Generator, values: tuple[str, ...], p, size: int) -> np.ndarray:
    return np.array(values, dtype="S")[rng.choice(len(values), size=size, p=p)]


def _from_latent(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Scale points 0..len(p)-1 from standard-normal ``z``, with frequencies ``p``: the normal
    CDF (its logistic approximation) turns ``z`` uniform, the cumulative ``p`` cuts it."""
    uniform = 1.0 / (1.0 + np.exp(-1.702 * z))
    return np.searchsorted(np.cumsum(p)[:-1], uniform, side="right")


# --- customers ---------------------------------------------------------------------------------


@dataclass
class Customers:
    segment: np.ndarray  # index into SEGMENTS
    tier: np.ndarray  # index into TIERS
    weight: np.ndarray  # cumulative activity weights, for searchsorted
    created: np.ndarray  # epoch seconds

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Customer ids (1-based), the active ones more often."""
        return np.searchsorted(self.weight, rng.random(size) * self.weight[-1], side="right") + 1


def customers_plan(rng: np.random.Generator, count: int, start_s: int) -> Customers:
    segment = rng.choice(len(SEGMENTS), size=count, p=SEGMENT_P)
    cumulative = TIER_BY_SEGMENT.cumsum(axis=1)[segment]
    tier = (rng.random(count)[:, None] > cumulative[:, :-1]).sum(axis=1)
    activity = rng.gamma(0.7, size=count)
    created = start_s - rng.integers(86400, 3 * 365 * 86400, size=count)
    return Customers(segment, tier, np.cumsum(activity), created)


def _ascii_digits(values: np.ndarray, width: int, *, pad: bool) -> np.ndarray:
    """(rows, width) ASCII bytes of ``values``: zero-padded, or left-aligned with NUL after
    (a NUL-padded ``S`` string is as long as its digits)."""
    values = np.asarray(values, dtype=np.int64)
    digits = np.empty((len(values), width), dtype=np.uint8)
    for j in range(width):
        digits[:, width - 1 - j] = (values // 10**j) % 10 + ord("0")
    if pad:
        return digits
    length = np.maximum(1, np.floor(np.log10(np.maximum(values, 1))).astype(int) + 1)
    shift = width - length
    index = np.minimum(np.arange(width)[None, :] + shift[:, None], width - 1)
    aligned = np.take_along_axis(digits, index, axis=1)
    aligned[np.arange(width)[None, :] >= length[:, None]] = 0
    return aligned


def _text(*parts) -> np.ndarray:
    """Join byte-string constants and (rows, k) ASCII matrices into one ``S`` column."""
    rows = next(p.shape[0] for p in parts if isinstance(p, np.ndarray))
    blocks = [
        p if isinstance(p, np.ndarray) else np.broadcast_to(np.frombuffer(p, np.uint8), (rows, len(p)))
        for p in parts
    ]
    matrix = np.ascontiguousarray(np.hstack(blocks))
    return matrix.view(f"S{matrix.shape[1]}").ravel()


def customer_columns(plan: Customers, lo: int, hi: int) -> dict:
    ids = np.arange(lo + 1, hi + 1)
    created = plan.created[lo:hi].astype("datetime64[s]")
    return {
        "id": ids,
        "external_id": _text(b"BENCH-", _ascii_digits(ids, 8, pad=True)),
        "name": _text(b"Customer ", _ascii_digits(ids, 8, pad=False)),
        "email": _text(b"c", _ascii_digits(ids, 8, pad=True), b"@example.com"),
        "phone": "",
        "locale": "en",
        "segment": np.array(SEGMENTS, dtype="S")[plan.segment[lo:hi]],
        "value_tier": np.array(TIERS, dtype="S")[plan.tier[lo:hi]],
        "email_opt_out": False,
        "attributes": {},
        "created_at": created,
        "updated_at": created,
    }


def hex_tokens(rng: np.random.Generator, rows: int, nbytes: int) -> np.ndarray:
    """``rows`` random tokens of ``nbytes`` bytes as lower-case hex (``S`` of 2 × nbytes)."""
    raw = rng.integers(0, 256, size=(rows, nbytes), dtype=np.uint8)
    alphabet = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    out = np.empty((rows, 2 * nbytes), dtype=np.uint8)
    out[:, 0::2] = alphabet[raw >> 4]
    out[:, 1::2] = alphabet[raw & 15]
    return out.view(f"S{2 * nbytes}").ravel()


# --- journeys and interactions -----------------------------------------------------------------


@dataclass
class Interactions:
    """Every interaction in time order (row ``i`` has id ``i + 1``) and the journeys they form."""

    customer: np.ndarray
    touchpoint: np.ndarray  # index into the catalogue (touchpoint number - 1)
    occurred: np.ndarray  # epoch seconds, ascending
    score: np.ndarray  # experience score, NaN when none
    journey: np.ndarray  # journey id, 0 when none
    journey_customer: np.ndarray  # per journey (row j has id j + 1), ascending start
    journey_map: np.ndarray  # index into JOURNEY_MAPS
    journey_start: np.ndarray
    journey_end: np.ndarray  # epoch seconds of the last interaction
    journey_status: np.ndarray  # S: in_progress, completed, abandoned
    journey_key: np.ndarray  # id of the journey's first interaction (its assembly key)
    journey_furthest: np.ndarray  # the highest map position it reached


def _journey_steps(rng: np.random.Generator, maps: np.ndarray, steps: np.ndarray, shares: np.ndarray):
    """Per journey, which steps of its map it takes (``steps`` of them, in map order), drawn by
    the touchpoints' shares (Gumbel top-k). Returns the touchpoint index of every step taken,
    journey after journey, and a (journeys, max steps) mask of the slots used."""
    most = JOURNEY_STEPS[1]
    chosen = np.zeros((len(maps), most), dtype=np.int64)
    for m, (_, _, numbers) in enumerate(JOURNEY_MAPS):
        mine = np.flatnonzero(maps == m)
        tps = np.array(numbers) - 1
        keys = np.log(shares[tps])[None, :] + rng.gumbel(size=(len(mine), len(tps)))
        top = np.argsort(-keys, axis=1)[:, :most]  # positions in the map, best first
        beyond = np.arange(most)[None, :] >= steps[mine, None]
        ordered = np.sort(np.where(beyond, len(tps), top), axis=1)
        chosen[mine] = np.append(tps, -1)[ordered]
    used = np.arange(most)[None, :] < steps[:, None]
    return chosen[used], used


def _journeys(rng: np.random.Generator, plan: Customers, count: int, start_s: int, end_s: int, shares):
    """``count`` journeys and their interactions (in journey order, unsorted in time)."""
    maps = rng.choice(len(JOURNEY_MAPS), size=count, p=[share for _, share, _ in JOURNEY_MAPS])
    steps = rng.integers(JOURNEY_STEPS[0], JOURNEY_STEPS[1] + 1, size=count)
    touchpoint, used = _journey_steps(rng, maps, steps, shares)
    span = rng.uniform(3600, JOURNEY_DAYS * 86400, size=count)
    start = start_s + (rng.random(count) * (end_s - 7200 - span - start_s)).astype(np.int64)
    offsets = np.sort(np.where(used, rng.random(used.shape), np.inf), axis=1)
    offsets = ((offsets - offsets[:, :1]) * span[:, None])[used]
    owner = np.repeat(np.arange(count), steps)
    occurred = start[owner] + offsets.astype(np.int64)
    end = occurred[np.cumsum(steps) - 1]  # offsets ascend within a journey, the first is 0
    mood = rng.normal(7.2, 1.3, size=count)
    return maps, start, end, owner, touchpoint, occurred, mood[owner]


def interactions_plan(
    rng: np.random.Generator, plan: Customers, total: int, start_s: int, end_s: int, *, journeys: bool
) -> Interactions:
    """``total`` interactions, ``JOURNEY_SHARE`` of them in journeys (none when not ``journeys``)."""
    shares = zipf_shares(sum(size for _, size in STAGE_SIZES))
    count = round(JOURNEY_SHARE * total / np.mean(JOURNEY_STEPS)) if journeys else 0
    maps, start, end, owner, j_tp, j_time, j_mood = _journeys(rng, plan, count, start_s, end_s, shares)
    # Journeys numbered by start; their customers drawn like everyone's activity.
    order = np.argsort(start, kind="stable")
    rank = np.empty(count, dtype=np.int64)
    rank[order] = np.arange(1, count + 1)
    journey_customer = plan.sample(rng, count)
    free = max(0, total - len(j_tp))
    customer = np.concatenate([journey_customer[owner], plan.sample(rng, free)])
    touchpoint = np.concatenate([j_tp, rng.choice(len(shares), size=free, p=shares)])
    occurred = np.concatenate([j_time, rng.integers(start_s, end_s - 3600, size=free)])
    mood = np.concatenate([j_mood, rng.normal(7.2, 1.3, size=free)])
    journey = np.concatenate([rank[owner], np.zeros(free, dtype=np.int64)])
    offset = np.zeros(len(shares))
    for number, value in TOUCHPOINT_OFFSET.items():
        offset[number - 1] = value
    score = np.clip(np.round(mood + offset[touchpoint] + rng.normal(0, 1.2, len(mood)), 1), 0, 10)
    scored = rng.random(len(score)) < np.where(journey > 0, 0.9, 0.7)
    score = np.where(scored, score, np.nan)
    by_time = np.argsort(occurred, kind="stable")
    status = np.where(rng.random(count) < 0.12, b"abandoned", b"completed").astype("S11")
    status[end > end_s - 3 * 86400] = b"in_progress"
    key, furthest = _journey_marks(journey[by_time], touchpoint[by_time], maps[order], len(shares))
    return Interactions(
        customer=customer[by_time],
        touchpoint=touchpoint[by_time],
        occurred=occurred[by_time],
        score=score[by_time],
        journey=journey[by_time],
        journey_customer=journey_customer[order],
        journey_map=maps[order],
        journey_start=start[order],
        journey_end=end[order],
        journey_status=status[order],
        journey_key=key,
        journey_furthest=furthest,
    )


def _journey_marks(journey: np.ndarray, touchpoint: np.ndarray, maps: np.ndarray, touchpoints: int):
    """Per journey (by id), what the assembler records: its first interaction's id (interactions
    in time order, so row ``i`` has id ``i + 1``) and the highest map position it reached."""
    count = len(maps)
    position = np.zeros((len(JOURNEY_MAPS), touchpoints), dtype=np.int64)
    for m, (_, _, numbers) in enumerate(JOURNEY_MAPS):
        position[m, np.array(numbers) - 1] = np.arange(1, len(numbers) + 1)
    rows = np.flatnonzero(journey > 0)
    owner = journey[rows] - 1
    key = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(key, owner, rows + 1)
    furthest = np.zeros(count, dtype=np.int64)
    np.maximum.at(furthest, owner, position[maps[owner], touchpoint[rows]])
    return key, furthest


def journey_columns(plan: Interactions, map_ids: list[int], lo: int, hi: int) -> dict:
    started = plan.journey_start[lo:hi].astype("datetime64[s]")
    ended = plan.journey_end[lo:hi].astype("datetime64[s]")
    open_ = plan.journey_status[lo:hi] == b"in_progress"
    return {
        "id": np.arange(lo + 1, hi + 1),
        "customer_id": plan.journey_customer[lo:hi],
        "journey_map_id": np.array(map_ids)[plan.journey_map[lo:hi]],
        "started_at": started,
        "ended_at": np.ma.masked_array(ended, mask=open_),
        "status": plan.journey_status[lo:hi],
        # As the assembler writes them (journeys.services.assembly).
        "origin": "assembled",
        "last_activity_at": ended,
        "furthest_step": plan.journey_furthest[lo:hi].astype(np.int16),
        "assembly_key": plan.journey_key[lo:hi],
        "created_at": started,
        "updated_at": np.where(open_, started, ended),
    }


def interaction_columns(
    rng: np.random.Generator, plan: Interactions, touchpoints: list[dict], lo: int, hi: int
):
    """Columns of interactions ``lo..hi`` (row order); channel, outcome, source and the measure
    drawn here, per chunk."""
    rows = hi - lo
    tp = plan.touchpoint[lo:hi]
    channels = np.array([t["channels"] for t in touchpoints], dtype="S")
    channel = channels[tp, rng.choice(3, size=rows, p=(0.7, 0.2, 0.1))]
    outcome = np.empty(rows, dtype="S13")
    stage = np.array([t["stage"] for t in touchpoints])[tp]
    for name, (values, p) in OUTCOMES.items():
        mine = stage == name
        outcome[mine] = _pick(rng, values, p, int(mine.sum()))
    measured = np.array([t["measured"] for t in touchpoints])[tp] & (rng.random(rows) < 0.8)
    actual = np.round(rng.lognormal(np.log(8.0), 0.5, size=rows), 1)
    occurred = plan.occurred[lo:hi].astype("datetime64[s]")
    journey = plan.journey[lo:hi]
    return {
        "id": np.arange(lo + 1, hi + 1),
        "customer_id": plan.customer[lo:hi],
        "touchpoint_id": np.array([t["id"] for t in touchpoints])[tp],
        "channel": channel,
        "occurred_at": occurred,
        "category": "",
        "outcome": outcome,
        "notes": "",
        "experience_score": plan.score[lo:hi],
        "expected_value": np.where(measured, 10.0, np.nan),
        "actual_value": np.where(measured, actual, np.nan),
        "journey_id": np.ma.masked_array(journey, mask=journey == 0),
        "source": _pick(rng, *SOURCES, rows),
        "created_at": occurred,
    }


# --- responses, invitations, answers ----------------------------------------------------------


@dataclass
class Responses:
    """Every response in submission order (row ``i`` has id ``i + 1``, as has its invitation)."""

    survey: np.ndarray  # index into the three surveys
    customer: np.ndarray
    submitted: np.ndarray  # epoch seconds, ascending
    lag: np.ndarray  # seconds from the invitation's interaction (or a notional one) to the response
    interaction: np.ndarray  # id of the interaction the invitation followed, 0 when none
    latent: np.ndarray  # the response's satisfaction, standard normal


def responses_plan(
    rng: np.random.Generator,
    plan: Customers,
    interactions: Interactions,
    count: int,
    start_s: int,
    end_s: int,
) -> Responses:
    survey = rng.choice(len(SURVEY_P), size=count, p=SURVEY_P)
    followed = rng.random(count) < np.array(WITH_INTERACTION)[survey]
    picked = rng.choice(len(interactions.occurred), size=int(followed.sum()), replace=False)
    lag = rng.integers(3600, 48 * 3600, size=count)
    occurred = interactions.occurred[picked]
    lag[followed] = np.minimum(lag[followed], end_s - 1 - occurred)
    submitted = rng.integers(start_s, end_s, size=count)
    submitted[followed] = occurred + lag[followed]
    customer = plan.sample(rng, count)
    customer[followed] = interactions.customer[picked]
    interaction = np.zeros(count, dtype=np.int64)
    interaction[followed] = picked + 1
    latent = rng.normal(size=count)
    experience = np.zeros(count)
    experience[followed] = interactions.score[picked]
    tied = followed & ~np.isnan(experience)
    latent[tied] = 0.6 * (experience[tied] - 7.0) / 2.0 + 0.8 * latent[tied]
    order = np.argsort(submitted, kind="stable")
    return Responses(
        survey[order], customer[order], submitted[order], lag[order], interaction[order], latent[order]
    )


def invitation_columns(rng: np.random.Generator, plan: Responses, survey_ids: list[int], lo: int, hi: int):
    """One responded invitation per response (same id)."""
    submitted, lag = plan.submitted[lo:hi], plan.lag[lo:hi]
    created = submitted - (lag * 0.8).astype(np.int64)
    interaction = plan.interaction[lo:hi]

    def moment(seconds):
        return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")

    return {
        "id": np.arange(lo + 1, hi + 1),
        "survey_id": np.array(survey_ids)[plan.survey[lo:hi]],
        "customer_id": plan.customer[lo:hi],
        "interaction_id": np.ma.masked_array(interaction, mask=interaction == 0),
        # Random tokens: a benchmark needs distinct hashes, not working links.
        "token_hash": hex_tokens(rng, hi - lo, 32),
        "token_nonce": hex_tokens(rng, hi - lo, 16),
        "status": "responded",
        "suppression_reason": "",
        "language": "en",
        "interaction_channel": "",
        "created_at": moment(created),
        "send_after": moment(created),
        "sent_at": moment(created + 60),
        "opened_at": moment(submitted - (lag * 0.05).astype(np.int64)),
        "responded_at": moment(submitted),
        "expires_at": moment(created + 14 * 86400),
    }


def response_columns(plan: Responses, survey_ids: list[int], lo: int, hi: int) -> dict:
    ids = np.arange(lo + 1, hi + 1)
    return {
        "id": ids,
        "invitation_id": ids,
        "survey_id": np.array(survey_ids)[plan.survey[lo:hi]],
        "customer_id": plan.customer[lo:hi],
        "submitted_at": plan.submitted[lo:hi].astype("datetime64[s]"),
        "language": "en",
    }


def answer_columns(
    rng: np.random.Generator,
    plan: Responses,
    questions: list[list[tuple[int, str]]],
    lo: int,
    hi: int,
    first_id: int,
) -> dict:
    """The answers of responses ``lo..hi``, in response order, question after question; ids from
    ``first_id``. Scores lie within each type's CHECK range."""
    per_survey = np.array([len(q) for q in questions])
    widest = per_survey.max()
    ids_table = np.zeros((len(questions), widest), dtype=np.int64)
    types_table = np.zeros((len(questions), widest), dtype="S24")
    for s, survey_questions in enumerate(questions):
        for slot, (question_id, kind) in enumerate(survey_questions):
            ids_table[s, slot], types_table[s, slot] = question_id, kind
    survey = plan.survey[lo:hi]
    counts = per_survey[survey]
    response = np.repeat(np.arange(lo + 1, hi + 1), counts)
    slot = np.arange(len(response)) - np.repeat(np.cumsum(counts) - counts, counts)
    survey_of = np.repeat(survey, counts)
    kind = types_table[survey_of, slot]
    z = 0.8 * np.repeat(plan.latent[lo:hi], counts) + 0.6 * rng.normal(size=len(response))
    score = np.full(len(response), np.nan)
    expected = np.full(len(response), np.nan)
    for name, p, low in ((b"nps", NPS_P, 0), (b"csat", CSAT_P, 1), (b"ces", CES_P, 1)):
        mine = kind == name
        score[mine] = _from_latent(z[mine], p) + low
    pair = kind == b"expectation_experience"
    expected[pair] = rng.integers(1, 11, size=int(pair.sum()))
    score[pair] = np.clip(np.round(expected[pair] * np.exp(0.25 * z[pair]), 1), 0.0, 10.0)
    return {
        "id": np.arange(first_id, first_id + len(response)),
        "response_id": response,
        "question_id": ids_table[survey_of, slot],
        "question_type": kind,
        "score": score,
        "expected": expected,
        "text": "",
        "choices": [],
    }
