import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from '../../core/metric-series.ts';

test('a series counter renders as a Prometheus counter, one line per label combination', async () => {
  const registry = new Registry();
  const requests = new SeriesCounter({ name: 'demo_requests_total', help: 'Requests.', registers: [registry] });
  const ok = requests.series({ verb: 'GET', code: '200' });
  ok.inc();
  ok.inc();
  requests.series({ verb: 'GET', code: '404' }).inc();
  // The same labels find the same series.
  requests.series({ verb: 'GET', code: '200' }).inc(3);
  const text = await registry.metrics();
  assert.match(text, /# TYPE demo_requests_total counter/);
  assert.match(text, /^demo_requests_total\{verb="GET",code="200"\} 5$/m);
  assert.match(text, /^demo_requests_total\{verb="GET",code="404"\} 1$/m);
});

test('a series histogram renders cumulative buckets, +Inf, sum and count', async () => {
  const registry = new Registry();
  const duration = new SeriesHistogram({ name: 'demo_seconds', help: 'Time.', buckets: [0.1, 1, 10], registers: [registry] });
  const series = duration.series({ verb: 'LIST' });
  for (const value of [0.05, 0.1, 0.5, 5, 50]) series.observe(value);
  const text = await registry.metrics();
  assert.match(text, /# TYPE demo_seconds histogram/);
  const line = (le: string) => new RegExp(`^demo_seconds_bucket\\{verb="LIST",le="${le.replace('+', '\\+')}"\\} (\\d+)$`, 'm').exec(text)?.[1];
  // A value on a bound counts in that bound's bucket (le is "less than or equal").
  assert.deepEqual(['0.1', '1', '10', '+Inf'].map(line), ['2', '3', '4', '5']);
  assert.match(text, /^demo_seconds_sum\{verb="LIST"\} 55.65$/m);
  assert.match(text, /^demo_seconds_count\{verb="LIST"\} 5$/m);
  duration.reset();
  assert.doesNotMatch(await registry.metrics(), /demo_seconds_count/);
});
