#!/usr/bin/env bash
# rabbitmq-cluster.sh — a throwaway 3-node RabbitMQ cluster beside the machine's own node
# (rabbit@localhost on 127.0.0.1:5672), which it never touches: other people's tests use it.
# Used by test/rabbitmq-cluster.e2e-spec.ts; also handy by hand.
#
# Adapted from the tested reference ../shared/tools/rabbitmq-cluster.sh (team notes, "A 3-node
# RabbitMQ cluster beside the machine's own node"); changes: run folder and ports configurable,
# every port checked before 'up', 'urls' and 'pid' commands, node logs shown when a boot fails.
#
#   rabbitmq-cluster.sh up              start epmd + rabbit-{a,b,c}@localhost, join b and c to a
#   rabbitmq-cluster.sh down            stop (by PID file) only what 'up' started, delete the run folder
#   rabbitmq-cluster.sh status          cluster_status, queues, memory, default-node check
#   rabbitmq-cluster.sh start  a|b|c    (re)start one node, e.g. after kill9 (keeps its data)
#   rabbitmq-cluster.sh kill9  a|b|c    SIGKILL one node (failure testing)
#   rabbitmq-cluster.sh pid    a|b|c    the node's OS process id (exit 1 when it is not running)
#   rabbitmq-cluster.sh urls            the nodes' AMQP URLs, comma-separated (for RABBITMQ_URL)
#   rabbitmq-cluster.sh ctl    a|b|c ARGS...   rabbitmqctl against that node
#   rabbitmq-cluster.sh queues a|b|c ARGS...   rabbitmq-queues against that node
#
# Environment (defaults): RMQC_RUN (${TMPDIR:-/tmp}/pbx2fa-rabbitmq-cluster) — everything 'up'
# creates lives there; RMQC_AMQP_BASE (5680: AMQP on 5681-5683, guest/guest, 127.0.0.1 only);
# RMQC_DIST_BASE (25680: Erlang distribution on 25681-25683); RMQC_EPMD_PORT (4371: a private
# epmd, not the default node's 4369); RMQC_CLI_PORT_MIN/MAX (35700/35720: the CLI tools' own ports).
#
# Facts that cost hours (see the notes): Debian's /usr/sbin/rabbitmq* wrappers `su` to the
# rabbitmq user and use its cookie, so the real scripts in /usr/lib/rabbitmq/bin are called;
# RABBITMQ_CONF_ENV_FILE must point away from /etc/rabbitmq/rabbitmq-env.conf or it renames the
# node to the default one. Works as root (CI) and as any user that may run rabbitmq-server.
set -euo pipefail

RUN=${RMQC_RUN:-${TMPDIR:-/tmp}/pbx2fa-rabbitmq-cluster}
NODES=(a b c)
HOST=${RMQC_HOST:-localhost}          # short host part; must resolve to 127.0.0.1
AMQP_BASE=${RMQC_AMQP_BASE:-5680}     # a=+1 b=+2 c=+3
DIST_BASE=${RMQC_DIST_BASE:-25680}
EPMD_PORT=${RMQC_EPMD_PORT:-4371}
SBIN=${RMQC_SBIN:-/usr/lib/rabbitmq/bin}
[[ -s $RUN/host ]] && HOST=$(<"$RUN/host")         # what 'up' chose wins
[[ -s $RUN/ports ]] && read -r AMQP_BASE DIST_BASE EPMD_PORT < "$RUN/ports"

# Environment shared by the server and CLI processes started here.
export HOME=$RUN/home                                # -> $RUN/home/.erlang.cookie, a private cookie
export RABBITMQ_CONF_ENV_FILE=$RUN/rabbitmq-env.conf # NOT /etc/rabbitmq/rabbitmq-env.conf
export ERL_EPMD_PORT=$EPMD_PORT
export ERL_EPMD_ADDRESS=127.0.0.1
export RABBITMQ_CTL_DIST_PORT_MIN=${RMQC_CLI_PORT_MIN:-35700} RABBITMQ_CTL_DIST_PORT_MAX=${RMQC_CLI_PORT_MAX:-35720}
unset RABBITMQ_NODENAME NODENAME ERL_FLAGS RABBITMQ_CONFIG_FILE RABBITMQ_MNESIA_BASE \
      RABBITMQ_LOG_BASE RABBITMQ_PID_FILE RABBITMQ_ENABLED_PLUGINS_FILE RABBITMQ_NODE_PORT || true

log()  { printf '[rabbitmq-cluster %s] %s\n' "$(date +%T)" "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
idx()  { case $1 in a) echo 1;; b) echo 2;; c) echo 3;; *) die "node must be a, b or c (got '${1:-}')";; esac; }
name() { echo "rabbit-$1@$HOST"; }
ctl()  { local n=$1; shift; "$SBIN/rabbitmqctl" -n "$(name "$n")" "$@"; }
now()  { date +%s.%N; }
since(){ awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PID from a pid file, printed only if that process is really ours: its environment must hold
# the exact line $2 (e.g. RABBITMQ_PID_FILE=<our file>). A stale or recycled PID can therefore
# never make us signal the default node.
our_pid() {
  local f=$1 pid envs
  [[ -s $f ]] || return 1
  pid=$(tr -dc 0-9 < "$f")
  [[ -n $pid && -r /proc/$pid/environ ]] || return 1
  envs=$(tr '\0' '\n' 2>/dev/null < "/proc/$pid/environ") || return 1
  [[ $'\n'$envs$'\n' == *$'\n'"$2"$'\n'* ]] || return 1
  echo "$pid"
}
node_pid() { our_pid "$RUN/$1/rabbit.pid" "RABBITMQ_PID_FILE=$RUN/$1/rabbit.pid"; }
epmd_pid() { our_pid "$RUN/epmd.pid" "RMQC_EPMD=$RUN"; }

default_node_check() {
  if port_busy 5672; then log "default node 127.0.0.1:5672: TCP connect OK"
  else log "default node 127.0.0.1:5672: not answering (this script never starts or stops it)"; fi
}

start_node() {   # start_node a|b|c  (returns at once; see wait_node)
  local n=$1 i d
  i=$(idx "$n"); d=$RUN/$n
  node_pid "$n" >/dev/null && { log "$(name "$n") already running"; return 0; }
  mkdir -p "$d/data" "$d/log"
  rm -f "$d/rabbit.pid"            # stale after kill -9; 'rabbitmqctl wait' would read it
  echo "listeners.tcp.1 = 127.0.0.1:$((AMQP_BASE + i))" > "$d/rabbitmq.conf"
  ( cd "$d" && env \
      RABBITMQ_NODENAME="$(name "$n")" \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
      RABBITMQ_NODE_PORT=$((AMQP_BASE + i)) \
      RABBITMQ_DIST_PORT=$((DIST_BASE + i)) \
      RABBITMQ_CONFIG_FILE="$d/rabbitmq.conf" \
      RABBITMQ_ADVANCED_CONFIG_FILE="$d/advanced.config" \
      RABBITMQ_MNESIA_BASE="$d/data" \
      RABBITMQ_LOG_BASE="$d/log" \
      RABBITMQ_PID_FILE="$d/rabbit.pid" \
      RABBITMQ_ENABLED_PLUGINS_FILE="$RUN/enabled_plugins" \
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}" \
      ERL_CRASH_DUMP="$d/log/erl_crash.dump" \
      "$SBIN/rabbitmq-server" -detached )
}

wait_node() {
  if ! ctl "$1" -q wait --timeout 120 "$RUN/$1/rabbit.pid"; then
    log "$(name "$1") did not boot; last lines of its log ($RUN/$1/log/):"
    tail -n 30 "$RUN/$1"/log/*.log >&2 2>/dev/null || true
    exit 1
  fi
}

memory_report() {
  local n pid
  for n in "${NODES[@]}"; do
    if pid=$(node_pid "$n"); then
      log "$(name "$n") pid $pid RSS $(awk '/VmRSS/{printf "%.0f MiB", $2/1024}' "/proc/$pid/status")"
    else
      log "$(name "$n") not running"
    fi
  done
}

cmd_up() {
  local t0 t1 n i p
  [[ -e $RUN ]] && die "$RUN exists: a cluster is up, or an earlier one was not taken down ('$0 down' first)"
  [[ -x $SBIN/rabbitmq-server ]] || die "$SBIN/rabbitmq-server not found: install Debian's rabbitmq-server"
  command -v epmd >/dev/null || die "epmd not found (Debian package erlang-base)"
  for p in "$EPMD_PORT" $((AMQP_BASE + 1)) $((AMQP_BASE + 2)) $((AMQP_BASE + 3)) \
           $((DIST_BASE + 1)) $((DIST_BASE + 2)) $((DIST_BASE + 3)); do
    port_busy "$p" && die "port $p on 127.0.0.1 is already in use (another cluster run?); set RMQC_AMQP_BASE, RMQC_DIST_BASE or RMQC_EPMD_PORT"
  done
  t0=$(now)
  mkdir -p "$HOME"; chmod 700 "$HOME"
  echo "$HOST" > "$RUN/host"
  echo "$AMQP_BASE $DIST_BASE $EPMD_PORT" > "$RUN/ports"
  # Private cookie: the cluster cannot talk to (or be joined by) the default node.
  # (no 'tr </dev/urandom | head': SIGPIPE + pipefail would abort the script)
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | tr a-f A-F > "$HOME/.erlang.cookie"
  chmod 400 "$HOME/.erlang.cookie"
  echo '# empty on purpose (keeps /etc/rabbitmq/rabbitmq-env.conf out)' > "$RABBITMQ_CONF_ENV_FILE"
  echo '[].' > "$RUN/enabled_plugins"  # no plugins, so no management listener on 15672

  # Private epmd, started first so no node spawns an unrecorded 'epmd -daemon'.
  RMQC_EPMD=$RUN nohup epmd -port "$EPMD_PORT" -address 127.0.0.1 > "$RUN/epmd.log" 2>&1 < /dev/null &
  echo $! > "$RUN/epmd.pid"
  for _ in $(seq 50); do epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 && break; sleep 0.1; done
  epmd_pid >/dev/null || die "epmd did not start (see $RUN/epmd.log)"

  for n in "${NODES[@]}"; do start_node "$n"; done      # all three boot side by side
  for n in "${NODES[@]}"; do wait_node "$n"; done
  t1=$(now); log "3 nodes booted in $(since "$t0") s"

  # join_cluster echoes harmless remote log lines ("Failed to create a tracked
  # connection table ... node_not_running"): kept in a file.
  for n in b c; do
    { ctl "$n" stop_app && ctl "$n" reset && ctl "$n" join_cluster "$(name a)" \
        && ctl "$n" start_app; } >> "$RUN/join.log" 2>&1 \
      || { cat "$RUN/join.log" >&2; die "joining $(name "$n") failed"; }
  done
  ctl a -q await_online_nodes 3 --timeout 60
  log "cluster formed in $(since "$t1") s (total $(since "$t0") s); AMQP $(cmd_urls)"
  memory_report
  default_node_check
}

cmd_down() {
  local n pid pids=() alive
  [[ -d $RUN ]] || { log "nothing to do ($RUN absent)"; return 0; }
  for n in "${NODES[@]}"; do
    if pid=$(node_pid "$n"); then kill -TERM "$pid"; pids+=("$pid"); log "TERM $(name "$n") pid $pid"; fi
  done
  for _ in $(seq 300); do                 # up to 30 s for a clean exit
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break; sleep 0.1
  done
  for n in "${NODES[@]}"; do
    if pid=$(node_pid "$n"); then kill -KILL "$pid"; log "KILL $(name "$n") pid $pid"; fi
  done
  if pid=$(epmd_pid); then kill -TERM "$pid"; log "TERM epmd pid $pid"; fi
  sleep 0.3
  rm -rf "$RUN"
  log "removed $RUN"
  default_node_check
}

cmd_status() {
  ctl a cluster_status || true
  ctl a -q list_queues name type leader members online messages || true
  memory_report
  default_node_check
}

cmd_urls() {
  local n urls=()
  for n in "${NODES[@]}"; do urls+=("amqp://guest:guest@127.0.0.1:$((AMQP_BASE + $(idx "$n")))"); done
  (IFS=,; echo "${urls[*]}")
}

need_run() { [[ -d $RUN/home ]] || die "no cluster is up ($RUN absent)"; }

case ${1:-} in
  up)     cmd_up ;;
  down)   cmd_down ;;
  status) need_run; cmd_status ;;
  urls)   cmd_urls ;;
  start)  need_run; idx "${2:-}" >/dev/null; t0=$(now); start_node "$2"; wait_node "$2"; log "$(name "$2") up in $(since "$t0") s" ;;
  kill9)  need_run; idx "${2:-}" >/dev/null; pid=$(node_pid "$2") || die "$(name "$2") is not running"; kill -KILL "$pid"; log "SIGKILL $(name "$2") pid $pid" ;;
  pid)    need_run; idx "${2:-}" >/dev/null; node_pid "$2" ;;
  ctl)    need_run; shift; n=${1:-}; idx "$n" >/dev/null; shift; ctl "$n" "$@" ;;
  queues) need_run; shift; n=${1:-}; idx "$n" >/dev/null; shift; "$SBIN/rabbitmq-queues" -n "$(name "$n")" "$@" ;;
  *)      echo "usage: $0 up|down|status|urls|start N|kill9 N|pid N|ctl N ARGS|queues N ARGS  (N: a, b or c)" >&2; exit 2 ;;
esac
