# syntax=docker/dockerfile:1
# The production image: gunicorn serving Django (whitenoise for static files). The same image
# runs the Celery worker and beat, and the one-shot migrate service (docker-compose.yml).
#
# Kept in sync with scripts/replay_dockerfile.sh, which replays the RUN steps marked
# "# replay: <step>" (and the HEALTHCHECK and CMD) without Docker; tests/site/test_dockerfile.py
# checks that both agree. Change them together.

# --- Stage 1: build wheels for every pinned dependency -----------------------------------
FROM python:3.13-slim AS builder
RUN apt-get update \
    && apt-get install --yes --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements/ requirements/
# replay: wheels
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements/production.txt

# --- Stage 2: the runtime image (no compiler) ----------------------------------------------
FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# pg_dump/pg_restore for `manage.py backup` and `restore`: Debian's client (17 on this base)
# matches the postgres:17 server in docker-compose.yml (a client older than the server fails).
# gettext: compilemessages makes the translations (locale/*.po) at build time, below.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends postgresql-client gettext \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 aysekai \
    && useradd --system --uid 10001 --gid aysekai --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin aysekai
WORKDIR /app
COPY requirements/ requirements/
# Only the wheels built above, nothing from an index; the bind mount keeps them out of a layer.
# replay: install
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels pip install --no-cache-dir --no-index --find-links /wheels -r requirements/production.txt
COPY . .
# The translations are compiled and static files collected into the image (var/static, served
# by whitenoise); no compiled catalogue comes from the build context (.dockerignore). The settings
# refuse DEBUG=false without a secret key, encryption keys and allowed hosts, so this step gets
# throwaway values that live only in this RUN (none is in the image or its history).
# replay: collectstatic
RUN SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" FIELD_ENCRYPTION_KEYS="$(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')" ALLOWED_HOSTS=localhost DEBUG=false sh -c 'python manage.py compilemessages --ignore=var --verbosity 0 && python manage.py collectstatic --noinput --verbosity 0'
# The app user owns only what it writes: private files (exports, uploads; a volume in
# compose), backups (a volume) and Celery's state (beat schedule). Code and static files stay root's, read-only.
RUN mkdir -p var/private var/backups var/celery/queue var/celery/processed var/celery/results \
    && chown -R aysekai:aysekai var/private var/backups var/celery \
    && chmod 0700 var/private var/backups
USER aysekai:aysekai
EXPOSE 8000
# Liveness only (/healthz touches nothing else). It sends the first host in ALLOWED_HOSTS, so
# host validation passes, and X-Forwarded-Proto (gunicorn believes it from 127.0.0.1), so an
# HTTPS redirect could not fail it either (the settings also exempt /healthz from that).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)"]
CMD ["gunicorn", "aysekai_site.wsgi:application", "--config", "gunicorn.conf.py"]
