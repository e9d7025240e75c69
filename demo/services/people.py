"""Demo customers (English and Chinese names) and the two demo staff accounts.

The English demo's customers are mostly British, a quarter Chinese; the Chinese demo's are
Chinese, with a few English-speaking customers living in China. Either way a customer's name,
city and phone fit their language, which their surveys and comments are written in.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from access.languages import set_user_language
from access.roles import AGENT, MANAGER
from touchpoints.models import Customer, ValueTier
from touchpoints.phones import phone_e164

from . import content_zh, names_zh
from .languages import STAFF_LANGUAGE

# A fixed, documented password: this is demo data for a local run only.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published on purpose)
DEMO_MANAGER = "demo-manager"
DEMO_AGENT = "demo-agent"

ENGLISH_FIRST = (
    "Olivia", "Emma", "Amelia", "Sophia", "Isla", "Grace", "Lily", "Freya", "Chloe", "Ella", "Mia",
    "Ava", "Ruby", "Evie", "Poppy", "Alice", "Hannah", "Sarah", "Laura", "Rachel", "Megan", "Zoe",
    "Jessica", "Lucy", "Emily", "Charlotte", "Daniel", "Oliver", "George", "Harry", "Jack", "Jacob",
    "Noah", "Charlie", "Thomas", "Oscar", "William", "James", "Henry", "Leo", "Alfie", "Joshua",
    "Freddie", "Archie", "Ethan", "Samuel", "Adam", "Lucas", "Max", "Ryan", "David", "Michael",
    "Peter", "Andrew", "Mark", "Paul", "Simon", "Ben", "Tom", "Luke", "Sam", "Nathan", "Aaron",
    "Priya", "Aisha", "Fatima", "Omar", "Ravi", "Arjun", "Sofia", "Mateo", "Lena", "Jonas", "Elena",
    "Marco",
)  # fmt: skip
ENGLISH_LAST = (
    "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Robinson",
    "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Jackson",
    "Clarke", "Patel", "Khan", "Lewis", "James", "Phillips", "Mason", "Mitchell", "Rose", "Davis",
    "Rodriguez", "Cox", "Alexander", "Morgan", "Hughes", "Edwards", "Hill", "Moore", "Clark",
    "Harrison", "Scott", "Young", "Morris", "Ellis", "Ward", "Turner", "Carter", "Cooper", "Baker",
    "Harris", "Martin", "King", "Lee", "Allen", "Shaw", "Bell", "Murphy", "Kelly", "Owen", "Price",
    "Bennett", "Griffiths", "Fisher", "Marshall", "Fraser", "Reid", "Campbell", "Stewart", "Murray",
    "Sullivan", "Nguyen", "Garcia", "Silva",
)  # fmt: skip
# (characters, pinyin) pairs; the pinyin builds a plain ASCII email address.
CHINESE_FAMILY = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
    ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
    ("高", "gao"), ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"),
)  # fmt: skip
CHINESE_GIVEN = (
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("丽", "li"),
    ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("娟", "juan"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀英", "xiuying"),
    ("晓明", "xiaoming"), ("子涵", "zihan"), ("欣怡", "xinyi"), ("浩然", "haoran"), ("雨桐", "yutong"),
    ("梓轩", "zixuan"), ("思远", "siyuan"), ("佳琪", "jiaqi"), ("嘉怡", "jiayi"), ("俊杰", "junjie"),
)  # fmt: skip
CITIES_EN = ("London", "Manchester", "Leeds", "Bristol", "Glasgow", "Birmingham", "Edinburgh", "Cardiff")
CITIES_ZH = ("上海", "北京", "深圳", "广州", "杭州", "成都", "London", "Manchester")

SEGMENTS = (("consumer", 0.72), ("small_business", 0.2), ("enterprise", 0.08))
TIERS_BY_SEGMENT = {
    "consumer": ((ValueTier.STANDARD, 0.62), (ValueTier.SILVER, 0.25), (ValueTier.GOLD, 0.1)),
    "small_business": ((ValueTier.STANDARD, 0.35), (ValueTier.SILVER, 0.35), (ValueTier.GOLD, 0.25)),
    "enterprise": ((ValueTier.SILVER, 0.2), (ValueTier.GOLD, 0.45), (ValueTier.PLATINUM, 0.35)),
}
CHINESE_SHARE = 0.25  # of the English demo's customers
ENGLISH_SHARE_ZH = 0.08  # of the Chinese demo's customers
OPT_OUT_SHARE = 0.04
# demo language → segment code → the segment as stored (segments are the CRM's free text)
SEGMENT_NAMES = {"en": {}, "zh-hans": content_zh.SEGMENTS}
STAFF = {
    "en": {"manager": ("Maya", "Demo"), "agent": ("Alex", "Demo")},
    "zh-hans": content_zh.STAFF,
}


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    """One value from (value, weight) pairs."""
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class CustomerDraft:
    """A customer before insertion, with the traits that colour their answers."""

    customer: Customer
    mood: float  # a personal bias on every score, in experience points
    opted_out_at: datetime | None


@dataclass(frozen=True)
class Person:
    """Who a customer is: their name (and its ASCII form for the email address), phone, city."""

    name: str
    ascii_name: str
    phone: str
    city: str
    locale: str


def _chinese_phone(rng: random.Random) -> str:
    # Not a real mobile prefix (Chinese mobiles start 13–19): safe for demo data.
    return f"+86 100 {rng.randrange(10000):04d} {rng.randrange(10000):04d}"


def _british(rng: random.Random) -> Person:
    first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
    # Ofcom's range reserved for drama: never a real subscriber.
    phone = f"+44 7700 900{rng.randrange(1000):03d}"
    return Person(f"{first} {last}", f"{first}.{last}".lower(), phone, rng.choice(CITIES_EN), "en")


def _chinese_in_britain(rng: random.Random) -> Person:
    family, family_ascii = rng.choice(CHINESE_FAMILY)
    given, given_ascii = rng.choice(CHINESE_GIVEN)
    phone = _chinese_phone(rng)
    return Person(family + given, f"{given_ascii}.{family_ascii}", phone, rng.choice(CITIES_ZH), "zh-hans")


def _chinese(rng: random.Random) -> Person:
    """Surname by its frequency in China, then a given name; surname first, as written."""
    family, family_ascii, _weight = rng.choices(names_zh.FAMILY, names_zh.FAMILY_WEIGHTS)[0]
    given, given_ascii = rng.choice(names_zh.GIVEN)
    phone = _chinese_phone(rng)
    return Person(
        family + given, f"{family_ascii}.{given_ascii}", phone, rng.choice(names_zh.CITIES), "zh-hans"
    )


def _english_speaker_in_china(rng: random.Random) -> Person:
    first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
    phone = _chinese_phone(rng)
    return Person(f"{first} {last}", f"{first}.{last}".lower(), phone, rng.choice(names_zh.CITIES), "en")


# demo language → (most customers, the others, the others' share)
PEOPLE: dict[str, tuple[Callable[[random.Random], Person], Callable[[random.Random], Person], float]] = {
    "en": (_british, _chinese_in_britain, CHINESE_SHARE),
    "zh-hans": (_chinese, _english_speaker_in_china, ENGLISH_SHARE_ZH),
}


def customer_draft(
    rng: random.Random, number: int, *, start: datetime, now: datetime, language: str = "en"
) -> CustomerDraft:
    """Customer ``number`` (1-based): CUST-000001, a name fitting their language, a segment."""
    most, others, others_share = PEOPLE[language]
    person = others(rng) if rng.random() < others_share else most(rng)
    segment = pick(rng, SEGMENTS)
    opted_out_at = None
    if rng.random() < OPT_OUT_SHARE:
        opted_out_at = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
    customer = Customer(
        external_id=f"CUST-{number:06d}",
        name=person.name,
        email=f"{person.ascii_name}.{number}@example.com",
        phone=phone_e164(person.phone),  # stored as every writer stores it: +447700900123
        locale=person.locale,
        segment=SEGMENT_NAMES[language].get(segment, segment),
        value_tier=pick(rng, TIERS_BY_SEGMENT[segment]),
        email_opt_out=opted_out_at is not None,
        email_opt_out_at=opted_out_at,
        attributes={"demo": True, "city": person.city},
    )
    return CustomerDraft(customer, mood=rng.gauss(0, 0.9), opted_out_at=opted_out_at)


def demo_user_reset(
    username: str, *, first_name: str, last_name: str, role: str, is_staff: bool, language: str = ""
):
    """Create or reset one demo account: known password, active, in exactly its role, reading the
    product in ``language`` ("" follows the browser)."""
    try:
        group = Group.objects.get(name=role)
    except Group.DoesNotExist as error:
        raise LookupError(f'The role "{role}" is missing; run "manage.py migrate" first.') from error
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user = user_model.objects.create_user(username, f"{username}@example.com")
    user.set_password(DEMO_PASSWORD)
    user.first_name, user.last_name = first_name, last_name
    user.is_active, user.is_staff, user.is_superuser = True, is_staff, False
    user.save()
    user.groups.set([group])
    set_user_language(user, language)
    return user


def demo_users_reset(language: str = "en"):
    """The demo CX manager (staff, for the admin) and the demo agent, named in the demo's language."""
    manager, agent = (
        demo_user_reset(
            username,
            first_name=STAFF[language][key][0],
            last_name=STAFF[language][key][1],
            role=role,
            is_staff=is_staff,
            language=STAFF_LANGUAGE[language],
        )
        for username, key, role, is_staff in (
            (DEMO_MANAGER, "manager", MANAGER, True),
            (DEMO_AGENT, "agent", AGENT, False),
        )
    )
    return manager, agent
