#!/usr/bin/env bash
# Every step of Fanout's image that does work, in one place: the Dockerfile runs them, and the build's
# ImageScriptsIntegrationTests runs them outside a container on the freshly packaged jar.
#
#   fanout.sh extract <fanout.jar> <app-dir>   the jar extracted by Spring Boot's tools jar mode:
#                                              <app-dir>/fanout.jar and <app-dir>/lib/
#   fanout.sh train <app-dir>                  records what later starts read: on JDK 25 and later the
#                                              AOT cache <app-dir>/fanout.aot (classes loaded and linked,
#                                              and method profiles), on earlier JDKs the class data
#                                              sharing archive <app-dir>/fanout.jsa; starts Fanout on
#                                              loopback with a throwaway database, serves one API call,
#                                              stops it with SIGTERM
#   fanout.sh start <app-dir> [--name=value]   what the container runs: java, replaced by exec, with the
#                                              cache or archive that train recorded
#
# The cache and the archive fit one JDK, one jar and its path as given: train with the JDK, the app
# directory and the JVM options of every later start (docs/deployment.md). JVM options beyond these go in
# JDK_JAVA_OPTIONS, which the java launcher reads; Fanout's settings in the environment or as arguments.
set -euo pipefail

java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# A heap of half the container's memory and the serial collector (docs/deployment.md).
jvm_options=(-XX:MaxRAMPercentage=50 -XX:+UseSerialGC)

usage() {
  echo "usage: fanout.sh extract <fanout.jar> <app-dir> | train <app-dir> | start <app-dir> [--name=value ...]" >&2
  exit 2
}

# The HTTP status of GET http://127.0.0.1:<port><path>, with optional header lines; empty when nothing answers.
http_status() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" \
    && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n' "$2" "${3:-}" >&3 \
    && IFS=' ' read -r _ code _ <&3 \
    && echo "$code" ) 2>/dev/null || true
}

# The JDK's feature version: 17, 21, 25 ...
java_feature_version() {
  "$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p'
}

extract() {
  local jar="$1" app="$2"
  rm -rf "$app"
  "$java_bin" -Djarmode=tools -jar "$jar" extract --destination "$app"
  test -f "$app/fanout.jar" || { echo "extract: no $app/fanout.jar" >&2; exit 1; }
}

train() {
  local app="$1"
  local port="${FANOUT_TRAINING_PORT:-18080}" management_port="${FANOUT_TRAINING_MANAGEMENT_PORT:-18081}"
  local work key pid status
  work="$(mktemp -d)"
  key="training-$RANDOM$RANDOM"
  rm -f "$app/fanout.jsa" "$app/fanout.aot"
  local output recording
  if [ "$(java_feature_version)" -ge 25 ]; then
    output="$app/fanout.aot"
    recording=-XX:AOTCacheOutput="$output"
  else
    output="$app/fanout.jsa"
    recording=-XX:ArchiveClassesAtExit="$output"
  fi
  # -Xmx256m: the same compressed-pointer mode as any container below 64 GiB, whatever the build host has.
  "$java_bin" "${jvm_options[@]}" -Xmx256m "$recording" -jar "$app/fanout.jar" \
    --server.address=127.0.0.1 --server.port="$port" \
    --management.server.address=127.0.0.1 --management.server.port="$management_port" \
    --fanout.data-dir="$work/data" --fanout.security.api-keys.training="$key" \
    >"$work/training.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || { cat "$work/training.log" >&2; echo "train: Fanout exited while starting" >&2; exit 1; }
    [ "$(http_status "$management_port" /actuator/health/readiness)" = 200 ] && break
    sleep 0.2
  done
  status="$(http_status "$port" /api/v1/jobs "X-API-Key: $key"$'\r\n')"
  kill -TERM "$pid"
  wait "$pid" || true
  if [ "$status" != 200 ] || [ ! -s "$output" ]; then
    cat "$work/training.log" >&2
    echo "train: the API answered '$status' and $output is $(test -s "$output" && echo written || echo missing)" >&2
    exit 1
  fi
  rm -rf "$work"
}

start() {
  local app="$1"
  shift
  # Which one train recorded says which JDK it was for; no JVM is started to ask.
  if [ -f "$app/fanout.aot" ]; then
    exec "$java_bin" "${jvm_options[@]}" -XX:AOTCache="$app/fanout.aot" -jar "$app/fanout.jar" "$@"
  fi
  exec "$java_bin" "${jvm_options[@]}" -XX:SharedArchiveFile="$app/fanout.jsa" -jar "$app/fanout.jar" "$@"
}

case "${1:-}" in
  extract) [ $# -eq 3 ] || usage; extract "$2" "$3" ;;
  train) [ $# -eq 2 ] || usage; train "$2" ;;
  start) [ $# -ge 2 ] || usage; shift; start "$@" ;;
  *) usage ;;
esac
