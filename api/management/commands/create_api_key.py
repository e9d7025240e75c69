"""``manage.py create_api_key --name NAME [--scopes a,b,...]``: prints the new key once, on its last line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from api.keys import api_key_create
from api.scopes import ALL_SCOPES


class Command(BaseCommand):
    help = "Create an API key and print it once (on the last line). Only its hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Who uses the key, e.g. 'CRM production'.")
        parser.add_argument(
            "--scopes",
            default="",
            help=f"Comma-separated scopes (default: all). Known: {','.join(ALL_SCOPES)}",
        )

    def handle(self, *args, name: str, scopes: str, **options):
        wanted = [scope.strip() for scope in scopes.split(",") if scope.strip()] or None
        try:
            api_key, key = api_key_create(name=name, scopes=wanted)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        created = gettext("Created API key %(name)s with scopes: %(scopes)s")
        self.stdout.write(created % {"name": repr(api_key.name), "scopes": ", ".join(api_key.scopes)})
        self.stdout.write(gettext("Copy it now: it is not stored and cannot be shown again."))
        self.stdout.write(key)
