/** The benchmark settings (full or short) and the Markdown table every scenario reports into. */

export interface BenchSettings {
  short: boolean;
  /** Objects created, then listed. */
  objects: number;
  /** Objects of the HelmRelease-backed kind (each one a HelmRelease in kube-apiserver). */
  kubeObjects: number;
  /** How long each throughput run lasts. */
  loadMs: number;
  /** kindred/bare alternations per figure; the median round is reported. */
  rounds: number;
  /** LIST requests per server per round. */
  listRepeats: number;
  watchers: number;
  writesPerSecond: number;
  watchMs: number;
  reloads: number;
  starts: number;
}

export function settingsFor(short: boolean): BenchSettings {
  return short
    ? { short, objects: 60, kubeObjects: 10, loadMs: 250, rounds: 1, listRepeats: 2, watchers: 20, writesPerSecond: 20, watchMs: 300, reloads: 2, starts: 1 }
    : { short, objects: 10_000, kubeObjects: 1000, loadMs: 4000, rounds: 3, listRepeats: 5, watchers: 1000, writesPerSecond: 100, watchMs: 5000, reloads: 20, starts: 3 };
}

export interface Row {
  scenario: string;
  /** h1, h2, or '' where the protocol does not apply. */
  protocol: string;
  figure: string;
  kindred: number;
  /** The same-run baseline's figure (NaN where the baseline has none). */
  bare: number;
  /** kindred ÷ bare, or kindred ÷ whatever `ratioOf` names. */
  ratio: number;
  ratioOf?: string;
  goal: string;
  /** Failed requests on the kindred side, shown when any. */
  errors?: number;
}

function figure(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function markdownTable(rows: readonly Row[], baselineName = 'bare'): string {
  const lines = [
    `| scenario | protocol | figure | kindred | ${baselineName} | ratio | goal |`,
    '|---|---|---|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    const ratio = Number.isFinite(r.ratio) ? `${r.ratio.toFixed(2)}×${r.ratioOf ? ` ${r.ratioOf}` : ''}` : '—';
    const errors = r.errors ? ` (${r.errors} errors)` : '';
    lines.push(`| ${r.scenario} | ${r.protocol} | ${r.figure} | ${figure(r.kindred)}${errors} | ${figure(r.bare)} | ${ratio} | ${r.goal} |`);
  }
  return lines.join('\n');
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
