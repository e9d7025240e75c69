"""Free-text comments for demo answers, in English and Simplified Chinese.

A comment matches its answer: a detractor complains, a promoter praises, and
where the survey followed a touchpoint (or a driver stood out) the comment
names it, so text analysis of the demo finds the same story as the numbers.
The English demo's tables are here (with Chinese for its Chinese customers);
the Chinese demo writes its Chinese customers' comments from ``comments_zh``.
"""

import random
from typing import NamedTuple

from . import comments_zh

# sentiment -> language -> texts
GENERIC = {
    "detractor": {
        "en": (
            "Not what I was promised.",
            "Too slow, and nobody kept me informed.",
            "I had to chase you several times.",
            "Disappointing from start to finish.",
        ),
        "zh-hans": (
            "和承诺的不一样。",
            "太慢了，也没人告诉我进度。",
            "我催了好几次才有回应。",
            "从头到尾都很失望。",
        ),
    },
    "passive": {
        "en": ("It was fine, nothing special.", "OK overall, a bit slow in places.", "Did the job."),
        "zh-hans": ("还可以，没什么特别的。", "总体还行，有些地方有点慢。", "基本满足需求。"),
    },
    "promoter": {
        "en": (
            "Quick, friendly and easy.",
            "Great experience, I will be back.",
            "Everything worked exactly as promised.",
            "Really helpful people.",
        ),
        "zh-hans": (
            "快捷、友好、方便。",
            "体验很棒，我还会再来。",
            "一切都和承诺的一样。",
            "工作人员非常热心。",
        ),
    },
}

# touchpoint code -> sentiment -> language -> texts
TOUCHPOINT = {
    "delivery": {
        "detractor": {
            "en": (
                "The parcel arrived days later than promised.",
                "Delivery was late and the slot was missed.",
                "The box arrived damaged and late.",
            ),
            "zh-hans": (
                "包裹比承诺的晚了好几天才到。",
                "送货迟到，还错过了约定的时间段。",
                "箱子送到时已经破损，而且晚了。",
            ),
        },
        "promoter": {
            "en": ("Delivered a day early, brilliant.",),
            "zh-hans": ("提前一天送到，太棒了。",),
        },
    },
    "support-call": {
        "detractor": {
            "en": (
                "I waited on hold far too long.",
                "Twenty minutes on hold, then passed around.",
                "The support line kept me waiting and did not solve it.",
            ),
            "zh-hans": (
                "电话等待时间太长了。",
                "等了二十分钟，还被转来转去。",
                "客服热线让我一直等，问题也没解决。",
            ),
        },
        "promoter": {
            "en": ("Answered quickly and fixed on the first call.",),
            "zh-hans": ("接听很快，一次就解决了问题。",),
        },
    },
    "instore-purchase": {
        "promoter": {
            "en": (
                "The adviser in the store was fantastic.",
                "Better than I expected: quick, friendly, and a good deal.",
                "The staff set everything up for me at the till.",
            ),
            "zh-hans": (
                "店里的顾问非常棒。",
                "比我预期的还要好：快捷、友好、价格也划算。",
                "店员在收银台就帮我全部设置好了。",
            ),
        },
    },
    "installation": {
        "promoter": {
            "en": ("The technician was on time, tidy and explained everything.",),
            "zh-hans": ("安装师傅准时、整洁，还把一切都讲解清楚了。",),
        },
    },
}

# driver -> sentiment -> language -> texts (the relationship survey's comment
# names the weakest driver of a detractor, the strongest of a promoter)
DRIVER = {
    "service": {
        "detractor": {
            "en": ("Customer service is hard to reach and slow.",),
            "zh-hans": ("客服很难联系上，而且很慢。",),
        },
        "promoter": {"en": ("Your service team is excellent.",), "zh-hans": ("你们的服务团队非常出色。",)},
    },
    "product": {
        "detractor": {"en": ("The product broke too soon.",), "zh-hans": ("产品太快就坏了。",)},
        "promoter": {
            "en": ("Love the products, great quality.",),
            "zh-hans": ("非常喜欢你们的产品，质量很好。",),
        },
    },
    "price": {
        "detractor": {"en": ("Too expensive for what you get.",), "zh-hans": ("性价比太低了。",)},
        "promoter": {"en": ("Fair prices.",), "zh-hans": ("价格很公道。",)},
    },
    "convenience": {
        "detractor": {"en": ("Everything takes too many steps.",), "zh-hans": ("每件事都要太多步骤。",)},
        "promoter": {"en": ("So easy to buy and get help.",), "zh-hans": ("购买和求助都非常方便。",)},
    },
    "relationship": {
        "detractor": {
            "en": ("You do not seem to know me as a customer.",),
            "zh-hans": ("你们好像并不了解我这个客户。",),
        },
        "promoter": {
            "en": ("You treat me like a valued customer.",),
            "zh-hans": ("你们把我当作重要的客户来对待。",),
        },
    },
    "brand": {
        "detractor": {"en": ("The brand has lost its shine.",), "zh-hans": ("这个品牌已经不如从前了。",)},
        "promoter": {"en": ("A brand I trust.",), "zh-hans": ("一个值得信赖的品牌。",)},
    },
}


class CommentTables(NamedTuple):
    """Texts by sentiment, by touchpoint code and by driver (each: … → sentiment → language → texts)."""

    generic: dict
    touchpoint: dict
    driver: dict


ENGLISH_DEMO = CommentTables(GENERIC, TOUCHPOINT, DRIVER)
CHINESE_DEMO = CommentTables(comments_zh.GENERIC, comments_zh.TOUCHPOINT, comments_zh.DRIVER)
# demo language → the respondent's language → the tables their comment is drawn from
DEMO_COMMENTS = {
    "en": {"en": ENGLISH_DEMO, "zh-hans": ENGLISH_DEMO},
    "zh-hans": {"en": ENGLISH_DEMO, "zh-hans": CHINESE_DEMO},
}


def nps_sentiment(score: int) -> str:
    """Promoter 9–10, passive 7–8, detractor 0–6 (metrics.md)."""
    if score >= 9:
        return "promoter"
    return "passive" if score >= 7 else "detractor"


def comment_for(
    rng: random.Random,
    *,
    sentiment: str,
    language: str,
    touchpoint: str = "",
    driver: str = "",
    tables: CommentTables = ENGLISH_DEMO,
) -> str:
    """A comment in ``language``: about the touchpoint or driver when one fits, else generic."""
    for specific in (tables.touchpoint.get(touchpoint, {}), tables.driver.get(driver, {})):
        texts = specific.get(sentiment, {}).get(language)
        if texts and rng.random() < 0.75:
            return rng.choice(texts)
    return rng.choice(tables.generic[sentiment][language])
