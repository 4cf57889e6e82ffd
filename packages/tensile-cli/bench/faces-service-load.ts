/**
 * Load test of `tensile faces serve` on 127.0.0.1 (BENCHMARKS.md): the command as a user starts it
 * (face-api embedder, fresh database), people enrolled through the API from LFW's identity-training
 * photographs, then identification of one real LFW photograph (a DevTest image of nobody enrolled) by a
 * camera client for a fixed time at each concurrency. Each of the `connections` cameras works in a
 * closed loop as a real one does: it sends a photograph, waits for the answer, sends the next; told 503
 * (the service's queue full) it waits the Retry-After the service gave before sending again. Answered
 * requests are timed; refusals, other statuses and network errors are counted apart. Afterwards the
 * service is stopped and the database checked: SQLite's integrity check, and a logged decision for
 * every answered request (plus those still queued when the clients stopped). Also times the gallery
 * search alone over 1,000 people.
 *
 *   node packages/tensile-cli/build/bench/faces-service-load.js [--seconds 60] [--connections 8,32] [--people 115] [--serve-options "--detector none"]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lfw, setDataRoot } from 'tensile/node';
import { FaceDatabase } from '../src/apps/faces/service/database.node.js';
import { Gallery } from '../src/apps/faces/service/gallery.js';

const PASSWORD = 'load test password';
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const dataRoot = process.env.TENSILE_DATA ?? path.resolve(fileURLToPath(new URL('../../../..', import.meta.url)), '..', 'shared/datasets');

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const seconds = Number(option('--seconds', '60'));
const connectionLevels = option('--connections', '8,32').split(',').map(Number);
const peopleCount = Number(option('--people', '115'));
const serveOptions = option('--serve-options', '').split(' ').filter((word) => word !== '');

/** `tensile faces serve` as a user starts it, with this script's `--serve-options` ("--detector none --queue 16", say) added. */
async function startService(dbFile: string): Promise<{ child: ChildProcess; url: string; banner: string }> {
  const child = spawn(process.execPath, [cli, 'faces', 'serve', '--db', dbFile, '--port', '0', ...serveOptions], { env: { ...process.env, TENSILE_FACES_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /faces service: (\S+)[^]*\n.*\n/.exec(output);
      if (match) resolve({ child, url: match[1]!.replace('localhost', '127.0.0.1'), banner: output.trim() });
    });
    child.once('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
}

async function json<T>(response: Response): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A multipart body with one photograph, as a camera client sends it. */
function multipart(photo: Uint8Array): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = 'tensile-load-boundary';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="photo"; filename="camera.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`;
  return { body: new Uint8Array(Buffer.concat([Buffer.from(head), photo, Buffer.from(`\r\n--${boundary}--\r\n`)])), contentType: `multipart/form-data; boundary=${boundary}` };
}

interface CameraRun {
  readonly answeredMs: number[];
  refused: number;
  otherStatuses: number;
  errors: number;
}

/** `connections` cameras sending `body` to `url` in closed loops for `seconds`, each honouring Retry-After when refused. */
async function cameraLoad(url: string, headers: Record<string, string>, body: Uint8Array<ArrayBuffer>, connections: number, seconds: number): Promise<CameraRun> {
  const run: CameraRun = { answeredMs: [], refused: 0, otherStatuses: 0, errors: 0 };
  const end = performance.now() + seconds * 1000;
  const camera = async (): Promise<void> => {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        const response = await fetch(url, { method: 'POST', headers, body });
        await response.arrayBuffer();
        if (response.status === 200) run.answeredMs.push(performance.now() - start);
        else if (response.status === 503) {
          run.refused++;
          const waitMs = 1000 * Number(response.headers.get('retry-after') ?? '1');
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(waitMs, end - performance.now()))));
        } else run.otherStatuses++;
      } catch {
        run.errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, camera));
  return run;
}

/**
 * CPU time the service process has used (all its threads), in ms, from Linux's /proc; undefined
 * elsewhere. Per answered request it is what the other jobs of a busy machine inflate least.
 */
function serviceCpuMs(pid: number | undefined): number | undefined {
  try {
    // Fields 14 and 15 of /proc/PID/stat (utime, stime), in clock ticks, counted after the parenthesised command name.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function cpuPerAnswered(before: number | undefined, after: number | undefined, answered: number): number | undefined {
  return before === undefined || after === undefined ? undefined : (after - before) / answered;
}

/** USER_HZ: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

function gallerySearchMs(people: number, perPerson: number, size: number): number {
  const gallery = new Gallery(size);
  const unit = (): Float32Array => {
    const v = Float32Array.from({ length: size }, () => Math.random() - 0.5);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  for (let p = 0; p < people; p++) for (let k = 0; k < perPerson; k++) gallery.add(p, unit());
  const queries = Array.from({ length: 200 }, unit);
  const start = performance.now();
  for (const q of queries) gallery.nearest(q);
  return (performance.now() - start) / queries.length;
}

setDataRoot(dataRoot);
const data = await lfw();
const dir = mkdtempSync(path.join(os.tmpdir(), 'tensile-faces-load-'));
const dbFile = path.join(dir, 'faces.db');
const { child, url, banner } = await startService(dbFile);
try {
  const signIn = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: PASSWORD }) });
  const { csrfToken } = await json<{ csrfToken: string }>(signIn);
  const admin = { cookie: signIn.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': csrfToken };

  const enrolStart = performance.now();
  const names = data.identity.classNames.slice(0, peopleCount);
  let enrolmentsWithoutFace = 0;
  for (const [label, name] of names.entries()) {
    const file = data.identity.files.find((f) => f.label === label)!;
    const form = new FormData();
    form.append('name', name);
    form.append('photos', new Blob([new Uint8Array(data.images.get(file.path)!)], { type: 'image/jpeg' }), 'photo.jpg');
    const response = await fetch(`${url}/api/people`, { method: 'POST', headers: admin, body: form });
    // With a detector, a photograph may show no face it finds: that person is not enrolled.
    if (response.status === 422) enrolmentsWithoutFace++;
    else await json(response);
  }
  const enrolSeconds = (performance.now() - enrolStart) / 1000;
  const { token } = await json<{ token: string }>(await fetch(`${url}/api/tokens`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'load test' }) }));

  const probe = data.devTestPairs[0]!.first;
  const { body, contentType } = multipart(data.images.get(probe)!);
  const results = [];
  for (const connections of connectionLevels) {
    const cpuBefore = serviceCpuMs(child.pid);
    const run = await cameraLoad(`${url}/api/identify`, { authorization: `Bearer ${token}`, 'content-type': contentType }, body, connections, seconds);
    results.push({
      connections,
      seconds,
      answered: run.answeredMs.length,
      answeredPerSecond: run.answeredMs.length / seconds,
      answeredP50Ms: percentile(run.answeredMs, 0.5),
      answeredP99Ms: percentile(run.answeredMs, 0.99),
      refused503: run.refused,
      serviceCpuMsPerAnswered: cpuPerAnswered(cpuBefore, serviceCpuMs(child.pid), run.answeredMs.length),
      otherStatuses: run.otherStatuses,
      errors: run.errors,
    });
  }
  // Every camera had its answer before its loop ended: the log must hold exactly one decision per answered request.
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));

  const db = new FaceDatabase(dbFile);
  const integrity = db.integrityCheck();
  const decisions = db.countDecisions();
  const people = db.people().length;
  db.close();
  const answered = results.reduce((sum, r) => sum + r.answered, 0);
  const report = {
    service: banner,
    photo: probe,
    people,
    enrolmentsWithoutFace,
    enrolSecondsPerPerson: enrolSeconds / names.length,
    runs: results,
    database: { integrity, decisions, answeredRequests: answered, decisionsMinusAnswered: decisions - answered },
    gallerySearchMsFor1000People: gallerySearchMs(1000, 3, 128),
    loadAverage: os.loadavg(),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} finally {
  child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
