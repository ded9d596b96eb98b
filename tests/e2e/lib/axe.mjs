/*
 * axe.mjs — an accessibility check of the page as it is now, with axe-core
 * (from npm, a devDependency of the browser tests): fails on any violation
 * axe rates serious or critical, naming the rule and the elements.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/* Run axe on the whole document; `what` names the view in the failure. */
export async function assertAccessible(page, what) {
  /* Evaluated through the DevTools protocol, so a Content-Security-Policy without inline scripts does not stop it. */
  await page.evaluate(`${AXE_SOURCE}\n;undefined`);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(found, [], `accessibility of ${what}:\n${found.join('\n')}`);
}
