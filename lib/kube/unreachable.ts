/**
 * The error of a Kubernetes call that never reached kube-apiserver (refused, reset, TLS,
 * timeout). Its own module, without the Kubernetes client: the list-watch cache and the
 * error mapping need it, and loading @kubernetes/client-node takes a third of a second that
 * a standalone kindred, which never calls a cluster, should not spend at start (issue 15).
 */
export class UnreachableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnreachableError';
  }
}
