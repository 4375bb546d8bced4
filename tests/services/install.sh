#!/usr/bin/env bash
# Installs the programs behind the real test services when they are missing (idempotent, cached):
#   redis-server (Debian package), FerretDB 1.24.2 (built from its Go module, SQLite handler).
# Neo4j and Gremlin Server jars are resolved by Maven into ~/.m2 when tests/services first starts them.
set -euo pipefail
CACHE="${YXG_CACHE:-$HOME/.cache/youxianggou}"
FERRETDB_VERSION=v1.24.2
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing redis-server (Debian package)"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq redis-server >/dev/null
fi

if ! command -v ffprobe >/dev/null 2>&1; then
  echo "installing ffmpeg (Debian package: the video upload tests measure real videos)"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq ffmpeg >/dev/null
fi

if command -v node >/dev/null 2>&1 && ! { command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; }; then
  echo "installing chromium and CJK fonts (Debian packages: the clients' browser journeys, Chinese text in screenshots)"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi

FERRETDB="$CACHE/bin/ferretdb-$FERRETDB_VERSION"
if [ ! -x "$FERRETDB" ]; then
  echo "building FerretDB $FERRETDB_VERSION from its Go module (once; cached in $FERRETDB)"
  # `go install ...@v1.24.2` builds a binary that panics: the module zip lacks build/version/version.txt.
  # So we build the same module source with that file written in.
  src=$(go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  work=$(mktemp -d)
  cp -r "$src" "$work/ferretdb" && chmod -R u+w "$work/ferretdb"
  echo "$FERRETDB_VERSION" > "$work/ferretdb/build/version/version.txt"
  mkdir -p "$CACHE/bin"
  (cd "$work/ferretdb" && go build -o "$FERRETDB.tmp" ./cmd/ferretdb) && mv "$FERRETDB.tmp" "$FERRETDB"
  rm -rf "$work"
fi
for tool in java mvn; do
  command -v "$tool" >/dev/null 2>&1 || { echo "missing $tool: Neo4j and Gremlin Server tests need Java 17 and Maven"; exit 1; }
done
