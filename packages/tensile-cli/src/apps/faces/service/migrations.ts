/**
 * The database schema as a list of migrations: entry i takes `PRAGMA user_version` from i to i + 1.
 * Append only; never edit a migration that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE embeddings (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    embedder TEXT NOT NULL,
    vector BLOB NOT NULL,
    photo TEXT NOT NULL,
    crop TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX embeddings_person ON embeddings(person_id);
  CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    source TEXT NOT NULL,
    crop TEXT NOT NULL,
    box TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id) ON DELETE SET NULL,
    person_name TEXT,
    distance REAL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allow', 'deny', 'review')),
    decided_by TEXT CHECK (decided_by IN ('auto', 'admin')),
    decided_at TEXT
  );
  CREATE INDEX decisions_pending ON decisions(id) WHERE outcome = 'review';
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    csrf TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  `,
  // Identification crops live in the database, written in the decision's own transaction: one commit
  // makes both durable, where a file needed two fsyncs of its own before the commit.
  `
  CREATE TABLE crops (
    hash TEXT PRIMARY KEY,
    image BLOB NOT NULL
  );
  `,
];
