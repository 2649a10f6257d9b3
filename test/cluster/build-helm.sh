#!/usr/bin/env bash
# Builds helm from its Go module (pinned in build-helm/go.mod) into a cache folder outside
# the repo, once; the chart tests render deploy/helm with it. Later runs find the binary and
# exit at once. Prints the path of the binary.
#
#   KINDRED_CACHE   cache root (default ~/.cache/kindred)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
helm_version=$(awk '$1 == "helm.sh/helm/v3" { print $2; exit } $1 == "require" && $2 == "helm.sh/helm/v3" { print $3; exit }' "$here/build-helm/go.mod")
out="${KINDRED_CACHE:-$HOME/.cache/kindred}/helm/$helm_version"
if [ -x "$out/helm" ]; then echo "$out/helm"; exit 0; fi

command -v go >/dev/null || { echo "build-helm.sh: go is not installed" >&2; exit 1; }
mkdir -p "$out"
cd "$here/build-helm"
echo "build-helm.sh: building helm $helm_version into $out" >&2
start=$(date +%s)
# The version helm reports (`helm version`); without it, it says v3.0-dev-ish defaults.
stamp="-X helm.sh/helm/v3/internal/version.version=$helm_version"
CGO_ENABLED=0 go build -p 2 -trimpath -ldflags "-s -w $stamp" -o "$out/helm.tmp" helm.sh/helm/v3/cmd/helm
mv "$out/helm.tmp" "$out/helm"
echo "build-helm.sh: built helm in $(( $(date +%s) - start )) s" >&2
echo "$out/helm"
