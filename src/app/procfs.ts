// Reading Linux's /proc: which processes exist, their process group, their environment marker, and which
// of them hold a given socket. Every function returns "nothing" instead of throwing when /proc is absent
// (macOS, Windows) or a process vanishes mid-read — callers treat /proc as a best-effort view.

import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const hasProcFs = (): boolean => process.platform === 'linux' && existsSync('/proc/self/stat');

/** Numeric entries of /proc, i.e. every process we can see. */
export function listPids(): number[] {
  if (!hasProcFs()) return [];
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

export interface ProcStat {
  pid: number;
  /** One letter; 'Z' (zombie) and 'X' (dead) no longer run and hold nothing. */
  state: string;
  ppid: number;
  pgid: number;
}

/** /proc/<pid>/stat, or null when the process is gone. */
export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ')': split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, ppid, pgid] = rest;
  if (state === undefined || ppid === undefined || pgid === undefined) return null;
  return { pid, state, ppid: Number(ppid), pgid: Number(pgid) };
}

/** A process that still runs: zombies are excluded because our init may never reap them. */
export function isRunning(stat: ProcStat | null): stat is ProcStat {
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** Running members of a process group. */
export function groupMembers(pgid: number): number[] {
  return listPids().filter((pid) => {
    const stat = readStat(pid);
    return isRunning(stat) && stat.pgid === pgid;
  });
}

/** The environment a process started with; empty when unreadable (another user's process, or gone). */
export function readEnviron(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Command line for messages ("node server.js"), or '' when unreadable. */
export function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

/** Socket inodes a process holds open (from its /proc/<pid>/fd symlinks "socket:[12345]"). */
export function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // fd closed between readdir and readlink
    }
  }
  return inodes;
}

export interface ListeningSocket {
  /** Dotted IPv4 or full IPv6 address the socket is bound to. */
  address: string;
  port: number;
  inode: string;
}

/** TCP sockets in LISTEN state from /proc/net/tcp and /proc/net/tcp6 (this network namespace). */
export function listeningSockets(): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const state = fields[3];
      const inode = fields[9];
      if (!local || state !== '0A' || !inode) continue; // 0A = TCP_LISTEN
      const [hexAddr, hexPort] = local.split(':');
      if (!hexAddr || !hexPort) continue;
      out.push({
        address: v6 ? decodeIpv6(hexAddr) : decodeIpv4(hexAddr),
        port: Number.parseInt(hexPort, 16),
        inode,
      });
    }
  }
  return out;
}

// /proc/net/tcp prints each 32-bit word of the address in host byte order (little-endian on the
// machines we run on), so the bytes of every word are reversed.
function wordBytes(hexWord: string): number[] {
  const bytes: number[] = [];
  for (let i = 6; i >= 0; i -= 2) bytes.push(Number.parseInt(hexWord.slice(i, i + 2), 16));
  return bytes;
}

function decodeIpv4(hex: string): string {
  return wordBytes(hex).join('.');
}

function decodeIpv6(hex: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < 32; i += 8) bytes.push(...wordBytes(hex.slice(i, i + 8)));
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}
