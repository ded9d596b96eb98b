/*
 * security_input.test.mjs — text that would show otherwise than it reads.
 * Bidi embedding, override and isolate characters (U+202A..U+202E,
 * U+2066..U+2069) reorder what follows them on screen and in letters: a
 * name holding one is refused 422 invalid_value naming the field, and
 * nothing is written.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { assertError, assertStatus, co, customerBody, startServer } from './lib/server.mjs';

let fx;
let anna;

before(async () => {
  fx = await startServer();
  anna = await fx.login();
});

after(async () => {
  await fx?.stop();
});

test('a customer name with a bidi override or isolate is refused; a right-to-left name is not', async () => {
  const before = fx.counts();
  for (const ch of ['\u202e', '\u202a', '\u2066', '\u2069']) {
    assertError(await anna.post(`${co(fx.companyId)}/customers`, customerBody({ name: `Kund ${ch}fdp.exe` })), 422, 'invalid_value', 'name');
  }
  assert.deepEqual(fx.counts(), before);
  assertStatus(await anna.post(`${co(fx.companyId)}/customers`, customerBody({ name: 'שלום Kund \u200f' })), 201);
});

test('a company name with a bidi override is refused', async () => {
  assertError(await anna.patch(co(fx.companyId), { name: 'Bolag \u202eBA' }), 422, 'invalid_value', 'name');
});
