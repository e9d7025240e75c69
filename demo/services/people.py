"""Demo customers (English and Chinese names) and the two demo staff accounts."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from access.roles import AGENT, MANAGER
from touchpoints.models import Customer, ValueTier
from touchpoints.phones import phone_e164

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
CHINESE_SHARE = 0.25
OPT_OUT_SHARE = 0.04


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


def customer_draft(rng: random.Random, number: int, *, start: datetime, now: datetime) -> CustomerDraft:
    """Customer ``number`` (1-based): CUST-000001, a name fitting their language, a segment."""
    chinese = rng.random() < CHINESE_SHARE
    if chinese:
        family, family_ascii = rng.choice(CHINESE_FAMILY)
        given, given_ascii = rng.choice(CHINESE_GIVEN)
        name, ascii_name = family + given, f"{given_ascii}.{family_ascii}"
        # Not a real mobile prefix (Chinese mobiles start 13–19): safe for demo data.
        phone = f"+86 100 {rng.randrange(10000):04d} {rng.randrange(10000):04d}"
        city = rng.choice(CITIES_ZH)
    else:
        first, last = rng.choice(ENGLISH_FIRST), rng.choice(ENGLISH_LAST)
        name, ascii_name = f"{first} {last}", f"{first}.{last}".lower()
        # Ofcom's range reserved for drama: never a real subscriber.
        phone = f"+44 7700 900{rng.randrange(1000):03d}"
        city = rng.choice(CITIES_EN)
    segment = pick(rng, SEGMENTS)
    opted_out_at = None
    if rng.random() < OPT_OUT_SHARE:
        opted_out_at = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
    customer = Customer(
        external_id=f"CUST-{number:06d}",
        name=name,
        email=f"{ascii_name}.{number}@example.com",
        phone=phone_e164(phone),  # stored as every writer stores it: +447700900123
        locale="zh-hans" if chinese else "en",
        segment=segment,
        value_tier=pick(rng, TIERS_BY_SEGMENT[segment]),
        email_opt_out=opted_out_at is not None,
        email_opt_out_at=opted_out_at,
        attributes={"demo": True, "city": city},
    )
    return CustomerDraft(customer, mood=rng.gauss(0, 0.9), opted_out_at=opted_out_at)


def demo_user_reset(username: str, *, first_name: str, last_name: str, role: str, is_staff: bool):
    """Create or reset one demo account: known password, active, in exactly its role."""
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
    return user


def demo_users_reset():
    """The demo CX manager (staff, for the admin) and the demo agent."""
    manager = demo_user_reset(DEMO_MANAGER, first_name="Maya", last_name="Demo", role=MANAGER, is_staff=True)
    agent = demo_user_reset(DEMO_AGENT, first_name="Alex", last_name="Demo", role=AGENT, is_staff=False)
    return manager, agent
