import type { Migration } from '../../core/sqlite.js';

export const catalogMigrations: Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE changes (
        idx         INTEGER PRIMARY KEY AUTOINCREMENT,
        kind        TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        check_id    TEXT,
        at          INTEGER NOT NULL
      );
      CREATE TABLE instances (
        id       TEXT PRIMARY KEY,
        service  TEXT NOT NULL,
        address  TEXT NOT NULL,
        port     INTEGER NOT NULL,
        protocol TEXT NOT NULL,
        tags     TEXT NOT NULL,
        meta     TEXT NOT NULL,
        source   TEXT NOT NULL,
        checks   TEXT NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE INDEX instances_by_source ON instances(source);
      CREATE INDEX instances_by_service ON instances(service);
      CREATE TABLE check_states (
        instance_id TEXT NOT NULL,
        check_id    TEXT NOT NULL,
        status      TEXT NOT NULL,
        output      TEXT NOT NULL,
        reason      TEXT,
        since       INTEGER NOT NULL,
        last_result TEXT,
        PRIMARY KEY (instance_id, check_id)
      );
      CREATE TABLE history (
        instance_id TEXT NOT NULL,
        check_id    TEXT NOT NULL,
        status      TEXT NOT NULL,
        at          INTEGER NOT NULL
      );
      CREATE INDEX history_by_instance ON history(instance_id, at);
      CREATE TABLE ttl_reports (
        instance_id TEXT NOT NULL,
        check_id    TEXT NOT NULL,
        status      TEXT NOT NULL,
        output      TEXT NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (instance_id, check_id)
      );
    `),
];
