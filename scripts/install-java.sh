#!/usr/bin/env bash
# Install a Java 17 runtime for the Spark backend of `reunite match` and its test, once
# (idempotent): does nothing when `java` 17+ is already there.
set -euo pipefail
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}
if command -v java >/dev/null 2>&1; then
  major="$(java_major java || echo 0)"
  if [ "${major:-0}" -ge 17 ] 2>/dev/null; then exit 0; fi
  echo "java ${major:-?} found; Spark 4 needs 17 or newer: installing openjdk-17-jre-headless" >&2
fi
if [ "$(id -u)" != "0" ]; then
  echo "Java 17 is missing: run 'sudo apt-get install openjdk-17-jre-headless' (the Spark backend needs it)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq openjdk-17-jre-headless >/dev/null
java -version 2>&1 | head -1
