/**
 * `npm run bench`: the workloads of WORKLOADS.md (beside this file) on Tensile (each backend — native too when @tensile/backend-native is built — 1 and 2
 * threads; the relaxed-SIMD build too) and, in the same run, on TensorFlow.js (cpu, wasm) and on
 * PyTorch when a python3 with torch is found; face_detect's peer is OpenCV's Haar cascade when a
 * python3 with cv2 and the opencv-data cascades is found. Each engine runs in its own child process, pinned
 * with taskset when available (1 thread → CPU 0, 2 threads → CPUs 0,1; TF.js computes on one
 * thread and is pinned to one CPU).
 *
 * Options: --json (one array of {workload, engine, threads, median, min, max, unit}), --json-file
 * path (the table, and that array written to path),
 * --workloads a,b  --engines a,b  --quick (sgemm 256/1024, conv, tiny_add; no tfjs-cpu / reference),
 * --slow (also TF.js cpu MNIST training: ~27 s per step).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { faceBenchPhoto } from './face-frame.js';
import { eagerWorkload, WORKLOADS, type Result, type Skip, type WorkloadId } from './workloads.js';

/**
 * A fair peer: these variables, when the machine sets them, pin OpenBLAS to an older kernel
 * (sgemm 1024 measured at 54–166 GFLOP/s against 242 without them), so the PyTorch child runs without them.
 */
const OPENBLAS_KERNEL_OVERRIDES = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/**
 * The PyTorch child's OpenBLAS settings. TENSILE_BENCH_OPENBLAS_CORETYPE names the kernel for a CPU
 * OpenBLAS does not recognise (a Sapphire Rapids guest reporting a generic model fell back to its
 * SSE3 "Prescott" kernel: sgemm 1024 at 28 against 78 GFLOP/s with Cooperlake in one loaded run).
 */
function torchBlasEnv(): Pick<EngineRun, 'env' | 'unsetEnv'> {
  const coreType = process.env.TENSILE_BENCH_OPENBLAS_CORETYPE;
  if (coreType === undefined || coreType === '') return { unsetEnv: OPENBLAS_KERNEL_OVERRIDES };
  return { env: { OPENBLAS_CORETYPE: coreType }, unsetEnv: OPENBLAS_KERNEL_OVERRIDES.filter((name) => name !== 'OPENBLAS_CORETYPE') };
}

interface EngineRun {
  readonly engine: string;
  readonly threads: number;
  readonly command: string;
  readonly args: string[];
  readonly env?: Record<string, string>;
  /** Variables removed from the child's environment. */
  readonly unsetEnv?: readonly string[];
  /** Workloads this engine leaves out of a default run. */
  readonly exclude?: readonly WorkloadId[];
  /** Arguments after the workload list. */
  readonly trailingArgs?: readonly string[];
}

const argv = process.argv.slice(2);
const USAGE = `Usage: tensile bench [--quick] [--slow] [--json] [--json-file PATH] [--workloads a,b] [--engines a,b]

Runs the WORKLOADS.md benchmarks on Tensile and, in the same run, on TensorFlow.js and PyTorch.
  --quick            sgemm 256/1024, conv1, conv2, tiny_add; no tfjs-cpu or reference backend
  --slow             also TF.js cpu MNIST training (~27 s per step)
  --json             print one JSON array of results instead of the tables
  --json-file PATH   print the tables and write the JSON array to PATH
  --workloads a,b    only these workloads (${WORKLOADS.map((w) => w.id).join(', ')})
  --engines a,b      only these engines (tensile-wasm, tensile-wasm-relaxed, tensile-native, tensile-reference, tfjs-wasm, tfjs-cpu, torch, opencv-haar)`;
const FLAGS = ['--quick', '--slow', '--json'];
const VALUED = ['--json-file', '--workloads', '--engines'];
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
for (let i = 0; i < argv.length; i++) {
  if (VALUED.includes(argv[i]!)) i++;
  else if (!FLAGS.includes(argv[i]!)) {
    process.stderr.write(`bench: unknown option '${argv[i]}'\n${USAGE}\n`);
    process.exit(2);
  }
}
const option = (name: string): string | undefined => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const asJson = argv.includes('--json');
const quick = argv.includes('--quick');
const QUICK: WorkloadId[] = ['tiny_add', 'sgemm_256', 'sgemm_1024', 'conv1', 'conv2'];
const workloads = option('--workloads')?.split(',') ?? (quick ? QUICK : WORKLOADS.map((w) => w.id));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function findTorchPython(): string | undefined {
  for (const python of [process.env.TENSILE_BENCH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (python && spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return python;
  }
  return undefined;
}

/** The TF.js packages the tfjs engines import: optional peers, absent from an installed tensile-cli unless the user adds them. */
const TFJS_PACKAGES = ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'];

function missingTfjsPackages(): string[] {
  const require = createRequire(import.meta.url);
  return TFJS_PACKAGES.filter((name) => {
    try {
      require.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** A python3 with OpenCV and its stock cascades (Debian: python3-opencv + opencv-data), for the face_detect peer. */
function findOpenCvPython(): string | undefined {
  const check = "import cv2, os, sys; sys.exit(0 if os.path.exists('/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml') else 1)";
  for (const python of [process.env.TENSILE_BENCH_PYTHON, 'python3', '/usr/bin/python3']) {
    if (python && spawnSync(python, ['-c', check], { stdio: 'ignore' }).status === 0) return python;
  }
  return undefined;
}

const hasTaskset = spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
const engineScript = fileURLToPath(new URL('./engine.js', import.meta.url));
const torchScript = fileURLToPath(new URL('../../bench/torch_bench.py', import.meta.url));
const openCvScript = fileURLToPath(new URL('../../bench/opencv_faces_bench.py', import.meta.url));

function node(engine: string, threads: number, flags: string[] = [], env: Record<string, string> = {}): EngineRun {
  return { engine, threads, command: process.execPath, args: [...flags, engineScript, engine, String(threads)], env: { TENSILE_THREADS: String(threads), ...env } };
}

function plannedRuns(): EngineRun[] {
  const runs: EngineRun[] = [];
  for (const threads of [1, 2]) {
    runs.push(node('tensile-wasm', threads));
    runs.push(node('tensile-wasm-relaxed', threads, ['--experimental-wasm-relaxed-simd'], { TENSILE_WASM_RELAXED: '1' }));
    // Without @tensile/backend-native built, its child reports each workload n/a with the reason.
    runs.push(node('tensile-native', threads));
  }
  if (!quick) runs.push(node('tensile-reference', 1));
  const missingTfjs = missingTfjsPackages();
  if (missingTfjs.length === 0) {
    runs.push(node('tfjs-wasm', 1));
    if (!quick) runs.push({ ...node('tfjs-cpu', 1), exclude: argv.includes('--slow') ? [] : ['mnist_train'] });
  } else {
    log(`note: TensorFlow.js skipped: ${missingTfjs.join(' and ')} not installed (npm install @tensorflow/tfjs@4.22 @tensorflow/tfjs-backend-wasm@4.22 beside tensile-cli)`);
  }
  const python = findTorchPython();
  if (python) for (const threads of [1, 2]) runs.push({ engine: 'torch', threads, command: python, args: [torchScript, String(threads)], ...torchBlasEnv() });
  else log('note: PyTorch skipped: no python3 with torch (Debian: apt-get install python3-torch python3-numpy libopenblas0, or set TENSILE_BENCH_PYTHON)');
  const openCv = workloads.includes('face_detect') ? findOpenCvPython() : undefined;
  if (openCv) for (const threads of [1, 2]) runs.push({ engine: 'opencv-haar', threads, command: openCv, args: [openCvScript, String(threads)], trailingArgs: [faceBenchPhoto()] });
  else if (workloads.includes('face_detect')) log('note: OpenCV Haar peer skipped: no python3 with cv2 and the opencv-data cascades (Debian: apt-get install python3-opencv opencv-data)');
  const only = option('--engines')?.split(',');
  return only ? runs.filter((r) => only.includes(r.engine)) : runs;
}

function childEnv(run: EngineRun): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...run.env };
  for (const name of run.unsetEnv ?? []) delete env[name];
  return env;
}

function execute(run: EngineRun): (Result | Skip)[] {
  const pin = run.engine.startsWith('tfjs') || run.threads === 1 ? '0' : '0,1';
  const [command, args] = hasTaskset ? ['taskset', ['-c', pin, run.command, ...run.args]] : [run.command, run.args];
  log(`running ${run.engine} (${run.threads} thread${run.threads > 1 ? 's' : ''})…`);
  try {
    const own = workloads.filter((w) => !run.exclude?.includes(w as WorkloadId));
    const out = execFileSync(command, [...args, own.join(','), ...(run.trailingArgs ?? [])], {
      encoding: 'utf8', env: childEnv(run), stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24,
    });
    return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Result | Skip);
  } catch (e) {
    log(`  ${run.engine} failed: ${(e as Error).message.split('\n')[0]}`);
    return [];
  }
}

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

function table(rows: (Result | Skip)[]): string {
  const columns = [...new Set(rows.map((r) => `${r.engine}-${r.threads}t`))];
  const peers = columns.filter((c) => !c.startsWith('tensile'));
  const lines = [`| workload | unit | ${columns.join(' | ')} |`, `|---|---|${columns.map(() => '---|').join('')}`];
  const ratioLines: string[] = [];
  for (const w of WORKLOADS.filter((x) => workloads.includes(x.id))) {
    const cell = (c: string): Result | Skip | undefined => rows.find((r) => r.workload === w.id && `${r.engine}-${r.threads}t` === c);
    lines.push(`| ${w.id} | ${w.unit} ${w.higherIsBetter ? '↑' : '↓'} | ${columns.map((c) => {
      const r = cell(c);
      return !r ? '' : 'skipped' in r ? 'n/a' : `${format(r.median)} [${format(r.min)}–${format(r.max)}]`;
    }).join(' | ')} |`);
    // A compiled row is compared with the peers' eager step (they have no compiled one) and with Tensile's own eager step.
    const peerCell = (c: string): Result | Skip | undefined => rows.find((r) => r.workload === eagerWorkload(w.id) && `${r.engine}-${r.threads}t` === c);
    // Speed-up of the best configuration of each Tensile backend over each peer (>1 = Tensile faster).
    for (const family of ['tensile-wasm', 'tensile-native']) {
      const tensile = rows.filter((r): r is Result => r.workload === w.id && r.engine.startsWith(family) && 'median' in r);
      if (!tensile.length) continue;
      const best = tensile.reduce((a, b) => ((w.higherIsBetter ? a.median > b.median : a.median < b.median) ? a : b));
      const ratios = peers.flatMap((p) => {
        const r = peerCell(p);
        if (!r || 'skipped' in r) return [];
        return [`${p} ${(w.higherIsBetter ? best.median / r.median : r.median / best.median).toFixed(2)}×`];
      });
      const eagerSelf = eagerWorkload(w.id) === w.id ? undefined : peerCell(`${best.engine}-${best.threads}t`);
      if (eagerSelf && 'median' in eagerSelf) ratios.unshift(`its eager step ${(eagerSelf.median / best.median).toFixed(2)}×`);
      if (ratios.length) ratioLines.push(`| ${w.id} | ${best.engine}-${best.threads}t | ${ratios.join(', ')} |`);
    }
  }
  const skipped = new Map<string, string[]>();
  for (const s of rows.filter((r): r is Skip => 'skipped' in r)) {
    const key = `${s.workload}: ${s.skipped}`;
    skipped.set(key, [...(skipped.get(key) ?? []), `${s.engine}-${s.threads}t`]);
  }
  const skips = [...skipped].map(([what, engines]) => `- n/a ${what} (${engines.join(', ')})`);
  return [
    ...lines, '', 'Speed-up of the best Tensile WASM and native configurations over each peer (>1× = Tensile faster):', '',
    '| workload | best Tensile | vs peers |', '|---|---|---|', ...ratioLines, '', ...skips,
  ].join('\n');
}

const rows = plannedRuns().flatMap(execute);
if (!rows.some((r) => !('skipped' in r))) {
  process.stderr.write(`bench: no engine produced a result (engines ${option('--engines') ?? 'all'}, workloads ${workloads.join(',')})\n`);
  process.exit(1);
}
const results = JSON.stringify(rows.filter((r): r is Result => !('skipped' in r)), null, 1);
const jsonFile = option('--json-file');
if (jsonFile) writeFileSync(jsonFile, `${results}\n`);
if (asJson) console.log(results);
else console.log(table(rows));
