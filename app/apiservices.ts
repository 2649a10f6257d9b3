/**
 * `--manage-apiservices`: kindred registers its own group-versions with kube-apiserver's
 * aggregator, one `APIService` per served group-version, and keeps them in step with the
 * config: new group-versions are created, changed ones updated, and ones that leave the config
 * deleted. Only APIServices carrying this kindred's owner label are ever changed or deleted;
 * one of the same name without it belongs to someone else and is left alone (and logged).
 *
 * Every sync also stamps the config hash into an annotation: any change to an APIService
 * makes the aggregator fetch that group-version's discovery again, so a kind added to an
 * existing group shows in `kubectl api-resources` within seconds, not at its next resync.
 */
import type { Logger } from 'pino';

/** The one call this needs from a Kubernetes client (lib/kube/client.ts KubeClient fits). */
export interface ApiRequester {
  request(method: string, path: string, options?: { body?: unknown }): Promise<{ status: number; body: unknown }>;
}

export interface ServiceRef {
  namespace: string;
  name: string;
  port: number;
}

export interface APIServiceManagerOptions {
  api: ApiRequester;
  /** The Service in front of kindred that the aggregator sends requests to. */
  service: ServiceRef;
  /** PEM of the CA that signed kindred's serving certificate; undefined leaves caBundle alone (e.g. cert-manager injects it). */
  caPem?: string;
  log: Logger;
  groupPriorityMinimum?: number;
  versionPriority?: number;
}

/** The label that marks an APIService as this kindred's: `<namespace>.<service name>`. */
export const OWNER_LABEL = 'kindred.dev/service';
export const CONFIG_HASH_ANNOTATION = 'kindred.dev/config-hash';
const PATH = '/apis/apiregistration.k8s.io/v1/apiservices';

interface APIService {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string };
  spec: Record<string, unknown>;
}

export class APIServiceManager {
  readonly #options: APIServiceManagerOptions;
  readonly #owner: string;

  constructor(options: APIServiceManagerOptions) {
    this.#options = options;
    this.#owner = `${options.service.namespace}.${options.service.name}`;
  }

  /**
   * Makes the cluster's APIServices match `groupVersions` (`<group>/<version>`). Throws when
   * kube-apiserver refuses a change; the caller logs it and tries again on the next reload.
   */
  async sync(groupVersions: readonly string[], configHash: string): Promise<void> {
    const { api, log } = this.#options;
    const listed = await api.request('GET', `${PATH}?labelSelector=${encodeURIComponent(`${OWNER_LABEL}=${this.#owner}`)}`);
    if (listed.status !== 200) throw new Error(`listing APIServices: HTTP ${listed.status}`);
    const ours = new Map(((listed.body as { items?: APIService[] }).items ?? []).map((a) => [a.metadata.name, a]));
    const wanted = new Map(groupVersions.map((gv) => [apiServiceName(gv), this.#desired(gv, configHash)]));

    for (const [name, desired] of wanted) {
      const current = ours.get(name);
      if (current) {
        desired.metadata.resourceVersion = current.metadata.resourceVersion!;
        await this.#must('PUT', `${PATH}/${name}`, desired, [200]);
        continue;
      }
      const created = await api.request('POST', PATH, { body: desired });
      if (created.status === 409) {
        log.warn({ apiService: name }, 'an APIService of this name exists without our owner label; leaving it alone');
        continue;
      }
      if (created.status !== 201) throw new Error(`creating APIService ${name}: HTTP ${created.status} ${messageOf(created.body)}`);
      log.info({ apiService: name }, 'APIService registered');
    }
    for (const name of ours.keys()) {
      if (wanted.has(name)) continue;
      await this.#must('DELETE', `${PATH}/${name}`, undefined, [200, 202, 404]);
      log.info({ apiService: name }, 'APIService removed: its group-version left the config');
    }
  }

  #desired(groupVersion: string, configHash: string): APIService {
    const [group = '', version = ''] = groupVersion.split('/');
    const { service, caPem } = this.#options;
    return {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: {
        name: apiServiceName(groupVersion),
        labels: { [OWNER_LABEL]: this.#owner, 'app.kubernetes.io/managed-by': 'kindred' },
        annotations: { [CONFIG_HASH_ANNOTATION]: configHash },
      },
      spec: {
        group,
        version,
        groupPriorityMinimum: this.#options.groupPriorityMinimum ?? 1000,
        versionPriority: this.#options.versionPriority ?? 15,
        service: { namespace: service.namespace, name: service.name, port: service.port },
        ...(caPem ? { caBundle: Buffer.from(caPem).toString('base64') } : {}),
      },
    };
  }

  async #must(method: string, path: string, body: unknown, ok: number[]): Promise<void> {
    const res = await this.#options.api.request(method, path, body === undefined ? {} : { body });
    if (!ok.includes(res.status)) throw new Error(`${method} ${path}: HTTP ${res.status} ${messageOf(res.body)}`);
  }
}

/**
 * Runs syncs one at a time, the newest wanted state winning; a failed sync (kube-apiserver
 * down, RBAC missing) is logged and tried again a little later, so the APIServices converge.
 */
export class APIServiceSync {
  readonly #manager: APIServiceManager;
  readonly #log: Logger;
  #wanted: { groupVersions: readonly string[]; hash: string } | undefined;
  #running = false;
  #retry: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(manager: APIServiceManager, log: Logger, readonly retryMs = 5_000) {
    this.#manager = manager;
    this.#log = log;
  }

  sync(groupVersions: readonly string[], hash: string): void {
    this.#wanted = { groupVersions, hash };
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
  }

  async #run(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    try {
      while (this.#wanted && !this.#stopped) {
        const wanted = this.#wanted;
        this.#wanted = undefined;
        try {
          await this.#manager.sync(wanted.groupVersions, wanted.hash);
        } catch (error) {
          this.#log.warn({ err: error }, 'APIServices not in step with the config; trying again');
          this.#wanted ??= wanted;
          clearTimeout(this.#retry);
          this.#retry = setTimeout(() => void this.#run(), this.retryMs).unref();
          return;
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

/** The names a Service answers to inside the cluster, for a serving certificate. */
export function serviceDnsNames(service: ServiceRef): string[] {
  return [`${service.name}.${service.namespace}.svc`, `${service.name}.${service.namespace}.svc.cluster.local`];
}

/** `apps.example.com/v1alpha1` → `v1alpha1.apps.example.com`, the name the aggregator expects. */
export function apiServiceName(groupVersion: string): string {
  const [group, version] = groupVersion.split('/');
  return `${version}.${group}`;
}

/** `--apiservice-service NAMESPACE/NAME[:PORT]` (port 443 when absent). */
export function parseServiceRef(text: string): ServiceRef | undefined {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)(?::(\d{1,5}))?$/.exec(text);
  if (!match) return undefined;
  const port = match[5] === undefined ? 443 : Number(match[5]);
  if (port < 1 || port > 65535) return undefined;
  return { namespace: match[1]!, name: match[3]!, port };
}

function messageOf(body: unknown): string {
  return typeof body === 'object' && body !== null && 'message' in body ? String((body as { message: unknown }).message) : '';
}
