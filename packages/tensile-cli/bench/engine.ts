/**
 * Child process of the harness: runs the requested workloads on one engine and prints one JSON
 * line per workload (a Result, or a Skip with the reason). A fresh process per engine keeps
 * runtimes independent (tiny_add in particular is measured on a fresh heap).
 *
 * Usage: node build/bench/engine.js <engine> <threads> <workload,...>
 */
import { measure, median } from './protocol.js';
import { slowEngineProtocol, WORKLOADS, type Engine, type Result, type Skip } from './workloads.js';

const [engineName = '', threadsArg = '1', list = ''] = process.argv.slice(2);
const threads = Number(threadsArg);
const wanted = new Set(list.split(','));

async function load(name: string): Promise<Engine> {
  if (name.startsWith('tensile-')) {
    const { tensileEngine } = await import('./engines/tensile.js');
    return tensileEngine(name === 'tensile-reference' ? 'reference' : name === 'tensile-native' ? 'native' : 'wasm');
  }
  const { tfjsEngine } = await import('./engines/tfjs.js');
  return tfjsEngine(name === 'tfjs-wasm' ? 'wasm' : 'cpu');
}

const slow = engineName === 'tfjs-cpu' || engineName === 'tensile-reference';
const engine = await load(engineName);
for (const workload of WORKLOADS) {
  if (!wanted.has(workload.id)) continue;
  const call = await engine.prepare(workload.id);
  if (typeof call === 'string') {
    const skip: Skip = { workload: workload.id, engine: engineName, threads, skipped: call };
    console.log(JSON.stringify(skip));
    continue;
  }
  const samples = (await measure(call, slow ? slowEngineProtocol(workload) : workload.protocol)).map((ms) => workload.value(ms));
  const result: Result = {
    workload: workload.id, engine: engineName, threads,
    median: median(samples), min: Math.min(...samples), max: Math.max(...samples), unit: workload.unit,
  };
  console.log(JSON.stringify(result));
}
// Worker threads and TF.js timers must not keep the process alive.
process.exit(0);
