"""Every dashboard in Simplified Chinese, for a CX manager who chose it.

The known data set of ``test_dashboard_copy`` (one touchpoint, 30 responses, a journey map), with
two rated experience dimensions and a free-text comment added, is shown to a manager whose
language is zh-hans while their browser asks for English. Each page's headings, cards, tables,
filters and charts must be Chinese: every chart's title, axis titles and legend entries, numbers
written with the Chinese separators (``layout.separators``) and plotly.js's own words in its
zh-CN locale; what is left in Latin letters is data (names, the comment) or a code (NPS, CSV…).
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from access.languages import set_user_language
from access.roles import MANAGER
from analytics.api.metric_serializers import MetricQuerySerializer
from analytics.services import metrics_rebuild
from surveys.models import Question, Response
from tests.analytics.test_dashboard_copy import known_data
from tests.analytics.test_dashboard_numbers import elements, figures, kpis
from tests.factories import AnswerFactory, QuestionFactory, UserFactory
from tests.i18n.english import data_words, english_in_page

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
COMMENT = "送货又晚了，客服态度很好"
PAGES = ("overview", "touchpoints", "touchpoint", "journeys", "drivers", "comments")
CHART_PAGES = PAGES[:-1]  # the comments page draws no figure
VENDOR = Path(settings.BASE_DIR) / "static" / "vendor" / "plotly-locales"


@pytest.fixture
def known(db):
    """The known data set, with service and price rated on every response (30 pairs each, enough
    to rank them) and one comment in Chinese."""
    found = known_data()
    survey = found["survey"]
    service = QuestionFactory(survey=survey, order=5, type=Question.Type.RATING, driver="service")
    price = QuestionFactory(survey=survey, order=6, type=Question.Type.RATING, driver="price")
    text = QuestionFactory(survey=survey, order=7, type=Question.Type.TEXT)
    responses = Response.objects.filter(survey=survey).order_by("pk")
    for index, response in enumerate(responses):
        nps = response.answers.get(question_type=Question.Type.NPS).score
        AnswerFactory(response=response, question=service, score=min(10.0, nps + index % 2))
        AnswerFactory(response=response, question=price, score=float((index * 7) % 11))
        if index == 0:
            AnswerFactory(response=response, question=text, text=COMMENT)
    metrics_rebuild()
    return found


@pytest.fixture
def chinese(db) -> Client:
    """A CX manager of their own (the ``manager`` fixture reads in English) who chose zh-hans."""
    user = UserFactory(username="mei")
    user.groups.add(Group.objects.get_or_create(name=MANAGER)[0])
    set_user_language(user, "zh-hans")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the user's choice, not the browser, must win
    client.force_login(user)
    return client


def page_url(page: str, known: dict) -> str:
    if page == "touchpoint":
        return reverse("dashboard-touchpoint-detail", args=[known["touchpoint"].id])
    return reverse(f"dashboard-{page}")


def has_chinese(text: str | None) -> bool:
    return bool(text and HAN.search(text))


def title_text(node) -> str:
    return (node.get("text") if isinstance(node, dict) else node) or ""


@pytest.mark.parametrize("page", PAGES)
def test_no_english_word_of_the_interface_is_left_on_a_dashboard(chinese, known, page):
    response = chinese.get(page_url(page, known), {"period": "last_30"})

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert english_in_page(response.content.decode(), data_words()) == []


@pytest.mark.parametrize("page", CHART_PAGES)
def test_every_chart_has_chinese_words_and_the_chinese_separators(chinese, known, page):
    shown = figures(chinese.get(page_url(page, known), {"period": "last_30"}))

    assert shown
    for chart_id, figure in shown.items():
        layout = figure["layout"]
        assert layout["separators"] == "."  # zh-hans: "." for decimals, no thousands separator
        assert has_chinese(title_text(layout["title"])), chart_id
        axes = [value for key, value in layout.items() if re.fullmatch(r"[xy]axis\d*", key)]
        for axis in axes:
            if axis.get("visible") is not False and title_text(axis.get("title")):
                assert has_chinese(title_text(axis["title"])), (chart_id, axis["title"])
        for trace in figure["data"]:
            if trace.get("showlegend", True) and trace.get("name") not in (None, "NPS"):
                assert has_chinese(trace["name"]), (chart_id, trace["name"])


def test_the_charts_hover_text_and_empty_states_are_chinese(chinese, known):
    touchpoints = figures(chinese.get(reverse("dashboard-touchpoints"), {"period": "last_30"}))
    nps = touchpoints["chart-touchpoint-nps"]["data"][0]
    heatmap = touchpoints["chart-expectation-heatmap"]["data"][0]
    empty = figures(chinese.get(reverse("dashboard-overview"), {"stage": "pre_sale"}))["chart-nps-trend"]

    assert nps["name"] == "售后"  # the stage of the touchpoint, in the glossary's word
    assert "95% 置信区间" in nps["text"][0] and "30 个 NPS 回答" in nps["text"][0]
    assert all(re.fullmatch(r"\d{4}年\d{1,2}月", month) for month in heatmap["x"])
    assert any("低于期望" in cell for row in heatmap["text"] for cell in row)
    assert empty["layout"]["meta"]["empty"] and "在这些筛选条件下" in empty["layout"]["meta"]["reason"]


def test_the_drivers_quadrants_and_factors_are_the_glossarys_words(chinese, known):
    response = chinese.get(reverse("dashboard-drivers"), {"period": "last_30"})
    matrix = figures(response)["chart-drivers"]
    legend = {trace["name"] for trace in matrix["data"]}
    factors = [label for trace in matrix["data"] for label in trace["text"]]

    assert legend <= {"优先改进", "继续保持", "持续关注", "次要"}
    assert sorted(factors) == sorted(["服务", "价格"])
    rows = [e for e in elements(response) if e["tag"] == "tr" and "data-dimension" in e]
    assert {row["data-dimension"] for row in rows} == {"service", "price"}  # codes stay codes


def test_chinese_pages_load_plotlys_chinese_locale_and_english_ones_do_not(chinese, manager_client, known):
    chinese_page = chinese.get(reverse("dashboard-overview")).content.decode()
    english_page = manager_client.get(reverse("dashboard-overview")).content.decode()

    assert "vendor/plotly-locales/plotly-locale-zh-cn.js" in chinese_page
    assert '"locale": "zh-CN"' in chinese_page  # chart-settings: charts.js sets config.locale
    assert "plotly-locale" not in english_page and '"locale": ""' in english_page
    locale = finders.find("vendor/plotly-locales/plotly-locale-zh-cn.js")
    assert locale and 'name:"zh-CN"' in Path(locale).read_text()
    assert "plotly.js@4.1.1" in (VENDOR / "README.md").read_text()  # the plotly.js the package bundles


def test_charts_js_holds_no_word_a_person_reads():
    script = (Path(settings.BASE_DIR) / "static" / "js" / "charts.js").read_text()
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", script, flags=re.S)
    literals = set(re.findall(r'"([^"\\]*)"', code)) - {"use strict"}
    assert [text for text in literals if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", text)] == []


def test_a_figure_kept_in_english_is_not_served_in_chinese(manager_client, chinese, known):
    english = figures(manager_client.get(reverse("dashboard-overview")))
    chinese_figures = figures(chinese.get(reverse("dashboard-overview")))

    assert english["chart-nps-split"]["layout"]["title"]["text"] == "Promoters, passives and detractors"
    assert chinese_figures["chart-nps-split"]["layout"]["title"]["text"] == "推荐者、被动者和贬损者"
    assert english["chart-nps-split"]["layout"]["separators"] == ".,"


def test_cards_write_numbers_the_chinese_way(chinese, known):
    response = chinese.get(reverse("dashboard-overview"))
    shown = kpis(response)
    html = response.content.decode()

    assert shown["csat"]["data-value"] == repr(100 * 22 / 30)  # exact values stay machine-readable
    assert ">73%<" in html  # the figure, with the Chinese percent sign (no space)
    assert "30 个回答中有 22 个评为 4–5 分 · 95% 置信区间 55% 至 86%" in html
    period = re.search(r'<p class="dash-period muted">(.*?)</p>', html).group(1)
    assert re.fullmatch(r"(\d{4}年)?\d{1,2}月\d{1,2}日 – \d{4}年\d{1,2}月\d{1,2}日（90 天）", period)


def test_a_bad_filter_is_explained_in_chinese(chinese, known):
    response = chinese.get(reverse("dashboard-overview"), {"start": "2025-03-10", "end": "2025-03-01"})
    html = response.content.decode()

    assert response.status_code == 400
    assert "无法应用这些筛选条件。" in html
    assert "开始日期（2025-03-10）晚于结束日期（2025-03-01）。" in html


def test_a_download_keeps_machine_columns_and_names_its_about_sheet_in_chinese(chinese, known):
    url = reverse("dashboard-export", kwargs={"slug": "overview", "fmt": "xlsx"})
    workbook = load_workbook(io.BytesIO(chinese.get(url, {"period": "last_30"}).content))
    about = dict(workbook["说明"].iter_rows(values_only=True))

    assert workbook.sheetnames == ["说明", "summary", "nps_trend"]
    assert about["仪表板"] == "概览" and about["时间段"].endswith("（30 天）")
    header = next(workbook["summary"].iter_rows(values_only=True))
    assert header == ("figure", "this period", "previous period")


def test_the_comments_list_is_chinese_and_shows_the_comment_as_written(chinese, known):
    response = chinese.get(reverse("dashboard-comments"), {"period": "last_30"})
    html = response.content.decode()

    assert COMMENT in html
    assert "最新评论" in html and "推荐意愿，0–10" in html
    assert "年" in re.search(r"<time datetime=\"[^\"]+\">([^<]+)</time><br>", html).group(1)


def test_the_rebuild_command_reports_in_the_active_language(known):
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("rebuild_metrics", stdout=out)

    assert "已重建 2 个旅程" in out.getvalue()


def test_metrics_api_errors_follow_the_request_language(known):
    with translation.override("zh-hans"):
        query = MetricQuerySerializer(data={"survey": 987654, "start": "2025-03-10", "end": "2025-03-01"})
        assert not query.is_valid()

    assert query.errors["end"] == ["不能早于 start。"]
