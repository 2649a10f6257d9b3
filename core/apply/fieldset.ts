/**
 * Sets of field paths, as structured-merge-diff's `fieldpath.Set`, stored in the shape of
 * their wire form, FieldsV1: a tree whose edges are path elements written as
 * `f:<field>`, `k:<json of the list-map key fields>`, `v:<json of a set item>` or
 * `i:<index>`. A path is a member when the set owns it; in FieldsV1 a member with no
 * children is `{}` and a member that also has children carries a `".": {}` entry.
 */

/** One step of a path, already in its FieldsV1 spelling (e.g. `f:spec`, `k:{"name":"a"}`). */
export type PathElement = string;
export type Path = readonly PathElement[];

export class FieldsV1Error extends Error {}

// FieldName sorts before Key, Value and Index, as fieldpath.PathElement.Less does.
const RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function comparePathElements(a: PathElement, b: PathElement): number {
  const byRank = (RANK[a[0] ?? ''] ?? 9) - (RANK[b[0] ?? ''] ?? 9);
  if (byRank !== 0) return byRank;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FieldSet {
  readonly #members = new Set<PathElement>();
  readonly #children = new Map<PathElement, FieldSet>();

  static of(...paths: Path[]): FieldSet {
    const set = new FieldSet();
    for (const p of paths) set.insert(p);
    return set;
  }

  /** Adds a path (the empty path is the root and is never stored). */
  insert(path: Path): void {
    if (path.length === 0) return;
    // A loop, not recursion on the rest: copying the rest at every level made inserting every
    // path of a deep object cubic in its depth.
    let set: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) {
      let child = set.#children.get(path[i]!);
      if (!child) set.#children.set(path[i]!, (child = new FieldSet()));
      set = child;
    }
    set.#members.add(path[path.length - 1]!);
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let set: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && set; i++) set = set.#children.get(path[i]!);
    return set !== undefined && set.#members.has(path[path.length - 1]!);
  }

  isEmpty(): boolean {
    if (this.#members.size > 0) return false;
    for (const child of this.#children.values()) if (!child.isEmpty()) return false;
    return true;
  }

  /** The paths under `element`, relative to it. */
  withPrefix(element: PathElement): FieldSet {
    return this.#children.get(element) ?? new FieldSet();
  }

  /** The paths whose first element passes `keep`. */
  selectTop(keep: (element: PathElement) => boolean): FieldSet {
    const out = new FieldSet();
    for (const m of this.#members) if (keep(m)) out.#members.add(m);
    for (const [key, child] of this.#children) if (keep(key)) out.#children.set(key, child);
    return out;
  }

  union(other: FieldSet): FieldSet {
    return this.#combine(other, (a, b) => a || b, true, true);
  }

  difference(other: FieldSet): FieldSet {
    return this.#combine(other, (a, b) => a && !b, true, false);
  }

  intersection(other: FieldSet): FieldSet {
    return this.#combine(other, (a, b) => a && b, false, false);
  }

  /**
   * Path-wise set algebra: `keep` decides membership of each element from its membership in
   * this and in other; children present on only one side are kept when that side's flag says so.
   */
  #combine(other: FieldSet, keep: (a: boolean, b: boolean) => boolean, keepOnlyThis: boolean, keepOnlyOther: boolean): FieldSet {
    const out = new FieldSet();
    for (const m of new Set([...this.#members, ...other.#members])) {
      if (keep(this.#members.has(m), other.#members.has(m))) out.#members.add(m);
    }
    for (const key of new Set([...this.#children.keys(), ...other.#children.keys()])) {
      const mine = this.#children.get(key);
      const theirs = other.#children.get(key);
      let child: FieldSet | undefined;
      if (mine && theirs) child = mine.#combine(theirs, keep, keepOnlyThis, keepOnlyOther);
      else if (mine && keepOnlyThis) child = mine;
      else if (theirs && keepOnlyOther) child = theirs;
      if (child && !child.isEmpty()) out.#children.set(key, child);
    }
    return out;
  }

  /** Every member path, depth first in FieldsV1 order. */
  paths(prefix: Path = []): PathElement[][] {
    const out: PathElement[][] = [];
    for (const key of this.#sortedKeys()) {
      if (this.#members.has(key)) out.push([...prefix, key]);
      const child = this.#children.get(key);
      if (child) out.push(...child.paths([...prefix, key]));
    }
    return out;
  }

  #sortedKeys(): PathElement[] {
    return [...new Set([...this.#members, ...this.#children.keys()])].sort(comparePathElements);
  }

  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of this.#sortedKeys()) {
      const child = this.#children.get(key);
      const member = this.#members.has(key);
      if (!child || child.isEmpty()) {
        if (member) out[key] = {};
        continue;
      }
      const node = child.toFieldsV1();
      out[key] = member ? { '.': {}, ...node } : node;
    }
    return out;
  }

  /** Parses FieldsV1; throws FieldsV1Error on anything that is not a well-formed tree. */
  static fromFieldsV1(value: unknown): FieldSet {
    const set = new FieldSet();
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FieldsV1Error('FieldsV1 must be an object');
    for (const [key, node] of Object.entries(value)) {
      if (key === '.') continue;
      if (!/^[fkvi]:/.test(key)) throw new FieldsV1Error(`unknown path element ${JSON.stringify(key)}`);
      if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new FieldsV1Error(`${key}: must be an object`);
      const entries = Object.keys(node);
      if (entries.length === 0 || entries.includes('.')) set.#members.add(key);
      const child = FieldSet.fromFieldsV1(node);
      if (!child.isEmpty()) set.#children.set(key, child);
    }
    return set;
  }
}

/** A path as kube prints it in conflicts: `.spec.ports[name="http",port=80].targetPort`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
