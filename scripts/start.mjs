#!/usr/bin/env node
// `npm start`: one api and one worker on this machine. Both run pending migrations at start
// under a Postgres advisory lock, so whichever comes first migrates and the other waits.
// A signal is passed to both (each drains); if either exits, the other is stopped too.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roles = { api: 'dist/apps/api/src/main.js', worker: 'dist/apps/worker/src/main.js' };
const children = Object.entries(roles).map(([role, entry]) => {
  const child = spawn(process.execPath, [entry], { cwd: root, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`faultline ${role} exited (${signal ?? code}); stopping`);
    stop('SIGTERM', code ?? 1);
  });
  return child;
});

let stopping = false;
function stop(signal, exitCode = 0) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill(signal);
  Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.on('exit', r)) : null)),
  ).then(() => process.exit(exitCode));
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));
