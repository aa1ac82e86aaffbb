#!/usr/bin/env node
// `npm start`: one api, one worker and one correlator on this machine. First a preflight (the
// worker's entry with --preflight) creates the database if missing, applies the migrations and
// checks that Redis answers, so a Postgres or Redis out of reach is said once; then the api,
// the worker and the correlator start (MIGRATE_ON_START=false: the preflight did it). The
// correlator runs the engine, so the worker gets CORRELATION_ENABLED=false and its core goes to
// ingest; CORRELATION_ENABLED=false from the user means no correlator either. A child that
// cannot start says why in one line (over IPC, beside its log): this script stops the others
// and exits with that line. A signal is passed to all (each drains); if one exits, the others
// are stopped too.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const roles = {
  api: 'dist/apps/api/src/main.js',
  worker: 'dist/apps/worker/src/main.js',
  correlator: 'dist/apps/correlator/src/main.js',
};
const say = (line) => process.stderr.write(`faultline: ${line}\n`);

if (!process.env.FAULTLINE_ADMIN_TOKEN)
  say(
    'FAULTLINE_ADMIN_TOKEN is not set: the API accepts only tokens created earlier through ' +
      'POST /api/v1/tokens (which itself needs an admin token), so on a new install every ' +
      '/api/v1 call answers 401. Set it to a secret of 16+ characters, e.g. ' +
      'FAULTLINE_ADMIN_TOKEN=$(openssl rand -hex 32) npm start',
  );

/** Starts a role; `failure` holds the line it sent if it could not start. */
function run(role, args, env) {
  const child = spawn(process.execPath, [roles[role === 'preflight' ? 'worker' : role], ...args], {
    cwd: root,
    env,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  const started = { role, child, failure: null };
  child.on('message', (m) => {
    if (m?.faultline === 'startup-failed') started.failure = m.message;
  });
  started.exited = new Promise((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  return started;
}

let children = [];
let stopping = false;
function stop(signal, exitCode = 0, lastWords = null) {
  stopping = true;
  for (const { child } of children) if (child.exitCode === null) child.kill(signal);
  Promise.all(children.map((c) => c.exited)).then(() => {
    if (lastWords) say(lastWords);
    process.exit(exitCode);
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop(signal));

const preflight = run('preflight', ['--preflight'], process.env);
children = [preflight];
const checked = await preflight.exited;
if (stopping) await new Promise(() => undefined); // a signal came first: stop() exits
if (checked.code !== 0) {
  say(
    preflight.failure
      ? `could not start: ${preflight.failure}`
      : `the preflight (migrations, Redis check) exited (${checked.signal ?? checked.code})`,
  );
  process.exit(checked.code || 1);
}

const env = { ...process.env, MIGRATE_ON_START: 'false' };
// The preflight validated the setting, so it is one of the values the config accepts.
const correlating = !['false', '0', 'no'].includes(process.env.CORRELATION_ENABLED ?? 'true');
children = [
  run('api', [], env),
  run('worker', [], { ...env, CORRELATION_ENABLED: 'false' }),
  ...(correlating ? [run('correlator', [], env)] : []),
];
for (const started of children) {
  started.exited.then(({ code, signal }) => {
    if (stopping) return;
    const others = children.filter((c) => c !== started).map((c) => c.role);
    const why = started.failure
      ? `the ${started.role} could not start: ${started.failure}`
      : `the ${started.role} exited (${signal ?? code})`;
    const named =
      others.length > 1 ? `${others.slice(0, -1).join(', ')} and ${others.at(-1)}` : others[0];
    stop('SIGTERM', code || 1, `${why}; stopped the ${named}`);
  });
}
