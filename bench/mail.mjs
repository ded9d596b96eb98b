/*
 * mail.mjs — e-mail of reminders: the rate at which `paminn serve` sends
 * queued reminder e-mails to a local SMTP sink, against the rate the same
 * sink accepts from a direct load, in one run.
 *
 *   node bench/mail.mjs [N=2000] [ROUNDS=3]
 *
 * The sink is tests/lib/smtp_sink.py (aiosmtpd, writes every message to a
 * file).  Direct load: bench/smtp_load.py sends N copies of one of the
 * product's own messages over one connection.  Product: N overdue invoices
 * (made once over HTTP), then per round `paminn remind --email` queues N
 * reminder e-mails (the server stopped), and `paminn serve --smtp-url`
 * delivers them; its rate is (N - 1) / (last - first) of the messages'
 * arrival times at the sink (file mtimes), so the server's start is not
 * counted.  Each round runs the direct load first, then the product.
 * Prints min and median of both and the ratio; results in
 * docs/benchmarks.md.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { co, createCustomer, startServer, waitFor } from '../tests/api/lib/server.mjs';
import { PYTHON, startSink } from '../tests/lib/smtp.mjs';

const N = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);

function arrivals(dir, skip) {
  return readdirSync(dir).filter((f) => f.endsWith('.eml')).sort().slice(skip)
    .map((f) => statSync(path.join(dir, f)).mtimeMs).sort((a, b) => a - b);
}
const rate = (times) => (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const sink = await startSink();
const mailDir = path.join(sink.dir, 'mail');
const fx = await startServer({ now: '2025-09-30' });
const anna = await fx.login();
const C = co(fx.companyId);
await anna.patch(C, { bankgiro: '991-2346', email: 'faktura@example.se', name: 'Bänkbolaget AB' });
const customers = [];
for (let i = 0; i < 20; i++) customers.push(await createCustomer(anna, fx.companyId, { name: `Kund ${i}`, email: `kund${i}@example.se` }));
const ids = [];
for (let i = 0; i < N; i += 8) {
  const made = await Promise.all(Array.from({ length: Math.min(8, N - i) }, (_, k) => anna.post(`${C}/invoices`, {
    customer_id: customers[(i + k) % 20].id, invoice_date: '2025-03-01', due_date: '2025-03-31',
    lines: [{ description: 'Arbete', quantity_milli: 1000, unit_price_minor: 100000 + i + k, vat_rate_bp: 2500, labour: false }],
  })));
  for (const r of made) ids.push(r.body.id);
}
fx.child.kill('SIGTERM');
await fx.exited;
const direct = [];
const product = [];
let sample = null;
for (let round = 0; round < ROUNDS; round++) {
  if (sample) {
    const before = sink.count();
    const out = execFileSync(PYTHON, [path.resolve('bench/smtp_load.py'), '127.0.0.1', String(sink.port), String(N), sample], { encoding: 'utf8' });
    const t = arrivals(mailDir, before);
    direct.push(rate(t));
    process.stderr.write(`direct: ${out.trim()}; at the sink ${N} in ${((t[t.length - 1] - t[0]) / 1000).toFixed(3)} s (${rate(t).toFixed(0)}/s)\n`);
  }
  fx.cli(['--data-dir', 'data', 'remind', '--company', String(fx.companyId), '--email', ...ids.map(String)]);
  const before = sink.count();
  fx.exit = null;
  fx.opts.serveArgs = ['--smtp-url', sink.url, '--smtp-from', 'paminnelser@example.se'];
  await fx.start();
  await waitFor(() => sink.count() >= before + N, 600000, 'the queue sent');
  fx.child.kill('SIGTERM');
  await fx.exited;
  const t = arrivals(mailDir, before);
  product.push(rate(t));
  process.stderr.write(`product: at the sink ${N} in ${((t[t.length - 1] - t[0]) / 1000).toFixed(3)} s (${rate(t).toFixed(0)}/s)\n`);
  if (!sample) {
    sample = path.join(mailDir, readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort()[before]);
    process.stderr.write(`sample message: ${statSync(sample).size} bytes\n`);
    round--; /* the first product round only made the sample: measured again below */
    product.pop();
  }
}
const f = (x) => x.toFixed(0);
console.log(`direct load: min ${f(Math.min(...direct))}/s, median ${f(median(direct))}/s (${ROUNDS} rounds of ${N})`);
console.log(`paminn serve: min ${f(Math.min(...product))}/s, median ${f(median(product))}/s (${ROUNDS} rounds of ${N})`);
console.log(`ratio of medians: ${(100 * median(product) / median(direct)).toFixed(0)} %`);
fx.kill();
await sink.stop();
