#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kube-controller-manager from their Go modules
# (pinned in build/go.mod) into a cache folder outside the repo, once. Later runs
# find the binaries and exit at once. Prints the folder holding the binaries.
#
#   KINDRED_CACHE   cache root (default ~/.cache/kindred)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
k8s_version=$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' "$here/build/go.mod")
out="${KINDRED_CACHE:-$HOME/.cache/kindred}/control-plane/$k8s_version"
binaries=(etcd kube-apiserver kube-controller-manager)

missing=()
for b in "${binaries[@]}"; do [ -x "$out/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then echo "$out"; exit 0; fi

command -v go >/dev/null || { echo "build.sh: go is not installed" >&2; exit 1; }
mkdir -p "$out"
cd "$here/build"
# Version stamping: without it /version reports v0.0.0-master (see
# component-base/version/base.go); clients such as kubectl read it.
major=${k8s_version#v}; minor=${major#*.}; major=${major%%.*}; minor=${minor%%.*}
stamp=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
export CGO_ENABLED=0
for b in "${missing[@]}"; do
  case "$b" in
    etcd) pkg=go.etcd.io/etcd/server/v3 ;;
    *) pkg=k8s.io/kubernetes/cmd/$b ;;
  esac
  echo "build.sh: building $b ($pkg) into $out; a cold build takes many minutes on 2 cores" >&2
  start=$(date +%s)
  # -p 2: the link step peaks near 2 GiB each; one package graph at a time.
  go build -p 2 -trimpath -tags grpcnotrace -ldflags "-s -w $stamp" -o "$out/$b.tmp" "$pkg"
  mv "$out/$b.tmp" "$out/$b"
  echo "build.sh: built $b in $(( $(date +%s) - start )) s" >&2
done
echo "$out"
