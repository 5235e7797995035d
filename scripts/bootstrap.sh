#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies.
# Idempotent: does nothing when the lock file has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
LOCK=requirements.lock
STAMP="$VENV/.installed-lock"

find_python310() {
  local candidates=()
  [ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
  command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/3.10.*/bin/python3.10; do candidates+=("$p"); done
  fi
  for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    candidates+=("$p")
  done
  for p in "${candidates[@]}"; do
    if [ -x "$p" ] && "$p" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; then
      echo "$p"; return 0
    fi
  done
  return 1
}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)'; then
  if ! PY=$(find_python310); then
    echo "bootstrap: Python 3.10 with venv is required (Rasa 3.6 does not install on 3.11+): install it, e.g. 'pyenv install 3.10', or set PYTHON310=/path/to/python3.10." >&2
    exit 1
  fi
  rm -rf "$VENV"
  echo "bootstrap: creating $VENV with $PY"
  "$PY" -m venv "$VENV"
fi

if [ -f "$STAMP" ] && cmp -s "$STAMP" "$LOCK"; then
  exit 0
fi

echo "bootstrap: installing pinned dependencies from $LOCK (first time: a few minutes)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$LOCK"
"$VENV/bin/python" -m pip check
# Rasa's own CLI (rasa shell, rasa train ...) reads ${VAR} references in
# endpoints.yml; the activate script gets the same defaults as `make run`.
if ! grep -q 'scripts/env.sh' "$VENV/bin/activate"; then
  printf '\n# PES assistant defaults for Rasa CLI use\n. "%s/scripts/env.sh"\n' "$(pwd)" >> "$VENV/bin/activate"
fi
cp "$LOCK" "$STAMP"
echo "bootstrap: done"
