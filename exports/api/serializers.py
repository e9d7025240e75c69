"""The exports calls: what a client asks for (kind, format and the metrics' filters) and a job's state."""

from django.urls import reverse
from rest_framework import serializers

from analytics.api.metric_serializers import MetricQuerySerializer
from api.fields import strict

from ..models import ExportFormat, ExportJob, ExportKind
from ..selectors.queries import ExportUnavailable
from ..services.jobs import ExportSpec, echo_of, job_file


class ExportRequestSerializer(MetricQuerySerializer):
    """The metrics' filters (the same cut as every figure), plus what to export and as what."""

    interval = None  # a series means nothing to a raw export
    kind = serializers.ChoiceField(
        choices=ExportKind.choices,
        help_text="responses_wide: one row per response of one survey (needs `survey`); responses_long: "
        "one row per answer; interactions and customers: the CSV import's columns.",
    )
    format = serializers.ChoiceField(choices=ExportFormat.choices, default=ExportFormat.CSV)

    def get_fields(self):
        """The metrics' filters arrive there as query text; here in a JSON body, so each takes only
        its schema's JSON type (a survey id as a number, a segment as text)."""
        fields = super().get_fields()
        for field in fields.values():
            field.__class__ = strict(type(field))
        return fields

    def spec(self) -> ExportSpec:
        """The export asked for; a validation error naming ``survey`` when it cannot be made."""
        filters = self.filters()
        spec = ExportSpec(
            self.validated_data["kind"], self.validated_data["format"], filters, echo_of(filters)
        )
        try:
            spec.query()
        except ExportUnavailable as error:
            raise serializers.ValidationError({"survey": [str(error)]}, code="required") from error
        return spec


class ExportJobSerializer(serializers.ModelSerializer):
    format = serializers.CharField(source="file_format", help_text="csv or xlsx.")
    progress = serializers.FloatField(
        allow_null=True, help_text="Share written, 0–1 (1 once done); null before anything is known."
    )
    download_url = serializers.SerializerMethodField(
        help_text="Where to fetch the file once `status` is done."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "format",
            "filters",
            "status",
            "rows_total",
            "rows_done",
            "progress",
            "file_size",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job: ExportJob) -> str | None:
        if job_file(job) is None:
            return None
        url = reverse("api:export-download", kwargs={"pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url
