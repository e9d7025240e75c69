# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# The translation catalogues, compiled at build time (GNU gettext's msgfmt, then removed again).
RUN apt-get update && apt-get install -y --no-install-recommends gettext \
    && DJANGO_DEBUG=False DJANGO_SECRET_KEY=compilemessages-only DJANGO_ALLOWED_HOSTS=localhost \
       python manage.py compilemessages -v 0 \
    && apt-get purge -y gettext && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*
# collectstatic needs settings that load; these values exist only for the build step.
RUN DJANGO_DEBUG=False DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

# var/exports exists, owned by cem, so that the exports-data volume mounted there starts writable.
RUN useradd --create-home --uid 1000 cem && mkdir -p var/exports && chown -R cem /app
USER cem
EXPOSE 8000
CMD ["gunicorn", "cem.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
