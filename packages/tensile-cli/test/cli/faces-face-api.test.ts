/** End-to-end: `tensile faces landmarks` and `tensile faces calibrate-face-api` on LFW identity-training photos. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { datasets } from 'tensile/node';
import { sharedDataRoot } from 'tensile-test-support';
import { tempDir } from 'tensile-test-support';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

async function tensile(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [cli, '--data-root', sharedDataRoot, ...args], { maxBuffer: 1 << 24 });
}

describe('tensile faces (face-api)', () => {
  it('landmarks prints 68 points per photo inside it, and names a file it cannot read', async () => {
    const dir = await tempDir('tensile-faces-');
    const lfw = await datasets.lfw({ root: sharedDataRoot });
    const photo = path.join(dir, 'face.jpg');
    await writeFile(photo, lfw.images.get(lfw.identity.files[0]!.path)!);
    const { stdout } = await tensile('--json', 'faces', 'landmarks', photo);
    const [result] = JSON.parse(stdout) as { file: string; landmarks: [number, number][] }[];
    assert.equal(result!.file, photo);
    assert.equal(result!.landmarks.length, 68);
    for (const [x, y] of result!.landmarks) assert.ok(x > 0 && y > 0 && x < 250 && y < 250);
    const broken = path.join(dir, 'broken.jpg');
    await writeFile(broken, new Uint8Array([0xff, 0xd8, 0xff, 0x00]));
    await assert.rejects(tensile('faces', 'landmarks', broken), (e: { stderr: string }) => e.stderr.includes('broken.jpg'));
  });

  it('calibrate-face-api picks a threshold between the mean same-person and different-person distances', async () => {
    const { stdout } = await tensile('--json', 'faces', 'calibrate-face-api', '--people', '3');
    const result = JSON.parse(stdout) as { threshold: number; photos: number; samePairs: number; differentPairs: number; meanSameDistance: number; meanDifferentDistance: number; balancedAccuracy: number };
    assert.equal(result.photos, 30);
    assert.equal(result.samePairs, 3 * 45);
    assert.equal(result.differentPairs, 435 - 135);
    assert.ok(result.meanSameDistance < result.threshold && result.threshold < result.meanDifferentDistance);
    assert.ok(result.balancedAccuracy > 0.9);
  });
});
