import os from 'node:os';

/** The note every timing section ends with: how loaded the machine was when it was measured. */
export function machineNote() {
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
  return `Load average at the end: ${load}; ${os.cpus().length} cores, Node ${process.version}.`;
}
