// State survives a restart with the same --db: cases, clock, tokens, the once-only key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, call, onboarded, register, debt, getCase, advance } from './helper.mjs';

test('a restart with the same --db keeps cases, clock and tokens; SIGTERM exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'amili-sandbox-restart-'));
  try {
    let sb = await startSandbox({ now: '2025-04-10', dir });
    const o = await onboarded(sb);
    const d = debt();
    const r = await register(sb, o, [d]);
    assert.equal(r.status, 201);
    await advance(sb, 12);
    const before = await getCase(sb, o, r.body._cases[0]);
    assert.equal(before.state, 'debt_collection');
    assert.deepEqual(await sb.stop({ keep: true }), { code: 0, signal: null });

    // --now is only the initial clock: the stored clock wins.
    sb = await startSandbox({ now: '2030-01-01', dir });
    const clock = await call(sb.url, 'GET', '/_sandbox/clock');
    assert.equal(clock.body.today, '2025-04-22');
    const after = await getCase(sb, o, r.body._cases[0]);
    assert.equal(after.state, 'debt_collection');
    assert.equal(after._etag, before._etag);
    assert.equal(after.local_added_costs_amount, 240);
    assert.equal((await register(sb, o, [d])).status, 409, 'once per invoice across restarts');
    assert.equal((await call(sb.url, 'GET', '/_sandbox/counters')).body.cases, 1);
    assert.equal((await sb.stop({ keep: true })).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
