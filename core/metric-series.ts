/**
 * A counter and a histogram for the request hot path, exported through prom-client's
 * registry like its own metrics. prom-client hashes a label object on every `inc` and
 * `observe`, bound children included, which showed in GET profiles (issue 15); here a
 * series is looked up once per label combination and then counts into plain numbers.
 *
 *   const requests = new SeriesCounter({ name, help, registers: [registry] });
 *   const series = requests.series({ verb: 'GET', code: '200' });  // once
 *   series.inc();                                                   // per request
 *
 * Exposition is prom-client's: the registry asks `get()` for the values, as it asks its own.
 */
import type { Registry } from 'prom-client';

type Labels = Readonly<Record<string, string>>;

interface MetricOptions {
  name: string;
  help: string;
  registers: readonly Registry[];
}

/** One prom-client exported value (the shape its registry formats). */
interface ExportedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface Exported {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: ExportedValue[];
  aggregator: 'sum';
}

/** What the registry needs of a metric: prom-client calls `get` to render and `reset` to clear. */
abstract class SeriesMetric<Series> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  protected readonly all = new Map<string, { labels: Labels; series: Series }>();

  constructor(options: MetricOptions) {
    this.name = options.name;
    this.help = options.help;
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /** The series of `labels`, made on first use. Look it up once per combination, not per event. */
  series(labels: Labels): Series {
    const key = JSON.stringify(labels);
    let entry = this.all.get(key);
    if (!entry) this.all.set(key, (entry = { labels: { ...labels }, series: this.create() }));
    return entry.series;
  }

  reset(): void {
    this.all.clear();
  }

  protected abstract create(): Series;
  abstract get(): Promise<Exported>;
}

export interface CounterSeries {
  inc(by?: number): void;
}

class CountingSeries implements CounterSeries {
  value = 0;
  inc(by = 1): void {
    this.value += by;
  }
}

export class SeriesCounter extends SeriesMetric<CounterSeries> {
  protected create(): CountingSeries {
    return new CountingSeries();
  }

  async get(): Promise<Exported> {
    const values = [...this.all.values()].map(({ labels, series }) => ({ labels: { ...labels }, value: (series as CountingSeries).value }));
    return { name: this.name, help: this.help, type: 'counter', values, aggregator: 'sum' };
  }
}

export interface HistogramSeries {
  observe(value: number): void;
}

class BucketSeries implements HistogramSeries {
  readonly #bounds: readonly number[];
  /** Observations per bucket (not cumulative); the last slot is above every bound. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[]) {
    this.#bounds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  observe(value: number): void {
    const bounds = this.#bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

export class SeriesHistogram extends SeriesMetric<HistogramSeries> {
  readonly #bounds: readonly number[];

  constructor(options: MetricOptions & { buckets: readonly number[] }) {
    super(options);
    this.#bounds = [...options.buckets].sort((a, b) => a - b);
  }

  protected create(): BucketSeries {
    return new BucketSeries(this.#bounds);
  }

  async get(): Promise<Exported> {
    const values: ExportedValue[] = [];
    const bucket = `${this.name}_bucket`;
    for (const { labels, series } of this.all.values()) {
      const s = series as BucketSeries;
      let cumulative = 0;
      this.#bounds.forEach((le, i) => {
        cumulative += s.counts[i]!;
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: bucket });
      });
      values.push({ labels: { ...labels, le: '+Inf' }, value: s.count, metricName: bucket });
      values.push({ labels: { ...labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }
}
