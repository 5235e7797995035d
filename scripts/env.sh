# Default environment for the PES assistant on one machine (embedded defaults).
# Sourced by the Makefile and by .venv/bin/activate; a variable already set wins.
: "${RASA_HOST:=127.0.0.1}"
: "${RASA_PORT:=5005}"
: "${ACTION_HOST:=127.0.0.1}"
: "${ACTION_PORT:=5055}"
: "${GATEWAY_HOST:=127.0.0.1}"
: "${GATEWAY_PORT:=8000}"
: "${ACTION_SERVER_URL:=http://${ACTION_HOST}:${ACTION_PORT}/webhook}"
: "${TRANSLATION_PROVIDER:=none}"
export RASA_HOST RASA_PORT ACTION_HOST ACTION_PORT GATEWAY_HOST GATEWAY_PORT ACTION_SERVER_URL TRANSLATION_PROVIDER
# Rasa and TensorFlow chatter that hides real problems in the logs.
# OpenMP (the e5 encoder) must not spin on a busy 2-core machine.
: "${OMP_WAIT_POLICY:=PASSIVE}"
export OMP_WAIT_POLICY
: "${TF_CPP_MIN_LOG_LEVEL:=3}"
: "${RASA_TELEMETRY_ENABLED:=false}"
: "${SQLALCHEMY_SILENCE_UBER_WARNING:=1}"
export TF_CPP_MIN_LOG_LEVEL RASA_TELEMETRY_ENABLED SQLALCHEMY_SILENCE_UBER_WARNING
