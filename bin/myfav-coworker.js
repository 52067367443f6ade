#!/usr/bin/env node
// Thin shim: all logic lives in dist/ (built by `npm run build`).
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `myfav-coworker needs Node.js 22 or newer; this is ${process.version}.\n` +
      'Install a current Node.js (24 LTS recommended) from https://nodejs.org and try again.\n',
  );
  process.exit(2);
}
await import('../dist/cli/main.js');
