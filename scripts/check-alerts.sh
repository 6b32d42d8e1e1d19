#!/usr/bin/env bash
# Checks the Prometheus files in ops/prometheus with promtool (Debian's `prometheus` package):
#
#   bash scripts/check-alerts.sh
#
# 1. `promtool check config ops/prometheus/prometheus.yml` (the scrape configuration, and the rule
#    files it names),
# 2. `promtool check rules ops/prometheus/alerts.yml` (PromQL, templates, durations),
# 3. `promtool test rules ops/prometheus/alerts.test.yml` (each alert fires, and stays quiet, as its
#    unit tests say).
# Without promtool the check fails: it is never skipped.
set -euo pipefail

cd "$(dirname "$0")/.."

fail() { echo "check-alerts: FAIL: $*" >&2; exit 1; }

command -v promtool >/dev/null 2>&1 ||
  fail "promtool not found; it comes with Debian's prometheus package (apt-get install -y prometheus)"

version="$(promtool --version 2>&1 | head -n 1)"
promtool check config ops/prometheus/prometheus.yml || fail "ops/prometheus/prometheus.yml is not valid ($version)"
promtool check rules ops/prometheus/alerts.yml || fail "ops/prometheus/alerts.yml is not valid ($version)"
promtool test rules ops/prometheus/alerts.test.yml || fail "the alert unit tests in ops/prometheus/alerts.test.yml failed ($version)"

echo "check-alerts: OK: prometheus.yml and alerts.yml are valid and every alert test passed ($version)"
