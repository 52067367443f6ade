import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { CoworkerError, corruptHistoryError, isCorruptDatabase, noteHistoryFile } from '../errors.js';

export type Db = Database.Database;

/**
 * The native binding, loaded with the first history access rather than with the program (the MCP
 * handshake, `--help`); a plain require, since callers need the history synchronously.
 */
function sqlite(): typeof Database {
  return createRequire(import.meta.url)('better-sqlite3') as typeof Database;
}

// Schema changes are append-only: migration N brings user_version from N-1 to N.
const migrations: string[] = [
  `CREATE TABLE jobs (
     id TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     status TEXT NOT NULL,
     phase TEXT,
     verdict TEXT,
     summary TEXT,
     target_input TEXT NOT NULL,
     target_kind TEXT NOT NULL,
     repo TEXT,
     pr_url TEXT,
     pr_number INTEGER,
     head_ref TEXT,
     head_sha TEXT,
     base_ref TEXT,
     base_sha TEXT,
     error_code TEXT,
     error_message TEXT,
     error_hint TEXT,
     artifact_dir TEXT NOT NULL,
     worktree_dir TEXT,
     mirror_dir TEXT,
     temp_dir TEXT,
     owner_pid INTEGER,
     app_pgid INTEGER,
     timings_json TEXT,
     usage_json TEXT,
     request_json TEXT NOT NULL,
     report_json TEXT,
     dedupe_key TEXT
   );
   CREATE INDEX jobs_created ON jobs (created_at DESC);
   CREATE INDEX jobs_status ON jobs (status);
   CREATE INDEX jobs_dedupe ON jobs (dedupe_key, status);`,
];

export function openDatabase(file: string): Db {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  noteHistoryFile(file);
  let db: Db | undefined;
  try {
    db = new (sqlite())(file);
    // Two processes (a second MCP server, a CLI run) may share the file: wait for locks, don't fail.
    // Set before anything touches the file: two processes creating a fresh history at once take turns
    // switching it to WAL, and a statement run without a busy timeout fails at once ("database is locked").
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // A damaged page only shows when a query reads it: find it now, before a job depends on the file.
    const check = db.pragma('quick_check(1)', { simple: true });
    if (check !== 'ok') throw corruptHistoryError(file, String(check).split('\n').at(-1) ?? '');
    migrate(db, file);
    return db;
  } catch (err) {
    db?.close();
    if (isCorruptDatabase(err)) throw corruptHistoryError(file, (err as Error).message);
    throw err;
  }
}

function migrate(db: Db, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    db.close();
    throw new CoworkerError(
      'INVALID_CONFIG',
      `The job history at ${file} was written by a newer myfav-coworker (schema ${current}, this one knows ${migrations.length}).`,
      'Update myfav-coworker (npx -y myfav-coworker@latest), or set MYFAV_COWORKER_HOME to use another folder.',
    );
  }
  for (let version = current; version < migrations.length; version++) {
    // IMMEDIATE: two processes starting together must not both apply the same migration.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now !== version) return;
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

export type MoveAsideResult = { moved: true; to: string[] } | { moved: false; why: 'missing' | 'healthy' };

/**
 * Rename a damaged history (and its -wal/-shm) to `<file>.corrupt-<time>` so the next start gets an
 * empty one — only on the user's request, and only when it really is damaged.
 */
export function moveCorruptHistory(file: string, now = new Date()): MoveAsideResult {
  if (!existsSync(file)) return { moved: false, why: 'missing' };
  let db: Db | undefined;
  try {
    db = new (sqlite())(file, { fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    if (db.pragma('quick_check(1)', { simple: true }) === 'ok') return { moved: false, why: 'healthy' };
  } catch (err) {
    if (!isCorruptDatabase(err)) throw err;
  } finally {
    db?.close();
  }
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const to: string[] = [];
  for (const suffix of ['', '-wal', '-shm']) {
    if (!existsSync(file + suffix)) continue;
    const target = `${file}.corrupt-${stamp}${suffix}`;
    renameSync(file + suffix, target);
    to.push(target);
  }
  return { moved: true, to };
}
