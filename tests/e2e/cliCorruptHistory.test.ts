// A damaged job history (jobs.sqlite) as a user meets it: a message naming the file and what to do,
// never "this is a bug", never moved silently; moved aside only by `doctor --move-corrupt-history`.

import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/cli.js';

const homes: Array<ReturnType<typeof tempHome>> = [];
afterEach(() => {
  for (const h of homes.splice(0)) h.cleanup();
});

/** A home with a (fresh) job history, then `damage` applied to its file. */
async function damagedHome(damage: (file: string) => void) {
  const home = tempHome();
  homes.push(home);
  expect((await runCli(['jobs'], { home: home.dir })).code).toBe(0);
  const file = path.join(home.dir, 'data', 'jobs.sqlite');
  expect(existsSync(file)).toBe(true);
  damage(file);
  return { home: home.dir, file };
}

describe('a damaged job history', () => {
  it('"file is not a database": names the file and the command; nothing is moved until asked', async () => {
    const { home, file } = await damagedHome((f) => writeFileSync(f, 'not sqlite at all '.repeat(500)));
    const before = readFileSync(file);
    const r = await runCli(['jobs'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `The job history ${file} is damaged and cannot be read (file is not a database)`,
    );
    expect(r.stderr).toContain('myfav-coworker doctor --move-corrupt-history');
    expect(r.stderr).not.toMatch(/bug/i);
    expect(readFileSync(file).equals(before)).toBe(true);

    const doctor = await runCli(['doctor'], { home });
    expect(doctor.code).toBe(2);
    expect(doctor.stdout).toMatch(/✗ job history +The job history .* is damaged/);

    const moved = await runCli(['doctor', '--move-corrupt-history'], { home });
    expect(moved.code).toBe(0);
    expect(moved.stderr).toMatch(/Moved the damaged job history aside: .*jobs\.sqlite\.corrupt-\d{4}-/);
    const aside = readdirSync(path.dirname(file)).filter((n) => n.startsWith('jobs.sqlite.corrupt-'));
    expect(aside.length).toBeGreaterThan(0);
    expect(
      readFileSync(path.join(path.dirname(file), aside.find((n) => !/-(wal|shm)$/.test(n))!)).equals(before),
    ).toBe(true);

    const fresh = await runCli(['jobs', '--json'], { home });
    expect(fresh.code).toBe(0);
    expect(JSON.parse(fresh.stdout)).toEqual([]);
    // A healthy history is never moved.
    const again = await runCli(['doctor', '--move-corrupt-history'], { home });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is not damaged: nothing was moved/);
    expect(existsSync(file)).toBe(true);
  });

  it('"database disk image is malformed" (a damaged page): the same message, found at open', async () => {
    const { home, file } = await damagedHome((f) => {
      // The first page (header and schema) stays; the table's page after it is overwritten.
      const fd = openSync(f, 'r+');
      writeSync(fd, Buffer.alloc(4096, 0x41), 0, 4096, 4096);
      closeSync(fd);
    });
    const r = await runCli(['jobs'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`The job history ${file} is damaged and cannot be read`);
    expect(r.stderr).toContain('doctor --move-corrupt-history');
    expect(r.stderr).not.toMatch(/bug/i);
  });
});
