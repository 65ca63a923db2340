#!/usr/bin/env bash
# Fetch the web app's browser libraries from npm at the pinned versions into
# src/lamsach/web/static/vendor/ (the files are committed; run this only to change a version).
set -euo pipefail
ECHARTS=6.1.0
HTMX=2.0.11
target="$(cd "$(dirname "$0")/.." && pwd)/src/lamsach/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "echarts@$ECHARTS" >/dev/null
npm pack --silent "htmx.org@$HTMX" >/dev/null
tar xzf "echarts-$ECHARTS.tgz" package/dist/echarts.min.js
cp package/dist/echarts.min.js "$target/echarts.min.js"
rm -rf package
tar xzf "htmx.org-$HTMX.tgz" package/dist/htmx.min.js
cp package/dist/htmx.min.js "$target/htmx.min.js"
echo "echarts $ECHARTS and htmx.org $HTMX written to $target"
