"""The fixed words of the customer-facing survey pages, per language, and the choice of language.

A small dictionary rather than gettext catalogues: the pages speak the survey's
languages, not the staff's, and nothing needs compiling at deploy time. A
language without an entry here (a survey may offer one) falls back to English
for these fixed words; the survey's own texts still come in that language.
"""

from django.conf import settings

FALLBACK = "en"

PUBLIC_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "language": "Language",
        "question_count_one": "1 question",
        "question_count": "{count} questions",
        "question_number": "Question {number} of {total}",
        "optional": "(optional)",
        "scale_end": "{value} = {label}",
        "expected": "What did you expect?",
        "experienced": "What did you get?",
        "your_answer": "Your answer",
        "text_limit": "Up to {limit} characters.",
        "submit": "Send my answers",
        "errors_title": "Please check your answers",
        "error_required": "Please answer this question.",
        "error_scale": "Choose a whole number from {low} to {high}.",
        "error_pair": "Please answer both parts: what you expected and what you got.",
        "error_choice": "Choose one of the options shown.",
        "error_choices": "Choose only among the options shown.",
        "error_text_length": "Please keep your answer to {limit} characters or fewer (it has {length}).",
        "error_text_characters": "Your answer contains a character that cannot be stored; please remove it.",
        "error_outdated": "This survey has changed since the page was opened. "
        "Please reload it and answer again.",
        "thanks_title": "Thank you!",
        "thanks_body": "Your answers have reached {company}. They help us do better.",
        "answered_title": "You have already answered",
        "answered_body": "We received your answers to this survey earlier. Thank you — each invitation is "
        "answered once, and your first answers are kept.",
        "answered_here_title": "You have already answered — thank you",
        "answered_here_body": "Your answers to this survey reached {company}. There is nothing more to do.",
        "unsubscribe_title": "Stop survey emails",
        "unsubscribe_body": "{company} will send no more survey invitations to your email address.",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed_title": "You are unsubscribed",
        "unsubscribed_body": "{company} will send no more survey invitations to your email address.",
        "preview_banner": "Preview — this is how customers see the survey. Answers are not saved.",
    },
    "zh-hans": {
        "language": "语言",
        "question_count_one": "共 1 个问题",
        "question_count": "共 {count} 个问题",
        "question_number": "第 {number} 题，共 {total} 题",
        "optional": "（选填）",
        "scale_end": "{value} = {label}",
        "expected": "您的期望是？",
        "experienced": "您的实际体验是？",
        "your_answer": "您的回答",
        "text_limit": "最多 {limit} 个字符。",
        "submit": "提交答案",
        "errors_title": "请检查您的回答",
        "error_required": "请回答此问题。",
        "error_scale": "请选择 {low} 到 {high} 之间的整数。",
        "error_pair": "请回答两部分：您的期望和您的实际体验。",
        "error_choice": "请从所列选项中选择一项。",
        "error_choices": "请只从所列选项中选择。",
        "error_text_length": "请将回答控制在 {limit} 个字符以内（当前 {length} 个）。",
        "error_text_characters": "您的回答包含无法保存的字符，请删除后再提交。",
        "error_outdated": "问卷在您打开页面后已有改动。请刷新页面后重新作答。",
        "thanks_title": "谢谢！",
        "thanks_body": "{company}已收到您的回答，这将帮助我们做得更好。",
        "answered_title": "您已经回答过了",
        "answered_body": "我们之前已收到您对本问卷的回答，谢谢！"
        "每份邀请只能回答一次，我们保留您的第一次回答。",
        "answered_here_title": "您已经回答过了，谢谢！",
        "answered_here_body": "{company}已收到您对本问卷的回答，您无需再做任何操作。",
        "unsubscribe_title": "退订调查邮件",
        "unsubscribe_body": "{company}将不再向您的邮箱发送调查邀请。",
        "unsubscribe_button": "退订",
        "unsubscribed_title": "您已退订",
        "unsubscribed_body": "{company}将不再向您的邮箱发送调查邀请。",
        "preview_banner": "预览 — 这是客户看到的问卷样子，回答不会被保存。",
    },
}


def public_text(language: str) -> dict[str, str]:
    """The fixed words of the public pages in ``language`` (English where it has none)."""
    return PUBLIC_TEXT.get(language, PUBLIC_TEXT[FALLBACK])


def survey_language(languages: list[str], *preferred: str | None) -> str:
    """The first of ``preferred`` that ``languages`` (a survey's offer) holds, else its first language.

    The order of ``preferred`` is the order of precedence, e.g. the ``?lang=``
    the customer picked, then the invitation's language.
    """
    for language in preferred:
        if language and language in languages:
            return language
    return languages[0] if languages else settings.LANGUAGE_CODE


def language_name(language: str) -> str:
    """A language's name in itself ("简体中文"), for the switcher."""
    return dict(settings.LANGUAGES).get(language, language)
