/**
 * Child process for the kill-mid-save test: saves a large model to the given path over and over,
 * printing "saving" before the first save, until it is killed. Without a path (when a test runner
 * picks this file up) it does nothing.
 */
import { Dense, manualSeed, Sequential } from '../../src/index.js';
import { saveModel } from '../../src/saving/index.node.js';

const target = process.argv[2];
if (target) {
  manualSeed(2);
  const model = new Sequential([new Dense({ units: 1024, inputShape: [4096] })]);
  process.stdout.write('saving\n');
  for (;;) await saveModel(model, target);
}
