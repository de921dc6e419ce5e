#!/usr/bin/env bash
# Installs postgres_exporter (Debian's prometheus-postgres-exporter, 0.11.1 on bookworm) into .tools/bin for the
# exporter integration test: downloads the 3 MB .deb and extracts only the binary (the package would also add a
# system user and a service). Needs Debian's package lists (apt-get update).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/postgres_exporter ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq prometheus-postgres-exporter >/dev/null 2>&1)
dpkg-deb --fsys-tarfile "$work"/prometheus-postgres-exporter_*.deb | tar -x -C "$work" ./usr/bin/prometheus-postgres-exporter
mkdir -p .tools/bin
mv "$work/usr/bin/prometheus-postgres-exporter" .tools/bin/postgres_exporter
.tools/bin/postgres_exporter --version 2>&1 | head -1
