/**
 * Aggregated mode's authentication and authorization, delegated to kube-apiserver as
 * k8s.io/apiserver's `DelegatingAuthenticationOptions` / `DelegatingAuthorizationOptions` do:
 *
 *   authenticate: front-proxy headers (request-header CA) → client certificate (client CA)
 *                 → bearer token (TokenReview) → anonymous (only with --anonymous-auth)
 *   authorize:    system:masters → SubjectAccessReview (cached)
 *
 * CAs come from files when given, else from `kube-system/extension-apiserver-authentication`,
 * which is followed for changes. Either way the current CA PEMs are what the TLS handshake
 * offers as acceptable client CAs: Go clients send a certificate only if its issuer is on
 * that list (crypto/tls `getClientCertificate`), so it must track the CAs.
 */
import type { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { internalError } from '../status.ts';
import { isPromise, type Authenticator, type Authorizer } from './types.ts';
import { AuthenticationConfigMapFollower } from './authentication-configmap.ts';
import { clientCertificateAuthenticator } from './client-certificate.ts';
import { watchFiles, type WatchedFiles } from './file-watch.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { DEFAULT_REQUEST_HEADERS, requestHeaderAuthenticator, type RequestHeaderConfig } from './request-header.ts';
import { subjectAccessReviewAuthorizer } from './subject-access-review.ts';
import { tokenReviewAuthenticator } from './token-review.ts';
import { unionAuthenticator } from './union.ts';
import { parseCertificateBundle } from './x509.ts';

/** The `--requestheader-*` flags; without `clientCaFile` everything comes from the ConfigMap. */
export interface RequestHeaderFlags {
  clientCaFile?: string;
  allowedNames?: string[];
  usernameHeaders?: string[];
  uidHeaders?: string[];
  groupHeaders?: string[];
  extraHeadersPrefix?: string[];
}

export interface DelegatedOptions {
  log: Logger;
  /** `--authentication-kubeconfig`, `--authorization-kubeconfig`, falling back to `--kubeconfig`, then in-cluster. */
  authenticationKubeconfig?: string;
  authorizationKubeconfig?: string;
  kubeconfig?: string;
  clientCaFile?: string;
  requestHeader?: RequestHeaderFlags;
  anonymousAuth?: boolean;
  tokenCacheTtlMs?: number;
  authorizationAllowTtlMs?: number;
  authorizationDenyTtlMs?: number;
  /** How often CA files are re-read; default 10 s. */
  fileIntervalMs?: number;
  /** Called when the acceptable client CAs change. */
  onClientCasChange: (pems: string[]) => void;
}

export interface Delegated {
  authenticate: Authenticator;
  authorize: Authorizer;
  clientCaPems(): string[];
  /** The cluster kindred reads namespaces from (the `--kubeconfig` identity). */
  api: KubeClient;
  stop(): Promise<void>;
}

/** As KubeApi had it: a review kube-apiserver has not answered in 10 s fails the request. */
const REVIEW_TIMEOUT_MS = 10_000;

/** Builds the chain and waits (up to 30 s) for the ConfigMap, when it is needed. */
export async function createDelegated(options: DelegatedOptions): Promise<Delegated> {
  const api = new KubeClient(options.kubeconfig);
  const authnApi = options.authenticationKubeconfig ? new KubeClient(options.authenticationKubeconfig) : api;
  const authzApi = options.authorizationKubeconfig ? new KubeClient(options.authorizationKubeconfig) : api;
  const log = options.log;
  const stops: (() => unknown)[] = [];

  let clientCas: { pem: string; certs: X509Certificate[] } | undefined;
  let proxy: { pem: string; config: RequestHeaderConfig } | undefined;
  let follower: AuthenticationConfigMapFollower | undefined;
  const pems = (): string[] => {
    const published = follower?.current();
    const client = clientCas?.pem ?? published?.clientCaPem;
    const front = proxy?.pem ?? published?.requestHeaderCaPem;
    return [...new Set([client, front].filter((p): p is string => p !== undefined))];
  };
  const changed = (): void => options.onClientCasChange(pems());

  if (options.clientCaFile) {
    const files = await watchCa(options.clientCaFile, options, (pem) => ((clientCas = { pem, certs: parseCertificateBundle(pem) }), changed()));
    const pem = files.current()[0]!;
    clientCas = { pem, certs: parseCertificateBundle(pem) };
    stops.push(files.stop);
  }
  const flags = options.requestHeader;
  if (flags?.clientCaFile) {
    const toConfig = (pem: string): RequestHeaderConfig => ({
      caCertificates: parseCertificateBundle(pem),
      allowedNames: flags.allowedNames ?? [],
      usernameHeaders: flags.usernameHeaders ?? DEFAULT_REQUEST_HEADERS.usernameHeaders,
      uidHeaders: flags.uidHeaders ?? DEFAULT_REQUEST_HEADERS.uidHeaders,
      groupHeaders: flags.groupHeaders ?? DEFAULT_REQUEST_HEADERS.groupHeaders,
      extraHeaderPrefixes: flags.extraHeadersPrefix ?? DEFAULT_REQUEST_HEADERS.extraHeaderPrefixes,
    });
    const files = await watchCa(flags.clientCaFile, options, (pem) => ((proxy = { pem, config: toConfig(pem) }), changed()));
    const pem = files.current()[0]!;
    proxy = { pem, config: toConfig(pem) };
    stops.push(files.stop);
  }
  if (!clientCas || !proxy) {
    follower = new AuthenticationConfigMapFollower({ api, log, onChange: () => changed() });
    // Without it, front-proxy (and client-CA) requests answer 401 until it arrives; start anyway
    // so health probes pass, as k8s.io/apiserver does when the ConfigMap is unreadable.
    if (!(await follower.start())) log.warn({}, 'kube-system/extension-apiserver-authentication not read yet; front-proxy requests get 401 until it is');
    stops.push(() => follower?.stop());
  }

  const authenticate = unionAuthenticator(
    [
      requestHeaderAuthenticator(() => proxy?.config ?? follower?.current()?.requestHeader),
      clientCertificateAuthenticator(() => clientCas?.certs ?? follower?.current()?.clientCaCertificates ?? []),
      tokenReviewAuthenticator({
        review: (review) => authnApi.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: review, timeoutMs: REVIEW_TIMEOUT_MS }),
        ...(options.tokenCacheTtlMs === undefined ? {} : { cacheTtlMs: options.tokenCacheTtlMs }),
      }),
    ],
    { anonymous: options.anonymousAuth === true, onError: (err) => log.warn({ err }, 'authentication failed') },
  );
  const review = subjectAccessReviewAuthorizer({
    review: (body) => authzApi.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body, timeoutMs: REVIEW_TIMEOUT_MS }),
    ...(options.authorizationAllowTtlMs === undefined ? {} : { allowCacheTtlMs: options.authorizationAllowTtlMs }),
    ...(options.authorizationDenyTtlMs === undefined ? {} : { denyCacheTtlMs: options.authorizationDenyTtlMs }),
  });
  // k8s.io/apiserver answers an authorizer error with 500, never with an allow.
  const failed = (error: unknown): never => {
    log.warn({ err: error }, 'authorization failed');
    throw internalError(`authorization check failed: ${(error as Error).message}`);
  };
  const authorize: Authorizer = (user, info) => {
    try {
      const decision = review(user, info);
      return isPromise(decision) ? decision.catch(failed) : decision;
    } catch (error) {
      return failed(error);
    }
  };
  return { authenticate, authorize, clientCaPems: pems, api, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

function watchCa(path: string, options: DelegatedOptions, onChange: (pem: string) => void): Promise<WatchedFiles> {
  return watchFiles([path], {
    ...(options.fileIntervalMs === undefined ? {} : { intervalMs: options.fileIntervalMs }),
    validate: ([pem]) => {
      if (parseCertificateBundle(pem ?? '').length === 0) throw new Error(`${path}: no certificate`);
    },
    onChange: ([pem]) => onChange(pem!),
    onError: (err) => options.log.warn({ err, path }, 'reloading a CA file'),
  });
}
