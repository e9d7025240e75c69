"""The languages a demo can be seeded in, what each means for the surveys and the staff, and the
shape of a touchpoint's words in any of them."""

from typing import NamedTuple

DEFAULT_LANGUAGE = "en"
DEMO_LANGUAGES = ("en", "zh-hans")
# The demo's surveys: its own language first (the survey's default), the other one second.
SURVEY_LANGUAGES = {"en": ["en", "zh-hans"], "zh-hans": ["zh-hans", "en"]}
# The demo staff's language preference: the English demo follows the browser, as a new account
# does; the Chinese demo's staff read the product in Chinese on every device.
STAFF_LANGUAGE = {"en": "", "zh-hans": "zh-hans"}


class TouchpointWords(NamedTuple):
    """What a touchpoint is called and says in one language (its measure: name and unit)."""

    name: str
    description: str
    measure_name: str = ""
    measure_unit: str = ""
