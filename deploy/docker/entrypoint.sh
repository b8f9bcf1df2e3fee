#!/bin/sh
# UNTESTED (see deploy/docker-compose.yml). Entry point of the quorate image: runs `quorate ARGS`,
# after two first-run steps the compose file relies on:
#  - "hub start": builds QUORATE_HUB_DATABASE_URL from the password file (Docker secret) and
#    runs "hub init" (PostgreSQL, migrations) when the data directory holds no hub.json yet;
#  - "cosigner start": runs "cosigner init" when the data directory holds no secrets.db yet.
set -eu
quorate() { node /opt/quorate/packages/cli/bin/quorate.js "$@"; }

if [ "${1:-}" = hub ] && [ -n "${QUORATE_HUB_DATABASE_PASSWORD_FILE:-}" ]; then
  # The password must be URL-safe (e.g. openssl rand -hex 24).
  QUORATE_HUB_DATABASE_URL="postgres://${QUORATE_HUB_DATABASE_USER}:$(cat "$QUORATE_HUB_DATABASE_PASSWORD_FILE")@${QUORATE_HUB_DATABASE_HOST}/${QUORATE_HUB_DATABASE_NAME}"
  export QUORATE_HUB_DATABASE_URL
fi
if [ "${1:-}" = hub ] && [ "${2:-}" = start ] && [ ! -f "$QUORATE_HUB_DATA_DIR/hub.json" ]; then
  quorate hub init --data-dir "$QUORATE_HUB_DATA_DIR" --database-url "$QUORATE_HUB_DATABASE_URL"
fi
if [ "${1:-}" = cosigner ] && [ "${2:-}" = start ] && [ ! -f "$QUORATE_COSIGNER_DATA_DIR/secrets.db" ]; then
  quorate cosigner init
fi
exec node /opt/quorate/packages/cli/bin/quorate.js "$@"
