#!/usr/bin/env bash
# Validates docker-compose.yml without a Docker engine.
#
#   bash scripts/validate-compose.sh            # uses .env.example for the ${...} values
#   COMPOSE_ENV_FILE=.env bash scripts/validate-compose.sh
#
# 1. `docker-compose config` (Debian's 1.29, which also keeps us off keys it rejects, such as
#    top-level `name:` and healthcheck `start_interval`), else `docker compose config` (v2).
# 2. Checks the normalized result: the expected services, a healthcheck on every one but the
#    one-shots `secrets` and `database-roles` (which must not restart; others wait for them to complete),
#    depends_on only with `condition: service_healthy`, and no published port except auth's 3000
#    and, for the development mail catcher (mailpit) and the optional `observability` profile
#    (Prometheus, Grafana), ports on 127.0.0.1 only.
# Without any compose validator, step 2 runs on the raw file and the script says validation was
# SKIPPED (set REQUIRE_COMPOSE_VALIDATOR=1 to fail instead).
set -euo pipefail

cd "$(dirname "$0")/.."
COMPOSE_FILE=docker-compose.yml
ENV_FILE="${COMPOSE_ENV_FILE:-.env.example}"

fail() { echo "validate-compose: FAIL: $*" >&2; exit 1; }

[[ -f "$COMPOSE_FILE" ]] || fail "$COMPOSE_FILE not found"
[[ -f "$ENV_FILE" ]] || fail "env file $ENV_FILE not found"

normalized="$(mktemp)"
errors="$(mktemp)"
trap 'rm -f "$normalized" "$errors"' EXIT

validator=""
if command -v docker-compose >/dev/null 2>&1; then
  validator="docker-compose $(docker-compose version --short 2>/dev/null || echo '?')"
  # v1 takes --env-file as a global option, before the subcommand.
  if ! docker-compose --env-file "$ENV_FILE" -f "$COMPOSE_FILE" config >"$normalized" 2>"$errors"; then
    cat "$errors" >&2
    fail "$COMPOSE_FILE is not valid for $validator (env file $ENV_FILE)"
  fi
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  validator="docker compose $(docker compose version --short 2>/dev/null || echo '?')"
  if ! docker compose --env-file "$ENV_FILE" -f "$COMPOSE_FILE" config >"$normalized" 2>"$errors"; then
    cat "$errors" >&2
    fail "$COMPOSE_FILE is not valid for $validator (env file $ENV_FILE)"
  fi
else
  if [[ "${REQUIRE_COMPOSE_VALIDATOR:-0}" == "1" ]]; then
    fail "neither docker-compose nor 'docker compose' is installed (apt-get install -y docker-compose)"
  fi
  echo "validate-compose: WARNING: neither docker-compose nor 'docker compose' is installed;" \
    "compose validation SKIPPED, checking the raw file's structure only" >&2
  cp "$COMPOSE_FILE" "$normalized"
fi

# A Python with PyYAML: the one docker-compose itself runs on (Debian's needs python3-yaml),
# else python3 from PATH, else Debian's.
python=""
candidates=()
if command -v docker-compose >/dev/null 2>&1; then
  shebang="$(head -n1 "$(command -v docker-compose)" 2>/dev/null || true)"
  if [[ "$shebang" == '#!'*python* ]]; then candidates+=("${shebang#\#!}"); fi
fi
candidates+=(python3 /usr/bin/python3)
for candidate in "${candidates[@]}"; do
  # shellcheck disable=SC2086 # a shebang may carry arguments
  if $candidate -c 'import yaml' >/dev/null 2>&1; then python="$candidate"; break; fi
done
[[ -n "$python" ]] || fail "no python3 with PyYAML for the structure checks (apt-get install -y python3-yaml)"

# shellcheck disable=SC2086
$python - "$normalized" <<'PY' || fail "$COMPOSE_FILE structure checks failed (see above)"
import sys
import yaml

with open(sys.argv[1]) as handle:
    config = yaml.safe_load(handle)

problems = []
services = config.get("services") or {}
expected = {"secrets", "database-roles", "postgres", "rabbitmq", "reseller-settings", "tickets", "auth", "mailpit"}
# Tools for a person at this machine (the mail catcher's page): published on its loopback only.
loopback_only = {"mailpit"}
# One-shot services: they run to completion before the others start; nothing to health-check.
one_shot = {"secrets", "database-roles"}
missing = expected - set(services)
if missing:
    problems.append("missing services: " + ", ".join(sorted(missing)))
if "name" in config:
    problems.append("top-level `name:` is rejected by docker-compose 1.29")

for name, service in sorted(services.items()):
    service = service or {}
    health = service.get("healthcheck") or {}
    if name in one_shot:
        if str(service.get("restart", "no")) != "no":
            problems.append(f"{name}: a one-shot service must not restart")
    elif not health.get("test") or health.get("disable"):
        problems.append(f"{name}: has no healthcheck")
    if "start_interval" in health:
        problems.append(f"{name}: healthcheck start_interval is rejected by docker-compose 1.29")
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        problems.append(f"{name}: depends_on must use condition: service_healthy")
    else:
        for dependency, spec in depends.items():
            wanted = "service_completed_successfully" if dependency in one_shot else "service_healthy"
            if (spec or {}).get("condition") != wanted:
                problems.append(f"{name}: depends_on {dependency} without condition: {wanted}")
    ports = service.get("ports") or []
    if name in loopback_only or "observability" in (service.get("profiles") or []):
        # Optional monitoring (Grafana) and the mail catcher: on this machine's loopback only, never on every interface.
        for port in ports:
            if isinstance(port, dict):
                host_ip = port.get("host_ip")
            else:  # short syntax "[ip:]published:target[/proto]"
                parts = str(port).split("/")[0].split(":")
                host_ip = parts[0] if len(parts) == 3 else None
            if host_ip != "127.0.0.1":
                problems.append(f"{name}: publishes {port} beyond 127.0.0.1; it may publish on 127.0.0.1 only")
    elif name != "auth":
        if ports:
            problems.append(f"{name}: publishes ports {ports}; only auth may")
    else:
        targets = set()
        for port in ports:
            if isinstance(port, dict):
                targets.add(str(port.get("target")))
            else:  # short syntax "[ip:]published:target[/proto]"
                targets.add(str(port).split("/")[0].rsplit(":", 1)[-1])
        if targets != {"3000"}:
            problems.append(f"auth: must publish exactly container port 3000, publishes {sorted(targets) or 'nothing'}")

for problem in problems:
    print(f"validate-compose: {problem}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY

if [[ -n "$validator" ]]; then
  echo "validate-compose: OK: $COMPOSE_FILE is valid ($validator, env file $ENV_FILE);" \
    "every service has a healthcheck; only auth publishes a port (and mailpit and observability on 127.0.0.1)"
else
  echo "validate-compose: OK (structure only, compose validation SKIPPED): every service has a" \
    "healthcheck; only auth publishes a port"
fi
