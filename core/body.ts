/** Reads a request body once, refusing more than kube-apiserver's 3 MiB limit with a 413. */
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { requestTooLarge } from './status.ts';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function bodyReader(req: IncomingMessage | Http2ServerRequest, limit = MAX_BODY_BYTES): () => Promise<Buffer> {
  let read: Promise<Buffer> | undefined;
  return () =>
    (read ??= new Promise<Buffer>((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > limit) {
        reject(requestTooLarge(limit));
        req.resume();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) {
          reject(requestTooLarge(limit));
          req.resume();
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    }));
}
