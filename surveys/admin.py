from django.contrib import admin

from infra.admin_json import SafeJSONAdmin

from .models import Answer, EmailSuppression, Invitation, Question, Response, Survey, SurveyRule


class QuestionInline(SafeJSONAdmin, admin.StackedInline):
    model = Question
    extra = 0
    ordering = ("order",)


@admin.register(Survey)
class SurveyAdmin(SafeJSONAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "status", "touchpoint", "updated_at")
    list_filter = ("kind", "status")
    search_fields = ("name",)
    readonly_fields = ("created_at", "updated_at", "created_by")
    inlines = [QuestionInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "survey",
        "customer",
        "status",
        "created_at",
        "sent_at",
        "responded_at",
    )
    list_filter = ("status", "survey")
    search_fields = ("customer__name", "customer__external_id", "customer__email")
    date_hierarchy = "created_at"
    list_select_related = ("survey", "customer")
    raw_id_fields = ("customer", "interaction", "rule")
    # The status and its times change only through the services (sending, bouncing, answering),
    # which publish the webhook events and mark the response rate stale; here they are shown.
    readonly_fields = (
        "status",
        "suppression_reason",
        "token_hash",
        "token_nonce",
        "send_enqueued_at",
        "send_started_at",
        "created_at",
        "sent_at",
        "opened_at",
        "responded_at",
        "reminded_at",
        "bounced_at",
        "suppressed_at",
    )
    show_full_result_count = False


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    readonly_fields = (
        "question",
        "question_type",
        "score",
        "expected",
        "text",
        "choices",
    )
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Responses are the customer's words: shown, never edited."""

    list_display = ("id", "survey", "customer", "language", "submitted_at")
    list_filter = ("survey", "language")
    search_fields = ("customer__name", "customer__external_id")
    date_hierarchy = "submitted_at"
    list_select_related = ("survey", "customer")
    readonly_fields = ("invitation", "survey", "customer", "submitted_at", "language")
    inlines = [AnswerInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SurveyRule)
class SurveyRuleAdmin(admin.ModelAdmin):
    list_display = ("survey", "touchpoint", "stage", "delay_hours", "active", "created_at")
    list_filter = ("active", "stage", "survey")
    list_select_related = ("survey", "touchpoint")


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(admin.ModelAdmin):
    """Addresses never emailed again; deleting a row lets the address receive invitations again."""

    list_display = ("email", "reason", "created_at")
    search_fields = ("email",)
    readonly_fields = ("created_at",)
