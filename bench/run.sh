#!/usr/bin/env bash
# Runs every benchmark scenario (docs/benchmarks.md): builds Fanout and the harness, then runs the
# harness, which starts the upstream stub and Fanout in processes of their own. Extra options go
# to the harness, e.g.  bench/run.sh --quick   or   bench/run.sh --postgres   or   bench/run.sh --scenarios S1,S3 --runs 5
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q -DskipTests -pl api,bench -am package
# The JDK of JAVA_HOME if set, for the harness and the Fanout it starts: the image runs JDK 25, e.g.
#   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 bench/run.sh --quick
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" -Xmx2g -cp "bench/target/classes:$(cat bench/target/classpath.txt)" io.fanout.bench.Bench --jar api/target/fanout.jar "$@"
