/**
 * The service's SQLite database (better-sqlite3): people, their embeddings (float32 blobs), the
 * decision log, settings, sign-in sessions and camera tokens. WAL mode with full sync, so a call that
 * returned has reached the disk; every enrolment and decision is one transaction.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MIGRATIONS } from './migrations.js';

export type Outcome = 'allow' | 'deny' | 'review';

export interface PersonRow {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  readonly embeddings: number;
  /** The crop of the person's first photograph. */
  readonly crop: string | null;
}

export interface StoredEmbedding {
  readonly personId: number;
  readonly vector: Float32Array;
}

export interface NewEmbedding {
  readonly vector: Float32Array;
  readonly photo: string;
  readonly crop: string;
}

export interface NewDecision {
  readonly source: string;
  /** The crop's content name (`contentName` of `cropImage`). */
  readonly crop: string;
  /** The crop's encoded bytes, stored with the decision. */
  readonly cropImage: Uint8Array;
  readonly box: { x: number; y: number; width: number; height: number };
  readonly personId: number | null;
  readonly personName: string | null;
  readonly distance: number | null;
  readonly outcome: Outcome;
  readonly decidedBy: 'auto' | null;
}

export interface DecisionRow {
  readonly id: number;
  readonly createdAt: string;
  readonly source: string;
  readonly crop: string;
  readonly box: { x: number; y: number; width: number; height: number };
  readonly personId: number | null;
  readonly personName: string | null;
  readonly distance: number | null;
  readonly outcome: Outcome;
  readonly decidedBy: 'auto' | 'admin' | null;
  readonly decidedAt: string | null;
}

export interface SessionRow {
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface TokenRow {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
}

interface DecisionRecord {
  id: number;
  created_at: string;
  source: string;
  crop: string;
  box: string;
  person_id: number | null;
  person_name: string | null;
  distance: number | null;
  outcome: Outcome;
  decided_by: 'auto' | 'admin' | null;
  decided_at: string | null;
}

const now = (): string => new Date().toISOString();

/** People with their number of embeddings and first crop; callers add the WHERE, GROUP BY and ORDER BY. */
const PEOPLE_SELECT = `SELECT p.id, p.name, p.created_at AS createdAt, COUNT(e.id) AS embeddings,
       (SELECT crop FROM embeddings WHERE person_id = p.id ORDER BY id LIMIT 1) AS crop
FROM people p LEFT JOIN embeddings e ON e.person_id = p.id`;

export class FaceDatabase {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  /** Applies the migrations newer than the file's `user_version`, each in its own transaction. */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`${this.file}: database schema version ${version} is newer than this program knows (${MIGRATIONS.length}); upgrade tensile`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /** SQLite's own check of the file; 'ok' when intact. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check).join('; ');
  }

  close(): void {
    this.db.close();
  }

  // People and embeddings

  /** Creates a person with their embeddings in one transaction; returns the id. */
  enrol(name: string, embedder: string, embeddings: readonly NewEmbedding[]): number {
    return this.db.transaction(() => {
      const id = Number(this.db.prepare('INSERT INTO people (name, created_at) VALUES (?, ?)').run(name, now()).lastInsertRowid);
      this.insertEmbeddings(id, embedder, embeddings);
      return id;
    })();
  }

  /** Adds embeddings to a person; false when the person does not exist. */
  addEmbeddings(personId: number, embedder: string, embeddings: readonly NewEmbedding[]): boolean {
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM people WHERE id = ?').get(personId) === undefined) return false;
      this.insertEmbeddings(personId, embedder, embeddings);
      return true;
    })();
  }

  private insertEmbeddings(personId: number, embedder: string, embeddings: readonly NewEmbedding[]): void {
    const insert = this.db.prepare('INSERT INTO embeddings (person_id, embedder, vector, photo, crop, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    for (const e of embeddings) {
      insert.run(personId, embedder, Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength), e.photo, e.crop, now());
    }
  }

  people(): PersonRow[] {
    return this.db.prepare(`${PEOPLE_SELECT} GROUP BY p.id ORDER BY p.name COLLATE NOCASE, p.id`).all() as PersonRow[];
  }

  /** The name of person `id`, without the people list's join (identification asks for every face). */
  personName(id: number): string | undefined {
    const row = this.db.prepare('SELECT name FROM people WHERE id = ?').get(id) as { name: string } | undefined;
    return row?.name;
  }

  person(id: number): PersonRow | undefined {
    return this.db.prepare(`${PEOPLE_SELECT} WHERE p.id = ? GROUP BY p.id`).get(id) as PersonRow | undefined;
  }

  rename(id: number, name: string): boolean {
    return this.db.prepare('UPDATE people SET name = ? WHERE id = ?').run(name, id).changes === 1;
  }

  /** Deletes the person and their embeddings; decisions keep the name they were made with. */
  deletePerson(id: number): boolean {
    return this.db.prepare('DELETE FROM people WHERE id = ?').run(id).changes === 1;
  }

  /** Every embedding made by `embedder`, for the in-memory gallery. */
  embeddings(embedder: string): StoredEmbedding[] {
    const rows = this.db.prepare('SELECT person_id AS personId, vector FROM embeddings WHERE embedder = ? ORDER BY id').all(embedder) as { personId: number; vector: Buffer }[];
    return rows.map((row) => ({ personId: row.personId, vector: new Float32Array(new Uint8Array(row.vector).buffer) }));
  }

  /** People enrolled only with another embedder (they cannot be recognised by this one). */
  peopleWithoutEmbeddings(embedder: string): number {
    const row = this.db.prepare('SELECT COUNT(*) AS n FROM people p WHERE NOT EXISTS (SELECT 1 FROM embeddings e WHERE e.person_id = p.id AND e.embedder = ?)').get(embedder) as { n: number };
    return row.n;
  }

  /** Every content-store name the database refers to. */
  referencedFiles(): Set<string> {
    const rows = this.db.prepare('SELECT photo AS name FROM embeddings UNION SELECT crop FROM embeddings UNION SELECT crop FROM decisions').all() as { name: string }[];
    return new Set(rows.map((row) => row.name));
  }

  // Decisions

  /**
   * Logs a photograph's decisions with their crops in one transaction, committed without waiting for
   * the disk (`synchronous = NORMAL`; everything else here is FULL): in WAL mode such a commit survives
   * the process being killed, and only a power cut or an OS crash can roll back the last ones, never
   * half of one. It spares every camera request an fsync on the main thread (1–11 ms on this machine's
   * disk); the next FULL commit or checkpoint makes the log durable up to it.
   */
  recordDecisions(decisions: readonly NewDecision[]): number[] {
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.logDecisions(decisions);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  private logDecisions(decisions: readonly NewDecision[]): number[] {
    return this.db.transaction(() => {
      const insertCrop = this.db.prepare('INSERT OR IGNORE INTO crops (hash, image) VALUES (?, ?)');
      const insert = this.db.prepare(
        'INSERT INTO decisions (created_at, source, crop, box, person_id, person_name, distance, outcome, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      return decisions.map((d) => {
        insertCrop.run(d.crop, d.cropImage);
        const at = now();
        return Number(insert.run(at, d.source, d.crop, JSON.stringify(d.box), d.personId, d.personName, d.distance, d.outcome, d.decidedBy, d.decidedBy ? at : null).lastInsertRowid);
      });
    })();
  }

  /** An identification's crop stored with its decision, by content name. */
  crop(hash: string): Uint8Array | undefined {
    const row = this.db.prepare('SELECT image FROM crops WHERE hash = ?').get(hash) as { image: Buffer } | undefined;
    return row && new Uint8Array(row.image.buffer, row.image.byteOffset, row.image.length);
  }

  /** Newest first; `after` returns only decisions with a larger id, `pending` only those awaiting review. */
  decisions(options: { after?: number; limit: number; pending?: boolean }): DecisionRow[] {
    const where = [options.after !== undefined ? 'id > @after' : '1', options.pending ? "outcome = 'review'" : '1'].join(' AND ');
    const rows = this.db.prepare(`SELECT * FROM decisions WHERE ${where} ORDER BY id DESC LIMIT @limit`).all({ after: options.after, limit: options.limit }) as DecisionRecord[];
    return rows.map(decisionFromRecord);
  }

  decision(id: number): DecisionRow | undefined {
    const row = this.db.prepare('SELECT * FROM decisions WHERE id = ?').get(id) as DecisionRecord | undefined;
    return row && decisionFromRecord(row);
  }

  /** The administrator's allow or deny of a pending decision; 'missing' or 'decided' when it cannot be. */
  resolveDecision(id: number, outcome: 'allow' | 'deny'): DecisionRow | 'missing' | 'decided' {
    return this.db.transaction(() => {
      const current = this.decision(id);
      if (current === undefined) return 'missing';
      if (current.outcome !== 'review') return 'decided';
      this.db.prepare("UPDATE decisions SET outcome = ?, decided_by = 'admin', decided_at = ? WHERE id = ?").run(outcome, now(), id);
      return this.decision(id)!;
    })();
  }

  countDecisions(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM decisions').get() as { n: number }).n;
  }

  // Settings (JSON values)

  setting<T>(key: string): T | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row && (JSON.parse(row.value) as T);
  }

  setSetting(key: string, value: unknown): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
  }

  // Sessions (stored by the SHA-256 of their id, so the file alone cannot sign anyone in)

  createSession(idHash: string, csrf: string, expiresAt: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM sessions WHERE expires_at < ?').run(Date.now());
      this.db.prepare('INSERT INTO sessions (id_hash, csrf, expires_at) VALUES (?, ?, ?)').run(idHash, csrf, expiresAt);
    })();
  }

  session(idHash: string): SessionRow | undefined {
    const row = this.db.prepare('SELECT csrf, expires_at AS expiresAt FROM sessions WHERE id_hash = ? AND expires_at > ?').get(idHash, Date.now()) as SessionRow | undefined;
    return row;
  }

  deleteSession(idHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash);
  }

  deleteAllSessions(): void {
    this.db.prepare('DELETE FROM sessions').run();
  }

  // Camera tokens (stored by SHA-256)

  createToken(name: string, tokenHash: string): TokenRow {
    const id = Number(this.db.prepare('INSERT INTO api_tokens (name, token_hash, created_at) VALUES (?, ?, ?)').run(name, tokenHash, now()).lastInsertRowid);
    return this.tokens().find((t) => t.id === id)!;
  }

  tokens(): TokenRow[] {
    return this.db.prepare('SELECT id, name, created_at AS createdAt FROM api_tokens ORDER BY id').all() as TokenRow[];
  }

  tokenByHash(tokenHash: string): TokenRow | undefined {
    return this.db.prepare('SELECT id, name, created_at AS createdAt FROM api_tokens WHERE token_hash = ?').get(tokenHash) as TokenRow | undefined;
  }

  deleteToken(id: number): boolean {
    return this.db.prepare('DELETE FROM api_tokens WHERE id = ?').run(id).changes === 1;
  }
}

function decisionFromRecord(r: DecisionRecord): DecisionRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    source: r.source,
    crop: r.crop,
    box: JSON.parse(r.box) as DecisionRow['box'],
    personId: r.person_id,
    personName: r.person_name,
    distance: r.distance,
    outcome: r.outcome,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
  };
}
