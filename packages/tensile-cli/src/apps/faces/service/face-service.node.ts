/**
 * The access-control service without HTTP: enrolment, identification, the decision log and the
 * policy, over the database, the content store and the in-memory gallery. Enrolment photographs and
 * their crops are files, written before the transaction that refers to them commits, so an
 * acknowledged enrolment has everything on disk; what a killed process wrote without committing is
 * swept at the next start. An identification's face crops go into the database with its decisions, in
 * the same transaction: one commit instead of a file write with two fsyncs a face, on the path every
 * camera request takes.
 */
import path from 'node:path';
import type { RawImage } from 'tensile';
import { encodePng } from '../../report/image-grid.node.js';
import { type DecisionRow, FaceDatabase, type NewEmbedding, type PersonRow } from './database.node.js';
import type { AnalysedFace, FaceBox, FacePipeline } from '../face-pipeline.js';
import { Gallery } from './gallery.js';
import { HttpError } from './http-error.js';
import { decide, decidingPolicy, defaultPolicy, type Policy, policyProblem } from './policy.js';
import { ContentStore, contentName } from './store-files.node.js';
import { decodePhoto, type UploadLimits } from './uploads.js';

export interface IdentifiedFace {
  readonly decisionId: number;
  readonly box: FaceBox;
  readonly crop: string;
  /** The nearest enrolled person, whether or not within the threshold (null: nobody enrolled). */
  readonly nearest: { readonly personId: number; readonly name: string; readonly distance: number } | null;
  /** Whether the nearest person is within the match threshold. */
  readonly recognised: boolean;
  readonly decision: DecisionRow['outcome'];
  readonly decidedBy: DecisionRow['decidedBy'];
}

export interface FaceServiceOptions {
  /**
   * Most photographs in the pipeline's hands (waiting for it or being analysed) before an identification
   * is answered 503 with Retry-After: an overloaded service answers at once instead of letting every
   * request wait ever longer, and an admitted request waits for at most this many analyses. Default
   * `QUEUE_PER_WORKER` a worker. Enrolments are never refused for it.
   */
  readonly maxPending?: number;
}

/** Default photographs in the pipeline's hands per worker: about 0.3 s of work on a quiet machine (2 workers at ~25 a second). */
export const QUEUE_PER_WORKER = 4;
const MAX_NAME_LENGTH = 200;
/** Most photographs the pipeline takes at once. */
const MAX_BATCH = 8;
const POLICY_KEY = 'policy';

export class FaceService {
  private readonly gallery: Gallery;
  private policyNow: Policy;
  /**
   * Photographs waiting for the pipeline. It runs `parallelism` batches at a time (one a worker; one in
   * all when it runs on this thread, whose backend's threads already use every core); requests that
   * arrive meanwhile go together into the next batches.
   */
  private readonly waiting: { image: RawImage; resolve: (faces: AnalysedFace[]) => void; reject: (error: unknown) => void }[] = [];
  private batchesRunning = 0;
  private photosAnalysing = 0;
  readonly maxPending: number;

  private constructor(
    readonly db: FaceDatabase,
    readonly files: ContentStore,
    readonly pipeline: FacePipeline,
    readonly limits: UploadLimits,
    options: FaceServiceOptions,
  ) {
    this.maxPending = options.maxPending ?? QUEUE_PER_WORKER * (pipeline.parallelism ?? 1);
    if (!Number.isInteger(this.maxPending) || this.maxPending < 1) throw new RangeError(`FaceService: maxPending must be a positive integer, got ${this.maxPending}`);
    this.gallery = new Gallery(pipeline.embeddingSize);
    for (const e of db.embeddings(pipeline.embedder)) this.gallery.add(e.personId, e.vector);
    const stored = db.setting<Policy & { embedder: string }>(POLICY_KEY);
    // A threshold belongs to the embedder it was calibrated for.
    this.policyNow = stored && stored.embedder === pipeline.embedder ? withoutEmbedder(stored) : defaultPolicy(pipeline.threshold, pipeline.openSet);
  }

  /** Opens (or creates) the database and its file folder beside it, and sweeps uncommitted files. */
  static async open(dbFile: string, pipeline: FacePipeline, limits: UploadLimits, options: FaceServiceOptions = {}): Promise<FaceService> {
    const db = new FaceDatabase(dbFile);
    const files = new ContentStore(filesFolderOf(dbFile));
    await files.sweep(db.referencedFiles());
    return new FaceService(db, files, pipeline, limits, options);
  }

  close(): void {
    this.db.close();
  }

  get policy(): Policy {
    return this.policyNow;
  }

  setPolicy(policy: Policy): Policy {
    const problem = policyProblem(policy, this.pipeline.openSet);
    if (problem !== undefined) throw new HttpError(400, 'bad-policy', problem);
    this.db.setSetting(POLICY_KEY, { ...policy, embedder: this.pipeline.embedder });
    this.policyNow = policy;
    return policy;
  }

  /** The allow distance in force for the gallery as it is now. */
  get allowDistanceNow(): number {
    return decidingPolicy(this.policyNow, this.pipeline.openSet, this.gallery.embeddings).allowDistance;
  }

  get enrolledEmbeddings(): number {
    return this.gallery.embeddings;
  }

  people(): PersonRow[] {
    return this.db.people();
  }

  /** Enrols a new person from photographs, each showing them (the largest face of each is used). */
  async enrol(name: string, photos: readonly Uint8Array[]): Promise<PersonRow> {
    const cleanName = checkName(name);
    const embeddings = await this.embedPhotos(photos);
    const id = this.db.enrol(cleanName, this.pipeline.embedder, embeddings);
    for (const e of embeddings) this.gallery.add(id, e.vector);
    return this.db.person(id)!;
  }

  async addPhotos(personId: number, photos: readonly Uint8Array[]): Promise<PersonRow> {
    if (this.db.person(personId) === undefined) throw notFound('person', personId);
    const embeddings = await this.embedPhotos(photos);
    if (!this.db.addEmbeddings(personId, this.pipeline.embedder, embeddings)) throw notFound('person', personId);
    for (const e of embeddings) this.gallery.add(personId, e.vector);
    return this.db.person(personId)!;
  }

  rename(personId: number, name: string): PersonRow {
    if (!this.db.rename(personId, checkName(name))) throw notFound('person', personId);
    return this.db.person(personId)!;
  }

  deletePerson(personId: number): void {
    if (!this.db.deletePerson(personId)) throw notFound('person', personId);
    this.gallery.removePerson(personId);
  }

  /** Every face in the photograph, matched, decided and logged (one transaction for the photograph). */
  async identify(photo: Uint8Array, source: string): Promise<IdentifiedFace[]> {
    this.refuseWhenBusy();
    const image = decodePhoto(photo, 1, this.limits);
    const faces = await this.analyse(image);
    const crops = faces.map((face) => encodePng(face.crop));
    const policy = decidingPolicy(this.policyNow, this.pipeline.openSet, this.gallery.embeddings);
    const judged = faces.map((face, i) => {
      const match = this.gallery.nearest(face.embedding);
      const name = match && this.db.personName(match.personId);
      const nearest = match && name !== undefined ? { personId: match.personId, name, distance: match.distance } : null;
      const { outcome, auto } = decide(policy, nearest?.distance);
      return { box: face.box, cropImage: crops[i]!, crop: contentName(crops[i]!), nearest, recognised: nearest !== null && nearest.distance <= policy.threshold, outcome, auto };
    });
    const ids = this.db.recordDecisions(
      judged.map((j) => ({
        source,
        crop: j.crop,
        cropImage: j.cropImage,
        box: j.box,
        personId: j.nearest?.personId ?? null,
        personName: j.nearest?.name ?? null,
        distance: j.nearest?.distance ?? null,
        outcome: j.outcome,
        decidedBy: j.auto ? 'auto' : null,
      })),
    );
    return judged.map((j, i) => ({
      decisionId: ids[i]!,
      box: j.box,
      crop: j.crop,
      nearest: j.nearest,
      recognised: j.recognised,
      decision: j.outcome,
      decidedBy: j.auto ? 'auto' : null,
    }));
  }

  /** Throws 503 (with Retry-After) when `maxPending` photographs are already in the pipeline's hands; the route calls it before reading the upload too. */
  refuseWhenBusy(): void {
    const pending = this.waiting.length + this.photosAnalysing;
    if (pending >= this.maxPending) {
      throw new HttpError(503, 'busy', `the faces service is busy: ${pending} photographs are waiting or being analysed; try again in a second`, { 'retry-after': '1' });
    }
  }

  resolve(decisionId: number, outcome: 'allow' | 'deny'): DecisionRow {
    const result = this.db.resolveDecision(decisionId, outcome);
    if (result === 'missing') throw notFound('decision', decisionId);
    if (result === 'decided') throw new HttpError(409, 'already-decided', `decision ${decisionId} is not awaiting review`);
    return result;
  }

  private async embedPhotos(photos: readonly Uint8Array[]): Promise<NewEmbedding[]> {
    if (photos.length === 0) throw new HttpError(400, 'no-photographs', 'enrolment needs at least one photograph');
    // Every photograph is checked before anything is written, so a refused request leaves nothing behind.
    const images = photos.map((bytes, i) => decodePhoto(bytes, i + 1, this.limits));
    const found = await Promise.all(images.map((image) => this.analyse(image)));
    const missing = found.findIndex((faces) => faces.length === 0);
    if (missing >= 0) throw new HttpError(422, 'no-face', `no face found in photograph ${missing + 1}`);
    const faces = found.map((list) => list[0]!);
    const stored: NewEmbedding[] = [];
    for (const [i, face] of faces.entries()) {
      stored.push({ vector: face.embedding, photo: await this.files.put(photos[i]!), crop: await this.files.put(encodePng(face.crop)) });
    }
    return stored;
  }

  private analyse(image: RawImage): Promise<AnalysedFace[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ image, resolve, reject });
      this.runPipeline();
    });
  }

  private runPipeline(): void {
    const slots = this.pipeline.parallelism ?? 1;
    while (this.batchesRunning < slots && this.waiting.length > 0) {
      // Waiting photographs are shared out among the free slots rather than all given to the first.
      const batch = this.waiting.splice(0, Math.min(MAX_BATCH, Math.ceil(this.waiting.length / (slots - this.batchesRunning))));
      this.batchesRunning++;
      this.photosAnalysing += batch.length;
      void this.runBatch(batch).finally(() => {
        this.batchesRunning--;
        this.photosAnalysing -= batch.length;
        this.runPipeline();
      });
    }
  }

  private async runBatch(batch: typeof this.waiting): Promise<void> {
    try {
      const results = await this.pipeline.analyse(batch.map((item) => item.image));
      batch.forEach((item, i) => item.resolve(results[i]!));
    } catch (error) {
      // One photograph's failure must not fail the others of its batch: retry them one by one.
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const item of batch) await this.pipeline.analyse([item.image]).then(([faces]) => item.resolve(faces!), item.reject);
    }
  }
}

/** The content store of database `faces.db` is the folder `faces.db.files` beside it. */
export function filesFolderOf(dbFile: string): string {
  return path.resolve(`${dbFile}.files`);
}

function withoutEmbedder(stored: Policy & { embedder: string }): Policy {
  return { threshold: stored.threshold, autoDecide: stored.autoDecide, allowDistance: stored.allowDistance, unknownFaces: stored.unknownFaces };
}

function checkName(name: string): string {
  const clean = name.trim();
  if (clean.length === 0) throw new HttpError(400, 'bad-name', 'a person needs a non-empty name');
  if (clean.length > MAX_NAME_LENGTH) throw new HttpError(400, 'bad-name', `a name has at most ${MAX_NAME_LENGTH} characters`);
  return clean;
}

function notFound(what: string, id: number): HttpError {
  return new HttpError(404, 'not-found', `no ${what} with id ${id}`);
}
