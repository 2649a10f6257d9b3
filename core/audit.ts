/**
 * Audit logging as kube-apiserver does it (`--audit-log-path`, `--audit-policy-file`): an
 * audit.k8s.io/v1 Policy picks a level per request (None, Metadata, Request,
 * RequestResponse) by the first rule that matches, and each request becomes audit.k8s.io/v1
 * `Event` JSON lines, one per stage (RequestReceived, ResponseStarted for watches,
 * ResponseComplete), minus the stages the rule or policy omits.
 *
 * A store that says its objects are secret (`Storage.sensitive`, the secret plugin's) is
 * audited at Metadata at most, whatever the policy: no value of it ever reaches the log.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { parse } from 'yaml';
import type { RequestInfo } from './request-info.ts';
import type { UserInfo } from './types/storage.ts';

export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type AuditStage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const LEVELS: AuditLevel[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const STAGES: AuditStage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

interface PolicyRule {
  level: AuditLevel;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: { group?: string; resources?: string[]; resourceNames?: string[] }[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: AuditStage[];
  omitManagedFields?: boolean;
}

export interface AuditPolicy {
  rules: PolicyRule[];
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

export class AuditPolicyError extends Error {}

/** Reads and checks an audit.k8s.io/v1 Policy; throws AuditPolicyError naming the field. */
export function parseAuditPolicy(text: string): AuditPolicy {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || doc.kind !== 'Policy' || (doc.apiVersion !== 'audit.k8s.io/v1' && doc.apiVersion !== 'audit.k8s.io/v1beta1')) {
    throw new AuditPolicyError('not an audit.k8s.io/v1 Policy');
  }
  const stages = (value: unknown, path: string): AuditStage[] => {
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((s) => !STAGES.includes(s as AuditStage))) throw new AuditPolicyError(`${path}: must be a list of ${STAGES.join(', ')}`);
    return value as AuditStage[];
  };
  if (!Array.isArray(doc.rules) || doc.rules.length === 0) throw new AuditPolicyError('rules: at least one rule is required');
  const rules = (doc.rules as Record<string, unknown>[]).map((rule, i): PolicyRule => {
    if (!LEVELS.includes(rule.level as AuditLevel)) throw new AuditPolicyError(`rules[${i}].level: must be one of ${LEVELS.join(', ')}`);
    return { ...(rule as unknown as PolicyRule), omitStages: stages(rule.omitStages, `rules[${i}].omitStages`) };
  });
  return { rules, omitStages: stages(doc.omitStages, 'omitStages'), omitManagedFields: doc.omitManagedFields === true };
}

/** The policy kindred audits by without a policy file: everything at Metadata. */
export const METADATA_POLICY: AuditPolicy = { rules: [{ level: 'Metadata' }], omitStages: [], omitManagedFields: false };

const matchesList = (list: string[] | undefined, value: string): boolean => !list || list.length === 0 || list.includes(value) || list.includes('*');

function ruleMatches(rule: PolicyRule, user: UserInfo | undefined, info: RequestInfo): boolean {
  if (rule.users?.length && !rule.users.includes(user?.username ?? '')) return false;
  if (rule.userGroups?.length && !(user?.groups ?? []).some((g) => rule.userGroups!.includes(g))) return false;
  if (!matchesList(rule.verbs, info.verb)) return false;
  if (!info.isResourceRequest) {
    if (rule.resources?.length || rule.namespaces?.length) return false;
    if (!rule.nonResourceURLs?.length) return true;
    return rule.nonResourceURLs.some((u) => (u.endsWith('*') ? info.path.startsWith(u.slice(0, -1)) : info.path === u));
  }
  if (rule.nonResourceURLs?.length) return false;
  if (rule.namespaces?.length && !rule.namespaces.includes(info.namespace ?? '')) return false;
  if (!rule.resources?.length) return true;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  return rule.resources.some(
    (r) =>
      (r.group ?? '') === info.group &&
      (!r.resources?.length || r.resources.some((n) => n === resource || n === '*' || n === `${info.resource}/*` || n === `*/${info.subresource ?? ''}`)) &&
      (!r.resourceNames?.length || r.resourceNames.includes(info.name ?? '')),
  );
}

/** What one request is audited with. */
export interface AuditDecision {
  level: AuditLevel;
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

export function decide(policy: AuditPolicy, user: UserInfo | undefined, info: RequestInfo, sensitive: boolean): AuditDecision {
  const rule = policy.rules.find((r) => ruleMatches(r, user, info));
  let level: AuditLevel = rule?.level ?? 'None';
  if (sensitive && (level === 'Request' || level === 'RequestResponse')) level = 'Metadata';
  return {
    level,
    omitStages: [...policy.omitStages, ...(rule?.omitStages ?? [])],
    omitManagedFields: rule?.omitManagedFields ?? policy.omitManagedFields,
  };
}

export interface AuditRecord {
  auditId: string;
  stage: AuditStage;
  info: RequestInfo;
  method: string;
  requestURI: string;
  user: UserInfo | undefined;
  sourceIP: string;
  userAgent: string;
  received: Date;
  code?: number;
  status?: { reason?: string; message?: string; status?: string };
  requestObject?: unknown;
  responseObject?: unknown;
}

/** One audit.k8s.io/v1 Event (the fields k8s.io/apiserver's audit package fills). */
export function auditEvent(decision: AuditDecision, record: AuditRecord, now: Date): Record<string, unknown> {
  const info = record.info;
  const event: Record<string, unknown> = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: decision.level,
    auditID: record.auditId,
    stage: record.stage,
    requestURI: record.requestURI,
    verb: info.verb,
    user: record.user ? { username: record.user.username, groups: record.user.groups, ...(record.user.uid ? { uid: record.user.uid } : {}) } : { username: 'system:anonymous' },
    sourceIPs: [record.sourceIP],
    userAgent: record.userAgent,
  };
  if (info.isResourceRequest) {
    event.objectRef = {
      resource: info.resource,
      ...(info.namespace ? { namespace: info.namespace } : {}),
      ...(info.name ? { name: info.name } : {}),
      apiGroup: info.group,
      apiVersion: info.version,
      ...(info.subresource ? { subresource: info.subresource } : {}),
    };
  }
  if (record.code !== undefined) event.responseStatus = { metadata: {}, code: record.code, ...record.status };
  if (decision.level === 'Request' || decision.level === 'RequestResponse') {
    if (record.requestObject !== undefined) event.requestObject = trim(record.requestObject, decision.omitManagedFields);
  }
  if (decision.level === 'RequestResponse' && record.stage === 'ResponseComplete' && record.responseObject !== undefined) {
    event.responseObject = trim(record.responseObject, decision.omitManagedFields);
  }
  event.requestReceivedTimestamp = record.received.toISOString();
  event.stageTimestamp = now.toISOString();
  return event;
}

function trim(object: unknown, omitManagedFields: boolean): unknown {
  if (!omitManagedFields || typeof object !== 'object' || object === null) return object;
  const meta = (object as { metadata?: Record<string, unknown> }).metadata;
  if (!meta?.managedFields) return object;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...object, metadata: rest };
}

/** Where events go: a file appended to, or stdout for `-` (as kube's `--audit-log-path -`). */
export class AuditLog {
  readonly #out: WriteStream | NodeJS.WriteStream;

  constructor(
    readonly policy: AuditPolicy,
    path: string,
  ) {
    this.#out = path === '-' ? process.stdout : createWriteStream(path, { flags: 'a' });
  }

  static open(path: string, policyFile: string | undefined): AuditLog {
    const policy = policyFile ? parseAuditPolicy(readFileSync(policyFile, 'utf8')) : METADATA_POLICY;
    return new AuditLog(policy, path);
  }

  write(decision: AuditDecision, record: AuditRecord, now = new Date()): void {
    if (decision.level === 'None' || decision.omitStages.includes(record.stage)) return;
    this.#out.write(`${JSON.stringify(auditEvent(decision, record, now))}\n`);
  }

  async close(): Promise<void> {
    if (this.#out === process.stdout) return;
    await new Promise<void>((resolve) => (this.#out as WriteStream).end(resolve));
  }
}
