import { randomBytes } from 'node:crypto';

/** Short, sortable, typeable job ids: time in base36 + random, e.g. `mhx3k2a9-7fq2`. */
export function newJobId(now = Date.now()): string {
  const random = randomBytes(3).readUIntBE(0, 3).toString(36).padStart(4, '0').slice(-4);
  return `${now.toString(36)}-${random}`;
}
