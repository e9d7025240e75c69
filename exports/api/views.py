"""``/exports/``: raw exports of responses, answers, interactions and customers, as jobs.

``POST`` answers 202 with the job; poll ``GET /exports/{id}/`` until ``status`` is ``done``, then
fetch ``download_url``. A key sees the jobs it created. Files are kept ``EXPORT_RETENTION_HOURS``.
"""

from django.http import FileResponse
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.exceptions import Conflict
from api.schema import ErrorResponseSerializer
from audit.models import AuditAction
from audit.services import audit_record

from ..models import ExportFormat, ExportJob, ExportStatus
from ..services.jobs import export_job_create, export_rows_expected, job_file
from ..services.reads import export_reads
from .serializers import ExportJobSerializer, ExportRequestSerializer

CONTENT_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


JOB_QUEUED = {
    "id": "3f2b8c1e-5d4a-4b7e-9a61-2c0f7d9e8a10",
    "kind": "responses_wide",
    "format": "csv",
    "filters": {"start": "2025-01-01", "end": "2025-03-31", "survey_id": 2},
    "status": "queued",
    "rows_total": 412000,
    "rows_done": 0,
    "progress": 0.0,
    "file_size": None,
    "error": "",
    "created_at": "2025-04-01T08:00:00Z",
    "started_at": None,
    "finished_at": None,
    "expires_at": None,
    "download_url": None,
}
JOB_DONE = {
    **JOB_QUEUED,
    "status": "done",
    "rows_done": 412000,
    "progress": 1.0,
    "file_size": 61345210,
    "started_at": "2025-04-01T08:00:01Z",
    "finished_at": "2025-04-01T08:00:09Z",
    "expires_at": "2025-04-02T08:00:09Z",
    "download_url": "https://cem.example.com/api/v1/exports/3f2b8c1e-5d4a-4b7e-9a61-2c0f7d9e8a10/download/",
}
EXAMPLES = [
    OpenApiExample("A queued export", value=JOB_QUEUED, response_only=True),
    OpenApiExample("A finished export", value=JOB_DONE, response_only=True),
]


# English in the schema's example; translated when a call gets it.
EXPIRED_MESSAGE = gettext_noop("The export's file has expired; request the export again.")


class Gone(Conflict):
    status_code = status.HTTP_410_GONE
    default_detail = gettext_lazy(EXPIRED_MESSAGE)
    default_code = "expired"


@extend_schema_view(
    list=extend_schema(summary="List this key's exports", description="Newest first.", examples=EXAMPLES),
    retrieve=extend_schema(
        summary="Read an export's state", description="Poll until `status` is `done`.", examples=EXAMPLES
    ),
)
class ExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    scopes = {"read": "exports:read", "write": "exports:read"}
    serializer_class = ExportJobSerializer
    lookup_value_regex = "[^/]+"  # an id that is no UUID is a 404, as an unknown one

    def get_queryset(self):
        return ExportJob.objects.filter(api_key=self.request.auth).order_by("-created_at")

    @extend_schema(
        summary="Start an export",
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer},
        examples=[
            OpenApiExample(
                "Every response of a survey in a quarter, one row each",
                value={
                    "kind": "responses_wide",
                    "format": "csv",
                    "survey": 2,
                    "start": "2025-01-01",
                    "end": "2025-03-31",
                },
                request_only=True,
            ),
            OpenApiExample(
                "One row per answer, as Excel",
                value={"kind": "responses_long", "format": "xlsx"},
                request_only=True,
            ),
            EXAMPLES[0],
        ],
        description="Filters as for the metrics calls. The rows are written by a worker; the answer is "
        "the job, queued.",
    )
    def create(self, request):
        query = ExportRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        spec = query.spec()
        with export_reads():
            rows = export_rows_expected(spec)
        job = export_job_create(spec=spec, rows_total=rows, api_key=request.auth)
        audit_record(
            action=AuditAction.EXPORT,
            request=request,
            target=spec.file_name(),
            details={"kind": spec.kind, "format": spec.file_format, "filters": spec.echo, "job": str(job.id)},
        )
        job.refresh_from_db()
        serializer = ExportJobSerializer(job, context=self.get_serializer_context())
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Download an export's file",
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES[ExportFormat.XLSX]): OpenApiTypes.BINARY,
            409: OpenApiResponse(ErrorResponseSerializer, description="The export is not finished."),
            410: OpenApiResponse(ErrorResponseSerializer, description="The file has expired."),
        },
        examples=[
            OpenApiExample(
                "A CSV file",
                value="response_id,submitted_at,survey_id,…,q1_nps\n4711,2025-03-02 15:00:04,2,…,9\n",
                media_type="text/csv",
                response_only=True,
            ),
            OpenApiExample(
                "Not finished",
                value={
                    "errors": [
                        {
                            "field": None,
                            "code": "not_ready",
                            "message": "The export is running; its file is not ready.",
                        }
                    ]
                },
                status_codes=["409"],
                response_only=True,
            ),
            OpenApiExample(
                "Expired",
                value={"errors": [{"field": None, "code": "expired", "message": EXPIRED_MESSAGE}]},
                status_codes=["410"],
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status == ExportStatus.EXPIRED:
            raise Gone
        path = job_file(job)
        if path is None:
            state = str(job.get_status_display()).lower()
            message = gettext("The export is %(status)s; its file is not ready.") % {"status": state}
            raise Conflict(message, code="not_ready")
        audit_record(
            action=AuditAction.EXPORT, request=request, target=path.name, details={"job": str(job.id)}
        )
        response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[job.file_format])
        response["Content-Disposition"] = (
            f'attachment; filename="{job.kind}-{job.created_at:%Y-%m-%d}.{job.file_format}"'
        )
        response["Cache-Control"] = "private, no-store"
        return response
