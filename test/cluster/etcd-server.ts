/**
 * A lone real etcd for the etcd plugin's tests: the binary test/cluster/build.sh builds, on
 * free loopback ports, in a temporary folder. It can be stopped and started again on the
 * same ports and data, to test what kindred does while etcd is down and after it is back.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binariesDir } from './binaries.ts';
import { freePorts } from './control-plane.ts';
import { get, waitUntil } from './probe.ts';
import { killAll, startProcess, type ManagedProcess } from './process.ts';

export interface EtcdServer {
  /** `http://127.0.0.1:PORT`, for `--etcd-servers`. */
  url: string;
  /** Stops etcd (SIGKILL when `kill`); its data stays. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it is healthy. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  remove(): Promise<void>;
}

export async function startEtcd(): Promise<EtcdServer> {
  const bin = await binariesDir();
  if (!bin) throw new Error('control-plane binaries are missing; run test/cluster/build.sh');
  const dir = await mkdtemp(join(tmpdir(), 'kindred-etcd-'));
  const removeOnExit = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on('exit', removeOnExit);
  const { client, peer } = await freePorts(['client', 'peer']);
  const url = `http://127.0.0.1:${client}`;
  const args = [
    '--name=default',
    `--data-dir=${join(dir, 'data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=default=http://127.0.0.1:${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
  let etcd: ManagedProcess | undefined;
  const start = async (): Promise<void> => {
    const child = await startProcess('etcd', join(bin, 'etcd'), args, { logPath: join(dir, 'etcd.log') });
    etcd = child;
    await waitUntil('etcd /health', async () => (await get(`${url}/health`)).body.includes('"health":"true"'), {
      process: child,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  };
  const stop = async (options: { kill?: boolean } = {}): Promise<void> => {
    await etcd?.stop(options.kill ? 0 : 10_000);
  };
  try {
    await start();
  } catch (error) {
    await stop({ kill: true });
    removeOnExit();
    throw error;
  }
  return {
    url,
    stop,
    start,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
      process.removeListener('exit', removeOnExit);
    },
  };
}
