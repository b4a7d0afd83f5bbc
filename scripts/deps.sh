#!/usr/bin/env bash
# deps.sh -- install the Debian packages of the given groups that are missing.
# Usage: scripts/deps.sh [GROUP...]   (groups from scripts/packages.txt;
# default "build test").  Installs only what is missing; needs root for that.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build test)

missing=()
while read -r group pkg; do
    case "$group" in ''|'#'*) continue ;; esac
    for g in "${groups[@]}"; do
        [ "$g" = "$group" ] || continue
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
done < "$here/packages.txt"

[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: not root; install these yourself: apt-get install ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
