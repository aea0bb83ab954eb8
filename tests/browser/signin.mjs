// signin.mjs - people signing in to planwatch-http, in a real browser:
// playwright-core driving Debian's chromium against the services that
// browser_signin (browser_signin.c) started on loopback. The users and
// their passwords come from the environment, made by that program for
// this run. Sign in (the form is Japanese first), see your name, a form
// posted without its CSRF token is refused, sign out and be sent to the
// form again, a viewer sees no action. Screenshots go to PW_SHOTS.
// Exit 0 when every step passed; one line per step on stdout.
import { check, finish, launch, shot, thrown } from './steps.mjs';
import path from 'node:path';

const base = process.env.PW_URL;
const shots = process.env.PW_SHOTS;
const member = { name: process.env.PW_MEMBER, pw: process.env.PW_MEMBER_PASSWORD };
const viewer = { name: process.env.PW_VIEWER, pw: process.env.PW_VIEWER_PASSWORD };
if (!base || !shots || !member.name || !viewer.name) {
  console.error('signin.mjs: run by browser_signin (PW_URL, PW_SHOTS, PW_MEMBER, PW_VIEWER, ...)');
  process.exit(2);
}

const browser = await launch();

async function signIn(page, who) {
  await page.goto(base + '/');
  // --read-auth: a browser without a session lands on the form
  check(new URL(page.url()).pathname === '/signin', `${who.name}: / sends a browser to /signin`);
  await page.fill('input[name=name]', who.name);
  await page.fill('input[name=password]', who.pw);
  await Promise.all([page.waitForURL(u => new URL(u).pathname === '/'),
                     page.click('#signin button[type=submit]')]);
}

try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();

  // the form, Japanese first
  await page.goto(base + '/signin');
  check((await page.textContent('h1')).includes('サインイン'), 'the sign-in form is Japanese first');
  await page.fill('input[name=name]', member.name);
  await page.fill('input[name=password]', 'not-the-password');
  const [bad] = await Promise.all([page.waitForNavigation(), page.click('#signin button[type=submit]')]);
  check(bad.status() === 401 && await page.isVisible('#signin-error'),
        'a wrong password: 401 and the form again with why');
  await shot(page, 'signin-wrong-password.png');

  // sign in: the name in the header, the cookie HttpOnly and SameSite=Strict
  await signIn(page, member);
  const user = await page.textContent('form.session .user');
  check(user === member.name, `signed in: the header shows ${member.name}`);
  const cookie = (await ctx.cookies()).find(c => c.name === 'pw_session');
  check(cookie && cookie.httpOnly && cookie.sameSite === 'Strict',
        'the session cookie is HttpOnly and SameSite=Strict');
  check(await page.evaluate(() => !document.cookie.includes('pw_session')),
        'scripts in the page cannot read the session cookie');
  await shot(page, 'dashboard-member.png');
  await page.screenshot({ path: path.join(shots, 'dashboard-member-top.png') });

  // a form posted without its CSRF token is refused, the session stays
  await page.evaluate(() => document.querySelector('form.session input[name=csrf]').remove());
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('form.session button')]);
  check(refused.status() === 403, 'sign-out posted without its CSRF token: 403');
  await shot(page, 'csrf-refused.png');
  await page.goto(base + '/');
  check(await page.isVisible('form.session .user'), 'still signed in after the refused form');

  // sign out: back to the form, and the dashboard needs signing in again
  await Promise.all([page.waitForURL(u => new URL(u).pathname === '/signin'),
                     page.click('form.session button')]);
  check(!(await ctx.cookies()).some(c => c.name === 'pw_session'), 'signed out: the cookie is gone');
  await page.goto(base + '/');
  check(new URL(page.url()).pathname === '/signin', 'signed out: / sends the browser to /signin again');
  await shot(page, 'signed-out.png');

  // a viewer reads and sees no action: no form that posts, but signing out
  const vctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const vpage = await vctx.newPage();
  await signIn(vpage, viewer);
  check(await vpage.textContent('form.session .user') === viewer.name,
        `signed in: the header shows ${viewer.name}`);
  const actions = await vpage.$$eval('form[method=post], form[method=POST], [data-action]',
    els => els.filter(e => !e.classList.contains('session')).length);
  check(actions === 0, 'a viewer sees no action (no form posts but sign-out)');
  check(await vpage.isVisible('section.plan'), 'a viewer sees the dashboard');
  await shot(vpage, 'dashboard-viewer.png');

  // English on request
  await vpage.goto(base + '/signin?lang=en');
  check((await vpage.textContent('h1')).startsWith('Sign in'), 'the form in English with lang=en');
} catch (e) {
  thrown(e);
} finally {
  await browser.close();
}
finish();
