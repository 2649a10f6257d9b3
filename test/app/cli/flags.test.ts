/** The serve flags, parsed as k8s.io/apiserver parses them: protection (integers, Go durations) and `--etcd-*`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ETCD_PREFIX, parseServeFlags, UsageError } from '../../../app/cli/flags.ts';

describe('parseServeFlags', () => {
  it("defaults to kube-apiserver's values", () => {
    const flags = parseServeFlags([]);
    assert.deepEqual(
      [flags.maxRequestsInflight, flags.maxMutatingRequestsInflight, flags.requestTimeoutMs, flags.shutdownDelayMs, flags.http2MaxStreamsPerConnection],
      [400, 200, 60_000, 0, 0],
    );
  });

  it('reads Go durations', () => {
    const table: Array<[string, number]> = [
      ['0', 0],
      ['0s', 0],
      ['30s', 30_000],
      ['1m30s', 90_000],
      ['1h', 3_600_000],
      ['500ms', 500],
      ['1.5s', 1500],
    ];
    for (const [text, ms] of table) assert.equal(parseServeFlags(['--shutdown-delay-duration', text]).shutdownDelayMs, ms, text);
  });

  it('refuses what is not a duration or a count, naming the flag', () => {
    assert.throws(() => parseServeFlags(['--request-timeout', '30']), (e: Error) => e instanceof UsageError && /--request-timeout: not a duration/.test(e.message));
    assert.throws(() => parseServeFlags(['--shutdown-delay-duration=-1s']), UsageError);
    assert.throws(() => parseServeFlags(['--max-requests-inflight=-1']), /--max-requests-inflight: expected an integer ≥ 0/);
    assert.throws(() => parseServeFlags(['--max-mutating-requests-inflight', 'many']), UsageError);
    assert.throws(() => parseServeFlags(['--http2-max-streams-per-connection', '1.5']), UsageError);
  });

  it('takes 0 as unlimited in-flight requests', () => {
    const flags = parseServeFlags(['--max-requests-inflight', '0', '--max-mutating-requests-inflight', '0']);
    assert.deepEqual([flags.maxRequestsInflight, flags.maxMutatingRequestsInflight], [0, 0]);
  });
});

describe('parseServeFlags(--etcd-*)', () => {
  it('leaves etcd unset without --etcd-servers', () => {
    assert.equal(parseServeFlags([]).etcd, undefined);
  });

  it('reads a comma-separated --etcd-servers with kindred’s own default prefix', () => {
    const flags = parseServeFlags(['--etcd-servers', 'http://127.0.0.1:2379, https://10.0.0.2:2379']);
    assert.deepEqual(flags.etcd, { servers: ['http://127.0.0.1:2379', 'https://10.0.0.2:2379'], prefix: DEFAULT_ETCD_PREFIX });
    assert.equal(DEFAULT_ETCD_PREFIX, '/kindred');
  });

  it('takes the prefix and TLS files as given, without a trailing slash on the prefix', () => {
    const flags = parseServeFlags([
      '--etcd-servers=https://127.0.0.1:2379',
      '--etcd-prefix=/apps/',
      '--etcd-cafile=ca.crt',
      '--etcd-certfile=client.crt',
      '--etcd-keyfile=client.key',
    ]);
    assert.deepEqual(flags.etcd, {
      servers: ['https://127.0.0.1:2379'],
      prefix: '/apps',
      caFile: 'ca.crt',
      certFile: 'client.crt',
      keyFile: 'client.key',
    });
  });

  const refused: [string, string[], RegExp][] = [
    ['an etcd flag without --etcd-servers', ['--etcd-prefix=/x'], /--etcd-prefix needs --etcd-servers/],
    ['a server that is no URL', ['--etcd-servers=127.0.0.1:2379'], /--etcd-servers: expected http\(s\):\/\/HOST:PORT/],
    ['a relative prefix', ['--etcd-servers=http://127.0.0.1:2379', '--etcd-prefix=kindred'], /--etcd-prefix: must start with "\/"/],
    ['a certificate without its key', ['--etcd-servers=http://127.0.0.1:2379', '--etcd-certfile=c.crt'], /--etcd-certfile and --etcd-keyfile go together/],
  ];
  for (const [what, args, message] of refused) {
    it(`refuses ${what}`, () => {
      assert.throws(() => parseServeFlags(args), (error: unknown) => error instanceof UsageError && message.test(error.message));
    });
  }
});
