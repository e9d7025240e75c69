"""API keys in the admin: the add form shows the new key once, on the page after saving."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .keys import api_key_create, api_key_revoke
from .models import ApiKey
from .scopes import SCOPES


class ApiKeyAddForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=capfirst(_("scopes")),
        choices=[(name, format_lazy("{} — {}", name, label)) for name, label in SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
        initial=list(SCOPES),
        help_text=_("The calls the key may make. Grant only what the integration needs."),
    )

    class Meta:
        model = ApiKey
        fields = ["name", "scopes"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "scope_list", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    actions = ["revoke"]
    readonly_fields = ["prefix", "scopes", "created_by", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "prefix", "scopes", "created_by", "created_at", "last_used_at", "revoked_at"]

    @admin.display(description=_("scopes"))
    def scope_list(self, obj: ApiKey) -> str:
        return ", ".join(obj.scopes)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
            kwargs["fields"] = ["name", "scopes"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["name", "scopes"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The form has checked what api_key_create checks: a name and known scopes.
        created, key = api_key_create(
            name=form.cleaned_data["name"], scopes=form.cleaned_data["scopes"], created_by=request.user
        )
        obj.pk, obj.prefix = created.pk, created.prefix
        # Kept on the request only: the key is rendered once and stored nowhere.
        request._cem_new_api_key = key

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_cem_new_api_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "api_key": obj,
            "key": key,
            "title": gettext("API key created"),
        }
        return TemplateResponse(request, "admin/api/apikey/key_created.html", context)

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        for api_key in queryset.filter(revoked_at__isnull=True):
            api_key_revoke(api_key=api_key, revoked_by=request.user)
        messages.success(
            request, gettext("The selected keys are revoked; they authenticate nothing from now on.")
        )
