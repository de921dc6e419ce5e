#!/usr/bin/env bash
# Installs promtool (for `promtool test rules`) into .tools/bin without the 324 MB Debian `prometheus`
# package: downloads the .deb and extracts only ./usr/bin/promtool. Needs Debian's package lists (apt-get update).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .tools/bin/promtool ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq prometheus >/dev/null)
dpkg-deb --fsys-tarfile "$work"/prometheus_*.deb | tar -x -C "$work" ./usr/bin/promtool
mkdir -p .tools/bin
mv "$work/usr/bin/promtool" .tools/bin/promtool
.tools/bin/promtool --version | head -1
