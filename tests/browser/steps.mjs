// steps.mjs - what signin.mjs and flows.mjs share: one "ok / not ok" line
// per step, Debian's chromium launched the way a sandbox without network
// needs (README "Tests"), screenshots into PW_SHOTS, and the closing tally
// ("# every step passed", which the C program looks for) with the exit code.
import { chromium } from 'playwright-core';
import path from 'node:path';

let failed = 0;

// Prints the step's line; a step that did not pass makes the script fail.
export function check(ok, what) {
  console.log(`${ok ? 'ok' : 'not ok'} - ${what}`);
  if (!ok) failed++;
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.PW_CHROMIUM || '/usr/bin/chromium',
    // as root in a sandbox without network (README "Tests")
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
           '--no-first-run', '--disable-background-networking', '--disable-component-update',
           '--disable-sync'],
  });
}

// A full-page screenshot PW_SHOTS/name.
export const shot = (page, name) =>
  page.screenshot({ path: path.join(process.env.PW_SHOTS, name), fullPage: true });

// An exception that ended the steps: one failed step with its first line.
export function thrown(e) {
  check(false, e.message.split('\n')[0]);
}

// The tally, then exit: 0 when every step passed.
export function finish() {
  console.log(failed ? `# ${failed} failed` : '# every step passed');
  process.exit(failed ? 1 : 0);
}
