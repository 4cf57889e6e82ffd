/**
 * Buffer lifetimes. A buffer is shared by the tensors that view it (reshape shares, it never copies)
 * and is freed when the last of them is disposed, leaves a `scope()`, or is garbage-collected.
 * The FinalizationRegistry is what makes `tidy()` unnecessary: storage outside the JS heap (WASM
 * memory, GPU buffers) is released when the JS tensor object dies.
 */
import type { Backend, DataId } from '../backend/contract.js';
import { realBackend, traceRecorder } from '../backend/trace-hook.js';

/** Buffers from this size carry a pressure buffer of their own (smaller ones would come from malloc + memset, not lazily zeroed pages). */
const PRESSURE_MIN_BYTES = 1 << 20;
/**
 * Buffers from this size up to PRESSURE_MIN_BYTES share pressure buffers. A smaller one is at most
 * ~10× its tensor object's JS heap bytes (388 B measured for a one-element wasm tensor), so the JS
 * heap's own growth brings their collections.
 */
const SHARED_PRESSURE_MIN_BYTES = 4096;
/**
 * Pressure buffers kept for reuse, at most this many bytes of them: they stand for 4× as many tensor
 * bytes, so 1 GB covers a whole 4 GB WASM memory. A training step keeps its activations until its
 * scope ends and frees them together, so the next step needs as many again (a 50×50 CNN at batch 32:
 * ~110 MB of them); a smaller cap dropped most and V8 went back to collecting every step. Unused
 * pages of an untouched buffer cost address space, not memory.
 */
const SPARE_PRESSURE_BYTES = 1 << 30;

/**
 * Pressure buffers of storages that were freed explicitly (dispose, scopes), by size. A training
 * loop that disposes its tensors allocates the same sizes every step; handing the next storage the
 * freed one's buffer keeps the external memory V8 sees flat, where fresh buffers would make it grow
 * by the step's activations until V8 ran a full collection (every few steps) just to drop them.
 */
const sparePressure = new Map<number, ArrayBuffer[]>();
let spareBytes = 0;

function pressureBuffer(bytes: number): ArrayBuffer {
  const spare = sparePressure.get(bytes)?.pop();
  if (!spare) return new ArrayBuffer(bytes);
  spareBytes -= bytes;
  return spare;
}

function keepSpare(buffer: ArrayBuffer): void {
  if (spareBytes + buffer.byteLength > SPARE_PRESSURE_BYTES) return;
  const list = sparePressure.get(buffer.byteLength);
  if (list) list.push(buffer);
  else sparePressure.set(buffer.byteLength, [buffer]);
  spareBytes += buffer.byteLength;
}

/**
 * One pressure buffer of PRESSURE_MIN_BYTES standing for four times as many bytes of mid-sized
 * buffers (the ratio of the large ones' own). Without it a loop of 500 KB tensors dropped without
 * dispose() filled the 2 GiB WASM memory: V8 saw no external memory and never collected them.
 */
class SharedPressure {
  readonly buffer = pressureBuffer(PRESSURE_MIN_BYTES);
  /** Buffer bytes it may still stand for. */
  room = 4 * PRESSURE_MIN_BYTES;
  /** Live storages holding it. */
  holders = 0;
  /** A holder was garbage-collected: the buffer then goes with the collections, as a large one's does. */
  collected = false;

  /** Hands the buffer on for reuse once nothing holds it and nothing more will join. */
  retireIfIdle(): void {
    if (this.holders === 0 && !this.collected && this !== openShared) keepSpare(this.buffer);
  }
}

/** The shared pressure buffer new mid-sized storages join until its room is used up. */
let openShared: SharedPressure | null = null;

function joinSharedPressure(bytes: number): SharedPressure {
  if (!openShared || openShared.room < bytes) {
    const full = openShared;
    openShared = new SharedPressure();
    full?.retireIfIdle();
  }
  openShared.room -= bytes;
  openShared.holders++;
  return openShared;
}

/** The pressure a buffer of `bytes` (at least SHARED_PRESSURE_MIN_BYTES) carries. */
function pressureFor(bytes: number): ArrayBuffer | SharedPressure {
  return bytes >= PRESSURE_MIN_BYTES ? pressureBuffer(bytes >> 2) : joinSharedPressure(bytes);
}

/** A freed buffer's pressure: kept for reuse if it was freed explicitly and nothing else holds it. */
function settlePressure(pressure: ArrayBuffer | SharedPressure, explicit: boolean): void {
  if (pressure instanceof SharedPressure) {
    pressure.holders--;
    if (!explicit) pressure.collected = true;
    pressure.retireIfIdle();
  } else if (explicit) {
    keepSpare(pressure);
  }
}

export class Storage {
  private refs = 1;
  /**
   * For backends with memory outside the JS heap: an untouched ArrayBuffer of a quarter of the
   * buffer's size (mid-sized buffers share one, see SharedPressure). V8 schedules collections by the
   * external memory ArrayBuffers report, so without it a loop allocating large WASM tensors would
   * run for hundreds of steps between collections (measured: heap grew to 968 MB for a 47 MB working
   * set; with it, 287 MB). Its pages are never written, so it costs address space, not RSS.
   */
  private gcPressure: ArrayBuffer | SharedPressure | null;

  /** The backend that owns the buffer (never a trace's view of it). */
  readonly backend: Backend;

  constructor(
    backend: Backend,
    readonly id: DataId,
    readonly bytes: number,
  ) {
    this.backend = realBackend(backend);
    backend = this.backend;
    this.gcPressure = backend.externalMemory && bytes >= SHARED_PRESSURE_MIN_BYTES ? pressureFor(bytes) : null;
    const c = counters(backend);
    c.buffers++;
    c.bytes += bytes;
  }

  /** Whether more than one tensor views the buffer (an in-place write would change them all). */
  get shared(): boolean {
    return this.refs > 1;
  }

  retain(): this {
    this.refs++;
    return this;
  }

  /**
   * Drops one reference; the last frees the buffer. `explicit` is false when the garbage collector
   * ended it: its pressure buffer then goes with it, since that collection was what it was for.
   */
  release(explicit: boolean): void {
    if (--this.refs > 0) return;
    this.backend.free(this.id);
    if (this.gcPressure) settlePressure(this.gcPressure, explicit);
    this.gcPressure = null;
    const c = counters(this.backend);
    c.buffers--;
    c.bytes -= this.bytes;
  }
}

interface Counters {
  tensors: number;
  buffers: number;
  bytes: number;
}

const perBackend = new Map<string, Counters>();

function counters(backend: Backend): Counters {
  let c = perBackend.get(backend.name);
  if (!c) perBackend.set(backend.name, (c = { tensors: 0, buffers: 0, bytes: 0 }));
  return c;
}

/**
 * One tensor's hold on a storage. It is registered with the finalizer once, without an unregister
 * token (registration with a token costs about three times as much, and dispatch cost matters for
 * tiny ops); `live` makes release idempotent between dispose() and finalization.
 */
export class Lease {
  live = true;
  constructor(public storage: Storage) {}
}

/** What a tensor object owns. */
interface Owner {
  readonly lease: Lease;
}

const finalizer = new FinalizationRegistry<Lease>((lease) => endLease(lease, false));

function endLease(lease: Lease, explicit: boolean): void {
  if (!lease.live) return;
  lease.live = false;
  counters(lease.storage.backend).tensors--;
  lease.storage.release(explicit);
}

/**
 * Tensors made since the last flush, not yet registered with the finalizer. Most tensors are
 * disposed (or leave a scope) within the same synchronous run, and registering them would be the
 * largest part of a tiny op's cost and of the GC's work (tiny add: 1.50 → 0.52 µs/op). The nursery
 * holds its tensors strongly until the flush, so it is bounded by count and by bytes, and flushed at
 * the end of every synchronous run.
 */
const nursery: Owner[] = [];
const NURSERY_TENSORS = 1024;
const NURSERY_BYTES = 64 << 20;
let nurseryBytes = 0;
let flushQueued = false;

function flushNursery(): void {
  for (const owner of nursery) if (owner.lease.live) finalizer.register(owner, owner.lease);
  nursery.length = 0;
  nurseryBytes = 0;
  flushQueued = false;
}

/** Queues an owner for registration with the finalizer. */
function register(owner: Owner): void {
  nursery.push(owner);
  nurseryBytes += owner.lease.storage.bytes;
  if (nursery.length >= NURSERY_TENSORS || nurseryBytes >= NURSERY_BYTES) flushNursery();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushNursery);
  }
}

/**
 * Starts tracking a tensor object: its storage reference is dropped on GC unless disposed first.
 * Inside a scope, which holds its tensors until it ends anyway, registration waits for the tensors
 * that outlive the scope.
 */
export function track(owner: Owner): void {
  counters(owner.lease.storage.backend).tensors++;
  const s = scopes[scopes.length - 1];
  if (s) s.push(owner);
  else register(owner);
}

/** Drops the owner's storage reference now (dispose). */
export function untrack(owner: Owner): void {
  endLease(owner.lease, true);
}

/** Re-points an owner at another storage (in-place assignment); the lease and its registration stay. */
export function retarget(owner: Owner, storage: Storage): void {
  const lease = owner.lease;
  traceRecorder()?.retargeted(owner, lease.storage, storage);
  storage.retain();
  counters(lease.storage.backend).tensors--;
  counters(storage.backend).tensors++;
  lease.storage.release(true);
  lease.storage = storage;
}

export interface MemoryInfo {
  /** Live tensor objects (not yet disposed or collected). */
  readonly tensors: number;
  /** Live buffers and their bytes, as the core accounts for them. */
  readonly buffers: number;
  readonly bytes: number;
  /** Per backend, including the backend's own counters (pool sizes, kernel fallbacks …). */
  readonly backends: Record<string, Counters & Record<string, number>>;
}

export function memoryOf(backends: readonly Backend[]): MemoryInfo {
  const out: Record<string, Counters & Record<string, number>> = {};
  let tensors = 0;
  let buffers = 0;
  let bytes = 0;
  for (const b of backends) {
    const c = counters(b);
    out[b.name] = { ...b.memory(), ...c };
    tensors += c.tensors;
    buffers += c.buffers;
    bytes += c.bytes;
  }
  return { tensors, buffers, bytes, backends: out };
}

// Scopes: tensors created inside are disposed at the end, except what the scope returns or keeps.
type Disposable = Owner & { dispose(): void; readonly isDisposed: boolean };
const scopes: Owner[][] = [];
const kept = new WeakSet<Owner>();

/** Exempts a tensor from disposal by the scopes it was created in. */
export function keepOwner(owner: Owner): void {
  kept.add(owner);
}

export function enterScope(): void {
  scopes.push([]);
}

/** Whether the innermost scope created `owner` (a linear search: meant for short-lived scopes). */
export function inInnermostScope(owner: Owner): boolean {
  return scopes[scopes.length - 1]?.includes(owner) ?? false;
}

/** Ends the innermost scope, disposing its tensors that are not in `survivors` nor kept. */
export function exitScope(survivors: ReadonlySet<Owner>): void {
  const created = scopes.pop() ?? [];
  const parent = scopes[scopes.length - 1];
  for (const owner of created) {
    const t = owner as Disposable;
    if (t.isDisposed) continue;
    if (survivors.has(owner)) {
      if (parent) parent.push(owner);
      else register(owner);
    } else if (kept.has(owner)) {
      register(owner);
    } else {
      t.dispose();
    }
  }
}
