# syntax=docker/dockerfile:1
# The Rasa action server: custom actions, content from data/content (port 5055).
# Build from the repository root:
#   docker build -f deploy/actions.Dockerfile -t pes-assistant/actions:0.1.0 .

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
    ACTION_HOST=0.0.0.0 \
    RASA_TELEMETRY_ENABLED=false \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY common common
COPY actions actions
COPY language language
COPY runtime runtime
COPY pes pes
COPY data data
COPY migrations migrations
RUN useradd --system --uid 10001 --no-create-home pes && mkdir -p var && chown pes var
USER 10001
EXPOSE 5055
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=4 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:5055/health', timeout=4)"]
# python -m actions: `rasa run actions` bound to ACTION_HOST, errors without the tracker echoed
# (rasa-sdk's own parser spells the option --logging-config_file).
CMD ["python", "-m", "actions", "--port", "5055", "--logging-config_file", "common/logging.yml"]
