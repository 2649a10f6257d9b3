/** Waiting that an AbortSignal cuts short. */

/**
 * A wait of `ms` that ends early when `signal` aborts or `cancel` is called; `done` never
 * rejects. Ending it either way leaves no timer or listener behind, so a loop that races
 * a wait against other work once per event leaks nothing.
 */
export function timer(ms: number, signal?: AbortSignal): { done: Promise<void>; cancel: () => void } {
  let cancel = (): void => {};
  const done = new Promise<void>((resolve) => {
    const finish = (): void => {
      clearTimeout(timeout);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    cancel = finish;
    const timeout = setTimeout(finish, ms);
    if (signal?.aborted) finish();
    else signal?.addEventListener('abort', finish, { once: true });
  });
  return { done, cancel };
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return timer(ms, signal).done;
}
