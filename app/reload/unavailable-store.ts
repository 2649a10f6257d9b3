/**
 * The store a kind gets while its storage plugin is known to be broken (it threw an uncaught
 * exception or left a promise rejection unhandled): every call answers 503
 * ServiceUnavailable with the reason. It has the capabilities of the store it stands in for,
 * so the kind keeps its verbs in discovery and clients see a temporary failure rather than
 * a kind that changed. It is replaced when the plugin's module changes.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { Storage } from '../../core/types/storage.ts';

const CAPABILITIES = ['get', 'list', 'watch', 'create', 'update', 'delete', 'deleteCollection'] as const;

/** A store whose every capability of `like` (all of them without it) fails with 503 and `message`. */
export function unavailableStore(message: string, like?: Storage): Storage {
  const error = () => new StoreError('ServiceUnavailable', message, { retryAfterSeconds: 10 });
  const store: Record<string, unknown> = { close: async () => {} };
  for (const capability of CAPABILITIES) {
    if (like && typeof like[capability] !== 'function') continue;
    store[capability] =
      capability === 'watch'
        ? () => {
            // A watch refuses when called, as stores check their start point.
            throw error();
          }
        : () => Promise.reject(error());
  }
  return store as unknown as Storage;
}
