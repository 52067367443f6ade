// How much time a loaded machine took from this process, so a test can bound a duration without
// flaking: a 10-ms timer runs beside the test, and its lateness, summed over a window, is the time in
// which nothing of ours could run (the CPU went elsewhere, or the event loop was busy). A limit of
// "what the code should take + what the machine took" still fails when the code itself waits (a retry,
// a wait for a rate limit, a wrong poll interval), but not because the machine was slow.

import { performance } from 'node:perf_hooks';

export interface LoopLag {
  /** Milliseconds lost between two `Date.now()` times (waits a few ticks for the sample that ends a stall). */
  lostBetween(from: number, to: number): Promise<number>;
  stop(): void;
}

export function watchLoopLag(stepMs = 10): LoopLag {
  const samples: Array<{ at: number; late: number }> = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    samples.push({ at: Date.now(), late: Math.max(0, now - last - stepMs) });
    last = now;
  }, stepMs);
  return {
    // A sample late by L ms stands for the L ms before it: the part of that stretch inside the window counts.
    lostBetween: async (from, to) => {
      await new Promise((resolve) => setTimeout(resolve, 3 * stepMs));
      return samples.reduce(
        (sum, s) => sum + Math.max(0, Math.min(s.at, to) - Math.max(s.at - s.late, from)),
        0,
      );
    },
    stop: () => clearInterval(timer),
  };
}
