# syntax=docker/dockerfile:1
# The gateway: demo page and web chat, Telegram, counsellor console, /metrics (port 8000).
# The only process meant to be reachable from outside. Build from the repository root:
#   docker build -f deploy/gateway.Dockerfile -t pes-assistant/gateway:0.1.0 .
# The same image runs the database migrations: `python -m pes.db upgrade`.

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
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8000 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY common common
COPY bot bot
COPY language language
COPY runtime runtime
COPY pes pes
COPY data data
COPY migrations migrations
RUN useradd --system --uid 10001 --no-create-home pes && mkdir -p var && chown pes var
USER 10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=4 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/livez', timeout=4)"]
CMD ["python", "-m", "bot"]
