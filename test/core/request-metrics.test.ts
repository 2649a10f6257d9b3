/** The watch metrics a watch's writer reports: events per chunk, open watches, long-running requests. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../core/metrics.ts';
import { requestLabels, watchMetrics } from '../../core/request-metrics.ts';

const kind = { group: 'fleet.example.net', version: 'v1', kind: 'Gadget' };
const labels = requestLabels(undefined, 'GET', '');

describe('watchMetrics(metrics, kind, labels)', () => {
  it('counts every line of every chunk in apiserver_watch_events_total by the next scrape, and the watch while it is open', async () => {
    const metrics = createMetrics();
    const scrape = () => metrics.registry.metrics();
    const sample = (text: string, name: string) => Number(new RegExp(`\\n${name}\\{[^}]*kind="Gadget"[^}]*\\} (\\d+)`).exec(`\n${text}`)?.[1]);
    const first = watchMetrics(metrics.api, kind, labels);
    const second = watchMetrics(metrics.api, kind, labels);
    first.opened();
    second.opened();
    first.sent({ data: Buffer.from('a\nb\nc\n'), events: 3 });
    second.sent({ data: Buffer.from('a\n'), events: 1 });
    let text = await scrape();
    assert.equal(sample(text, 'apiserver_watch_events_total'), 4);
    assert.equal(sample(text, 'apiserver_registered_watchers'), 2);
    first.sent({ data: Buffer.from('d\n'), events: 1 });
    first.closed();
    second.closed();
    text = await scrape();
    assert.equal(sample(text, 'apiserver_watch_events_total'), 5, 'counted once: nothing added twice across scrapes');
    assert.equal(sample(text, 'apiserver_registered_watchers'), 0);
  });
});
