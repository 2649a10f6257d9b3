import { mkdtemp, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { startKindred } from '../../core/kindred.ts';
import { startControlPlane } from './control-plane.ts';
import { KINDRED_NAMESPACE, KINDRED_USER, apply, loopbackService, renderManifests, servingCertificate, templateManifests, CONFIG_PATH } from './aggregation-setup.ts';
const dir = await mkdtemp(join(tmpdir(), 'kdbg-'));
const cp = await startControlPlane();
try {
  const files = await servingCertificate(dir);
  const manifests = await renderManifests(dir);
  const { setup } = templateManifests(manifests, { port: 0, caPem: files.ca.certPem });
  await apply(dir, cp.adminKubeconfigPath, [...setup, loopbackService()]);
  const kc = await cp.kubeconfigFor(KINDRED_USER, ['system:serviceaccounts', `system:serviceaccounts:${KINDRED_NAMESPACE}`]);
  const k = await startKindred({ configPath: CONFIG_PATH, port: 0, host: '127.0.0.1', log: pino({ level: 'warn' }), tlsCertFile: files.certFile, tlsPrivateKeyFile: files.keyFile, kubeconfig: kc, watchConfig: false });
  await writeFile(join(dir, 'fp.crt'), cp.frontProxy.clientCertPem);
  await writeFile(join(dir, 'fp.key'), cp.frontProxy.clientKeyPem);
  await writeFile(join(dir, 'ca.crt'), files.ca.certPem);
  const url = `https://127.0.0.1:${k.port}/apis/apps.example.com/v1alpha1`;
  try { console.log(execFileSync('/tmp/gocli/gocli', [url, join(dir, 'fp.crt'), join(dir, 'fp.key'), join(dir, 'ca.crt')], { encoding: 'utf8' })); } catch (e) { console.log(String(e)); }
  try { console.log(execFileSync('sh', ['-c', `echo | openssl s_client -connect 127.0.0.1:${k.port} 2>&1 | grep -A4 -i acceptable`], { encoding: 'utf8' })); } catch (e) { console.log(String(e)); }
  console.log('stopping'); await k.stop(); console.log('stopped');
} finally {
  await cp.stop();
}
