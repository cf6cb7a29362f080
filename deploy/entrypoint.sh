#!/bin/sh
# Entry of the Codeyard image: runs the service named by SERVICE (users, posts, …) as this
# process, so it receives the orchestrator's signals and shuts down gracefully.
# With arguments it runs those instead, in the same environment, e.g. the admin CLI:
#   docker compose run --rm users node services/users/dist/cli/create-admin.js --email you@example.com
set -eu
cd "${CODEYARD_HOME:-/app}"

if [ "$#" -gt 0 ]; then
  exec "$@"
fi

# The services this image holds: every services/<name> with a built server.
available() {
  for entry in services/*/dist/server.js; do
    [ -f "$entry" ] || continue
    name=${entry#services/}
    printf '%s ' "${name%%/*}"
  done
}

service=${SERVICE:-}
case "$service" in
  '')
    echo "SERVICE is not set; choose one of: $(available)" >&2
    exit 64
    ;;
  *[!a-z0-9-]*)
    echo "SERVICE=$service is not a service name; choose one of: $(available)" >&2
    exit 64
    ;;
esac
entry="services/$service/dist/server.js"
if [ ! -f "$entry" ]; then
  echo "SERVICE=$service: this image has no such service; choose one of: $(available)" >&2
  exit 64
fi
exec node "$entry"
