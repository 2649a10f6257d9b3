/**
 * Kubernetes-aware ordering of version names (apimachinery `pkg/version/helpers.go`
 * CompareKubeAwareVersionStrings): GA before beta before alpha, higher numbers first,
 * then names that do not look like Kubernetes versions, alphabetically.
 */
const kubeVersion = /^v(\d+)(?:(alpha|beta)(\d+))?$/;

function rank(name: string): [number, number, number] | undefined {
  const m = kubeVersion.exec(name);
  if (!m) return undefined;
  const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
  return [stability, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
}

/** Negative when `a` is preferred over `b`. */
export function compareVersionPriority(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra && rb) {
    // Stable beats beta beats alpha; within one, higher major then higher minor.
    if (ra[0] !== rb[0]) return rb[0] - ra[0];
    if (ra[1] !== rb[1]) return rb[1] - ra[1];
    return rb[2] - ra[2];
  }
  if (ra) return -1;
  if (rb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
