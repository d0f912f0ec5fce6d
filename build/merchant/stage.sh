#!/usr/bin/env bash
# Stage and build the kitchen tablet APK:  bash build/merchant/stage.sh https://api.example.com [apk|aab]
# Needs the Flutter SDK and Android SDK that `flet build` downloads on first use (not possible on CI here).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
server="${1:?usage: stage.sh SERVER_URL [apk|aab]}"
target="${2:-apk}"
rm -rf "$here/src"
mkdir -p "$here/src/apps" "$here/src/assets"
cp "$root/apps/__init__.py" "$here/src/apps/"
cp -r "$root/apps/client" "$root/apps/merchant" "$here/src/apps/"
cp -r "$root/core" "$here/src/"
cp "$here/entry.py" "$here/src/main.py"
printf '%s\n' "$server" > "$here/src/server.txt"
find "$here/src" -name '__pycache__' -type d -prune -exec rm -rf {} +
cd "$here"
flet build "$target" . --product "Mealkitz Kitchen" --org org.mealkitz -v
