// Running a test file's independent simulations side by side: a cap on how many run at once (each is
// an app or two and a Chromium), and a run several tests need, made once by whichever asks first.

/** `run(work)` starts `work` once fewer than `n` are running, else when one of them ends. */
export function slots(n: number): <T>(work: () => Promise<T>) => Promise<T> {
  let free = n;
  const waiting: Array<() => void> = [];
  return async (work) => {
    // A slot is handed from the one that ends to the next in line, so none is taken twice.
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free++;
    }
  };
}

/** `work`, started on the first call; every call gets the same promise. */
export function once<T>(work: () => Promise<T>): () => Promise<T> {
  let started: Promise<T> | undefined;
  return () => {
    started ??= work();
    return started;
  };
}
