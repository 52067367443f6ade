// One OS-keychain operation in a process of its own. A keychain can hang (a locked Secret Service
// waiting for an unlock prompt, a D-Bus that never answers) inside native code, where no timeout can
// reach it: run here, the parent simply kills this process. The request (with a token to store) comes
// on stdin, never in argv (command lines are readable by every user in /proc); the answer goes to stdout.
//
// Erasable TypeScript only: Node runs this file directly in tests (type stripping), tsc builds it for dist/.

import { AsyncEntry, findCredentialsAsync } from '@napi-rs/keyring';

interface Request {
  op: 'get' | 'set' | 'delete';
  service: string;
  account?: string;
  password?: string;
}

// On Linux, pin the Secret Service: keyring's default falls back to the kernel keyring, which forgets
// everything at logout. Without a Secret Service we would rather use our own file, and say so.
const options = process.platform === 'linux' ? { linux: { store: 'secret-service' as const } } : undefined;

async function run(req: Request): Promise<unknown> {
  if (req.op === 'get') {
    // A set-and-read round trip through the pinned store first, so a missing Secret Service is an error
    // here too (the search below may quietly look elsewhere).
    const found = await findCredentialsAsync(req.service);
    const first = found[0];
    if (!first) {
      await new AsyncEntry(req.service, 'probe', options).getPassword();
      return null;
    }
    return { account: first.account, password: first.password };
  }
  if (req.op === 'set') {
    for (const other of await findCredentialsAsync(req.service).catch(() => [])) {
      if (other.account !== req.account)
        await new AsyncEntry(req.service, other.account, options).deleteCredential();
    }
    await new AsyncEntry(req.service, req.account ?? '', options).setPassword(req.password ?? '');
    return true;
  }
  let removed = 0;
  for (const cred of await findCredentialsAsync(req.service)) {
    if (await new AsyncEntry(req.service, cred.account, options).deleteCredential()) removed++;
  }
  return removed;
}

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
try {
  const result = await run(JSON.parse(input) as Request);
  process.stdout.write(JSON.stringify({ ok: true, result }));
} catch (err) {
  process.stdout.write(
    JSON.stringify({ ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
}
