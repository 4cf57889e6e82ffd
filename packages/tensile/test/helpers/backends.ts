/**
 * Runs a suite once per registered backend (like tfjs's ALL_ENVS or candle's test_device!), with that
 * backend as the default while its tests run.
 */
import { after, before, describe } from 'node:test';
import { backendNames, getBackend, setBackend } from '../../src/index.js';
import './native-backend.js';
import './single-thread-wasm.js';

export function forEachBackend(title: string, body: (backend: string) => void): void {
  for (const name of backendNames()) {
    describe(`${title} [${name}]`, () => {
      let previous = '';
      before(() => {
        previous = getBackend().name;
        setBackend(name);
      });
      after(() => {
        setBackend(previous);
      });
      // Tensors made while the suite is being defined belong to its backend too.
      const outer = getBackend().name;
      setBackend(name);
      try {
        body(name);
      } finally {
        setBackend(outer);
      }
    });
  }
}
