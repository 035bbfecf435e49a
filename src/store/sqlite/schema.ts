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
  // Version 2: the catalog is scoped per project. Every row gets a project; keys include it, so
  // two projects may use the same instance id without touching each other. Rows from the
  // single-catalog days go to their compose project when their metadata names one, else to
  // "default".
  (db) =>
    db.exec(`
      ALTER TABLE changes ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
      CREATE TABLE instances2 (
        project  TEXT NOT NULL,
        id       TEXT NOT NULL,
        service  TEXT NOT NULL,
        address  TEXT NOT NULL,
        port     INTEGER NOT NULL,
        protocol TEXT NOT NULL,
        tags     TEXT NOT NULL,
        meta     TEXT NOT NULL,
        source   TEXT NOT NULL,
        checks   TEXT NOT NULL,
        modify_index INTEGER NOT NULL,
        PRIMARY KEY (project, id)
      );
      INSERT INTO instances2
        SELECT COALESCE(NULLIF(json_extract(meta, '$.compose_project'), ''), 'default'),
               id, service, address, port, protocol, tags, meta, source, checks, modify_index
        FROM instances;
      CREATE TEMP TABLE moved AS SELECT id, project FROM instances2;
      DROP TABLE instances;
      ALTER TABLE instances2 RENAME TO instances;
      CREATE INDEX instances_by_source ON instances(project, source);
      CREATE INDEX instances_by_service ON instances(project, service);

      CREATE TABLE check_states2 (
        project     TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        check_id    TEXT NOT NULL,
        status      TEXT NOT NULL,
        output      TEXT NOT NULL,
        reason      TEXT,
        since       INTEGER NOT NULL,
        last_result TEXT,
        PRIMARY KEY (project, instance_id, check_id)
      );
      INSERT INTO check_states2
        SELECT COALESCE((SELECT project FROM moved WHERE moved.id = c.instance_id), 'default'),
               instance_id, check_id, status, output, reason, since, last_result
        FROM check_states c;
      DROP TABLE check_states;
      ALTER TABLE check_states2 RENAME TO check_states;

      ALTER TABLE history ADD COLUMN project TEXT NOT NULL DEFAULT 'default';
      UPDATE history SET project = COALESCE((SELECT project FROM moved WHERE moved.id = history.instance_id), 'default');
      DROP INDEX history_by_instance;
      CREATE INDEX history_by_instance ON history(project, instance_id, at);

      CREATE TABLE ttl_reports2 (
        project     TEXT NOT NULL,
        instance_id TEXT NOT NULL,
        check_id    TEXT NOT NULL,
        status      TEXT NOT NULL,
        output      TEXT NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (project, instance_id, check_id)
      );
      INSERT INTO ttl_reports2
        SELECT COALESCE((SELECT project FROM moved WHERE moved.id = t.instance_id), 'default'),
               instance_id, check_id, status, output, at
        FROM ttl_reports t;
      DROP TABLE ttl_reports;
      ALTER TABLE ttl_reports2 RENAME TO ttl_reports;
      UPDATE changes SET project = COALESCE((SELECT project FROM moved WHERE moved.id = changes.instance_id), 'default');
      DROP TABLE moved;
    `),
];
