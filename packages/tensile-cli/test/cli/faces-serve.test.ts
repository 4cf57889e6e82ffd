/**
 * End to end in a real browser: `tensile faces serve` with the face-api embedder on an empty database,
 * driven through the admin page in Debian's Chromium (playwright-core): sign in, enrol two people from
 * LFW photographs, identify another photograph of one of them (allow), identify a stranger (queued),
 * deny the stranger from the review queue. Screenshots go to $TENSILE_SCREENSHOTS when set (the docs'
 * pictures are made with TENSILE_SCREENSHOTS=docs/faces).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { lfwPeople, lfwPerson, lfwPhoto } from '../apps/faces/service/lfw-photos.js';
import { sharedDataRoot } from 'tensile-test-support';
import { tempDir } from 'tensile-test-support';
import { launchChromium } from '../browser/chromium.js';

const PASSWORD = 'browser test password';
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const screenshots = process.env.TENSILE_SCREENSHOTS;
const STEP_MS = 120_000;

async function startService(dbFile: string): Promise<{ child: ChildProcess; url: string }> {
  // Centred photographs, as everywhere without a trained detector (CI): the distances below are face-api's on them.
  const child = spawn(process.execPath, [cli, '--data-root', sharedDataRoot, 'faces', 'serve', '--db', dbFile, '--port', '0', '--detector', 'none'], {
    env: { ...process.env, TENSILE_FACES_PASSWORD: PASSWORD },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  after(() => child.kill('SIGTERM'));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /faces service: (\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`tensile faces serve exited with ${code}: ${output}`)));
  });
  return { child, url };
}

async function shoot(page: Page, name: string): Promise<void> {
  if (screenshots === undefined) return;
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, `service-${name}.png`), fullPage: true });
}

const asFile = async (relative: string): Promise<{ name: string; mimeType: string; buffer: Buffer }> => ({
  name: path.basename(relative),
  mimeType: 'image/jpeg',
  buffer: Buffer.from(await lfwPhoto(relative)),
});

describe('tensile faces serve in a browser', () => {
  it('signs in, enrols two people, allows one, queues a stranger and denies them', { timeout: 15 * 60_000 }, async (t) => {
    const browser = await launchChromium(t);
    if (!browser) return;
    const [alice, bob] = await lfwPeople(2);
    // Far from both (distance 0.58 with face-api, threshold 0.43); some strangers come closer.
    const stranger = await lfwPerson('Serena_Williams');
    const dir = await tempDir('tensile-faces-browser-');
    const { url } = await startService(path.join(dir, 'faces.db'));
    const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    page.setDefaultTimeout(STEP_MS);
    const message = page.locator('#message');

    await page.goto(url);
    await page.locator('#password').fill('wrong password');
    await page.locator('#sign-in-form button[type=submit]').click();
    await assert.doesNotReject(message.filter({ hasText: 'wrong password' }).waitFor());
    await shoot(page, 'sign-in');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#sign-in-form button[type=submit]').click();
    await page.locator('#nav').waitFor();
    const cookies = await page.context().cookies();
    assert.deepEqual(cookies.map((c) => [c.name, c.httpOnly, c.secure, c.sameSite]), [['tensile_faces_session', true, true, 'Strict']]);

    for (const person of [alice!, bob!]) {
      await page.goto(`${url}/#enrol`);
      await page.locator('#enrol-name').fill(person.name.replaceAll('_', ' '));
      await page.locator('#enrol-files').setInputFiles(await Promise.all(person.photos.slice(0, 3).map(asFile)));
      await page.locator('#enrol-previews img').nth(2).waitFor();
      if (person === alice) await shoot(page, 'enrol');
      await page.locator('#enrol-form button[type=submit]').click();
      await message.filter({ hasText: `Enrolled ${person.name.replaceAll('_', ' ')} from 3 photograph(s)` }).waitFor();
    }
    await page.goto(`${url}/#people`);
    await page.locator('#people-list li').nth(1).waitFor();
    assert.equal(await page.locator('#people-list li').count(), 2);
    await shoot(page, 'people');

    await page.goto(`${url}/#identify`);
    await page.locator('#identify-file').setInputFiles(await asFile(alice!.photos[5]!));
    await page.locator('#identify-form button[type=submit]').click();
    const allowed = page.locator('#identify-results li').first();
    await allowed.waitFor();
    assert.equal(await allowed.getAttribute('data-outcome'), 'allow');
    assert.match((await allowed.textContent())!, new RegExp(`Best match: ${alice!.name.replaceAll('_', ' ')} \\(distance 0\\.\\d{3}\\)`));
    await shoot(page, 'identify-allow');

    await page.locator('#identify-file').setInputFiles(await asFile(stranger.photos[0]!));
    await page.locator('#identify-form button[type=submit]').click();
    const queued = page.locator('#identify-results li[data-outcome=review]');
    await queued.waitFor();
    assert.match((await queued.textContent())!, /queued for review.*not recognised/);
    const strangerId = await queued.getAttribute('data-decision');

    await page.goto(`${url}/#review`);
    const card = page.locator(`#review-list li[data-decision="${strangerId}"]`);
    await card.waitFor();
    assert.equal(await page.locator('#review-count').textContent(), '1');
    await shoot(page, 'review');
    await card.getByRole('button', { name: 'Deny' }).click();
    await message.filter({ hasText: `Decision ${strangerId}: deny` }).waitFor();
    await page.locator('#review-empty').waitFor({ state: 'visible' });

    await page.goto(`${url}/#decisions`);
    await page.locator(`#decision-list li[data-decision="${strangerId}"][data-outcome=deny]`).waitFor();
    assert.deepEqual(await page.locator('#decision-list li').evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset['outcome'])), ['deny', 'allow']);
    await shoot(page, 'decisions');
    await page.goto(`${url}/#settings`);
    await page.locator('#settings-embedder').filter({ hasText: 'face-api' }).waitFor();
    // By default the allow distance follows the gallery: 6 enrolled embeddings → face-api's step for up to 10.
    assert.equal(await page.locator('#allow-by-size').isChecked(), true);
    assert.equal(await page.locator('#allow-distance').inputValue(), '0.3848');
    await shoot(page, 'settings');
  });
});
