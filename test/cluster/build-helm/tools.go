//go:build tools

// Package tools names the helm command ../build.sh builds (the chart tests render
// deploy/helm with it), so that go mod tidy keeps its dependencies in go.mod and go.sum.
package tools

import (
	_ "helm.sh/helm/v3/cmd/helm"
)
