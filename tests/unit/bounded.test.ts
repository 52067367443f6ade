// The one way we wait with a limit: what ends each wait, and that nothing of it stays behind.
import { describe, expect, it } from 'vitest';
import { pause, untilAborted, withTimeout } from '../../src/bounded.js';
import { CancelledError, CoworkerError } from '../../src/errors.js';

const HOUR = 60 * 60_000;
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('pause', () => {
  it('ends when the signal fires, long before its time, and leaves no timer', async () => {
    const before = timers();
    const controller = new AbortController();
    const paused = pause(HOUR, { signal: controller.signal });
    expect(timers()).toBe(before + 1);
    controller.abort();
    await paused;
    expect(timers()).toBe(before);
  });

  it('ends when `until` settles, resolved or rejected', async () => {
    const before = timers();
    let exit: () => void = () => {};
    await Promise.all([
      pause(HOUR, { until: new Promise<void>((resolve) => (exit = resolve)) }),
      Promise.resolve().then(() => exit()),
    ]);
    await pause(HOUR, { until: Promise.reject(new Error('the process died')) });
    expect(timers()).toBe(before);
  });

  it('does not wait at all on a signal that has already fired, nor for a negative time', async () => {
    const before = timers();
    await pause(HOUR, { signal: AbortSignal.abort() });
    await pause(-5);
    expect(timers()).toBe(before);
  });
});

describe('withTimeout and untilAborted', () => {
  it('withTimeout gives the fallback when the work takes longer, and clears its timer when it does not', async () => {
    const before = timers();
    expect(await withTimeout(new Promise(() => {}), 1, 'timed out')).toBe('timed out');
    expect(await withTimeout(Promise.resolve('done'), HOUR, 'timed out')).toBe('done');
    expect(timers()).toBe(before);
  });

  it('untilAborted rejects with the signal’s own CoworkerError, else a CancelledError', async () => {
    const reason = new CoworkerError('CANCELLED', 'Cancelled (SIGTERM).', '');
    await expect(untilAborted(new Promise(() => {}), AbortSignal.abort(reason))).rejects.toBe(reason);
    await expect(untilAborted(new Promise(() => {}), AbortSignal.abort())).rejects.toBeInstanceOf(
      CancelledError,
    );
  });
});
