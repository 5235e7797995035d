# syntax=docker/dockerfile:1
# The Rasa server: NLU, dialogue policies and the localising NLG (port 5005).
# Build from the repository root after `make train` (the image carries the model):
#   docker build -f deploy/rasa.Dockerfile -t pes-assistant/rasa:0.1.0 .
# Run several of these on one PostgreSQL (DATABASE_URL) and one Redis (REDIS_URL).

FROM python:3.10.13-slim-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock /tmp/requirements.lock
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check pip==24.0 \
    && /opt/venv/bin/pip install --no-cache-dir --no-deps -r /tmp/requirements.lock \
    && /opt/venv/bin/pip check

FROM python:3.10.13-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning \
    APP_ENV=production \
    LOG_FORMAT=json \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=3 \
    OMP_WAIT_POLICY=PASSIVE \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 \
    TICKET_LOCK_LIFETIME=15
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY config.yml domain.yml credentials.yml endpoints.yml ./
COPY common common
COPY language language
COPY runtime runtime
COPY pes pes
COPY data data
COPY models/current.tar.gz models/current.tar.gz
RUN useradd --system --uid 10001 --no-create-home pes && mkdir -p var && chown pes var
USER 10001
EXPOSE 5005
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=4 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:5005/', timeout=4)"]
# Rasa's HTTP API only with RASA_AUTH_TOKEN set (the REST channel is always served).
CMD ["sh", "-c", "exec rasa run --model models/current.tar.gz --interface 0.0.0.0 --port 5005 --credentials credentials.yml --endpoints endpoints.yml --logging-config-file common/logging.yml ${RASA_AUTH_TOKEN:+--enable-api --auth-token \"$RASA_AUTH_TOKEN\"}"]
