// Is the server that answered on a port the app we started? "Pick a free port, then start" races, Vite
// moves to another port when its own is taken, and an absolute --url may point at someone else's
// server: without this check we could silently test the wrong app.
//
// Linux: find the listening socket in /proc/net/tcp{,6} and the process holding it via /proc/<pid>/fd.
// A holder is ours when it is in our process group or carries our job marker (a grandchild that moved
// to its own group). macOS: lsof + ps. Elsewhere, or when the holder cannot be seen: 'unknown'.

import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { findProcessesWithEnv } from './processGroup.js';
import { groupMembers, hasProcFs, listeningSockets, listPids, readCmdline, socketInodes } from './procfs.js';

const execFileAsync = promisify(execFile);

export interface PortHolder {
  pid: number;
  command: string;
}

export type PortOwnership =
  | { kind: 'ours' }
  | { kind: 'foreign'; holders: PortHolder[] }
  | { kind: 'unknown' };

export interface Ours {
  pgid: number;
  /** Environment entry every process of this launch carries (survives a grandchild's own setsid). */
  marker: { name: string; value: string };
}

/**
 * Who holds the listening socket that answered at `answeredFrom`:`port` (the address the probe's
 * connection reached; '' when unknown).
 */
export async function checkPortOwner(port: number, answeredFrom: string, ours: Ours): Promise<PortOwnership> {
  if (hasProcFs()) return ownerFromProc(port, answeredFrom, ours);
  if (process.platform === 'darwin') return ownerFromLsof(port, ours);
  return { kind: 'unknown' };
}

/** Processes holding a listening socket on the port (any address); [] when unknown. For error messages. */
export function portHolders(port: number): PortHolder[] {
  if (!hasProcFs()) return [];
  const inodes = new Set(
    listeningSockets()
      .filter((s) => s.port === port)
      .map((s) => s.inode),
  );
  return holdersOf(inodes, listPids());
}

function ownerFromProc(port: number, answeredFrom: string, ours: Ours): PortOwnership {
  const onPort = listeningSockets().filter((s) => s.port === port);
  // The kernel hands a connection to the socket bound to that exact address before a wildcard one.
  const exact = answeredFrom ? onPort.filter((s) => sameAddress(s.address, answeredFrom)) : [];
  const relevant = exact.length > 0 ? exact : onPort.filter((s) => isWildcard(s.address) || !answeredFrom);
  const inodes = new Set(relevant.map((s) => s.inode));
  if (inodes.size === 0) return { kind: 'unknown' };

  const ourPids = new Set([
    ...groupMembers(ours.pgid),
    ...findProcessesWithEnv(ours.marker.name, ours.marker.value),
  ]);
  if (holdersOf(inodes, [...ourPids]).length > 0) return { kind: 'ours' };
  const others = holdersOf(
    inodes,
    listPids().filter((pid) => !ourPids.has(pid)),
  );
  return others.length > 0 ? { kind: 'foreign', holders: others } : { kind: 'unknown' };
}

function holdersOf(inodes: Set<string>, pids: number[]): PortHolder[] {
  const holders: PortHolder[] = [];
  for (const pid of pids) {
    const held = socketInodes(pid);
    if ([...inodes].some((inode) => held.has(inode))) holders.push({ pid, command: readCmdline(pid) });
  }
  return holders;
}

async function ownerFromLsof(port: number, ours: Ours): Promise<PortOwnership> {
  try {
    const { stdout } = await execFileAsync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], {
      timeout: 5000,
    });
    const pids = stdout.split(/\s+/).filter(Boolean).map(Number);
    if (pids.length === 0) return { kind: 'unknown' };
    const holders: PortHolder[] = [];
    for (const pid of pids) {
      const { stdout: ps } = await execFileAsync('ps', ['-o', 'pgid=,command=', '-p', String(pid)], {
        timeout: 5000,
      });
      const [pgid, ...command] = ps.trim().split(/\s+/);
      if (Number(pgid) === ours.pgid) return { kind: 'ours' };
      holders.push({ pid, command: command.join(' ') });
    }
    return { kind: 'foreign', holders };
  } catch {
    return { kind: 'unknown' };
  }
}

function sameAddress(a: string, b: string): boolean {
  const list = new net.BlockList();
  list.addAddress(a, net.isIPv6(a) ? 'ipv6' : 'ipv4');
  return list.check(b, net.isIPv6(b) ? 'ipv6' : 'ipv4');
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || sameAddress(address, '::');
}

export function describeHolders(holders: PortHolder[]): string {
  if (holders.length === 0) return '';
  return ` (${holders.map((h) => `pid ${h.pid}${h.command ? ` \`${h.command.slice(0, 80)}\`` : ''}`).join(', ')})`;
}
