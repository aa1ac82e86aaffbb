#!/usr/bin/env node
// A copy of the shared contract check (../shared/contract-check.mjs beside the checkout), kept
// here so the contract test needs nothing outside the repository; the shapes are docs/CONTRACT.md.
// Checks a running Faultline against docs/CONTRACT.md: the ingest answers and the incident shape.
// It posts one small, clear outage (a broker behind 12 instances fails) and reads the incidents back.
// It says nothing about accuracy beyond that one case; the project's own benchmark does that.
//
//   node test/contract/contract-check.mjs --base http://127.0.0.1:3000 --token "$FAULTLINE_ADMIN_TOKEN"
const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const base = args.base ?? 'http://127.0.0.1:3000';
const token = args.token ?? process.env.FAULTLINE_ADMIN_TOKEN;
const problems = [];
const need = (cond, what) => { if (!cond) problems.push(what); };
const call = async (method, path, body) => {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json; try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
};

const run = `cc${Date.now().toString(36)}`;
const broker = `amqp://${run}-rabbit:5672`;
const t0 = Date.now() - 30 * 60_000;
const iso = (ms) => new Date(ms).toISOString();
const reports = [];
for (let tick = 0; tick < 40; tick++) {
  for (let i = 0; i < 12; i++) {
    const failing = tick >= 12 && tick < 30;
    reports.push({ service: `${run}-svc${i % 4}`, instance: `${run}-svc${i % 4}-${i}`, host: `${run}-host${i}`, labels: { zone: 'z1' },
      observedAt: iso(t0 + tick * 10_000 + i * 50),
      checks: [{ name: 'rabbitmq', target: `amqp://user:pw@${run}-rabbit/vhost`, status: failing ? 'fail' : 'pass', latencyMs: failing ? 5000 : 3 },
               { name: 'database', target: `postgres://${run}-db:5432/app`, status: 'pass', latencyMs: 2 }] });
  }
}

const bad = await call('POST', '/api/v1/reports', { checks: [{ name: 'x', status: 'nope' }] });
need(bad.status === 400, `a report without service answered ${bad.status}, want 400`);
need(/service/i.test(bad.text), '400 body should name the missing field "service"');
const unauth = await fetch(base + '/api/v1/incidents').then((r) => r.status);
need(unauth === 401, `GET /api/v1/incidents without a token answered ${unauth}, want 401`);

for (let i = 0; i < reports.length; i += 120) {
  const r = await call('POST', '/api/v1/reports', reports.slice(i, i + 120));
  need(r.status === 202 && r.json?.accepted === Math.min(120, reports.length - i), `batch at ${i}: ${r.status} ${r.text.slice(0, 120)}`);
}

let mine = [];
for (let waited = 0; waited < 30_000; waited += 1000) {
  const r = await call('GET', '/api/v1/incidents?status=all');
  need(r.status === 200, `GET /api/v1/incidents?status=all answered ${r.status}`);
  const items = r.json?.items;
  if (!Array.isArray(items)) { problems.push('incidents body has no "items" array'); break; }
  mine = items.filter((it) => (it?.affected?.services ?? []).some((s) => String(s).startsWith(run)));
  if (mine.some((it) => it.status === 'resolved')) break;
  await new Promise((res) => setTimeout(res, 1000));
}
need(mine.length >= 1, 'no incident lists the outage\'s services in affected.services');
for (const it of mine) {
  need(typeof it.id === 'string' || typeof it.id === 'number', 'incident.id missing');
  need(['open', 'resolved'].includes(it.status), `incident.status "${it.status}" is not open|resolved`);
  need(!Number.isNaN(Date.parse(it.openedAt)), 'incident.openedAt is not RFC 3339');
  need(it.resolvedAt === null || it.resolvedAt === undefined || !Number.isNaN(Date.parse(it.resolvedAt)), 'incident.resolvedAt is neither null nor RFC 3339');
  need(Array.isArray(it.rootCauses) && it.rootCauses.length > 0, 'incident.rootCauses is not a non-empty array');
  for (const c of it.rootCauses ?? []) {
    need(/^(backend|host|service|instance|zone|collector):/.test(c.key), `rootCauses key "${c.key}" has no known kind prefix`);
    need(typeof c.confidence === 'number' && c.confidence >= 0 && c.confidence <= 1, `confidence ${c.confidence} not in [0,1]`);
    need(typeof c.summary === 'string' && c.summary.length > 0, 'rootCauses summary missing');
  }
  need(Array.isArray(it.affected?.services) && typeof it.affected?.instances === 'number', 'affected.services / affected.instances missing');
}
const top = mine.map((it) => it.rootCauses?.[0]?.key);
need(top.includes(`backend:${broker}`), `no incident has backend:${broker} on top (tops: ${top.join(', ') || 'none'})`);
need(mine.filter((it) => it.rootCauses?.[0]?.key === `backend:${broker}`).length === 1, 'the outage was split into several incidents');
need(mine.some((it) => it.status === 'resolved'), 'the outage recovered (event time) but its incident is not resolved');

if (problems.length) { for (const p of problems) console.log('✘', p); console.log(`contract check: ${problems.length} problems`); process.exit(1); }
console.log(`contract check: ok (${mine.length} incident, top cause backend:${broker})`);
