-- The data plane: settings, the data standard, organisations and uploads.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Dataset type definitions in the standard's shape (JSON of a [types.X] table).
CREATE TABLE dataset_types (
    name       TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    builtin    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE programs (
    code       TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    parent_id  INTEGER REFERENCES orgs(id),
    created_at TEXT NOT NULL
);

CREATE TABLE uploads (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dataset_type TEXT NOT NULL REFERENCES dataset_types(name),
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    period       TEXT NOT NULL,           -- 'YYYY-MM', or '' for snapshot types
    file_name    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,           -- UTC, RFC 3339
    dir          TEXT NOT NULL UNIQUE     -- folder under uploads/ holding the Parquet files
);
CREATE INDEX uploads_by_scope ON uploads(dataset_type, org_id, period);
CREATE INDEX uploads_by_sha ON uploads(sha256);

-- The replaceable parts of an upload: one per partition value ('' without partition).
CREATE TABLE upload_slices (
    upload_id     INTEGER NOT NULL REFERENCES uploads(id),
    dataset_type  TEXT NOT NULL,
    org_id        INTEGER NOT NULL,
    period        TEXT NOT NULL,
    partition_key TEXT NOT NULL,
    row_count     INTEGER NOT NULL,
    file          TEXT NOT NULL,
    superseded_by INTEGER REFERENCES uploads(id),
    PRIMARY KEY (upload_id, partition_key)
);
-- At most one current slice per (type, organisation, month, partition): the database itself
-- refuses a second, whatever races the application has.
CREATE UNIQUE INDEX upload_slices_current
    ON upload_slices(dataset_type, org_id, period, partition_key)
    WHERE superseded_by IS NULL;
CREATE INDEX upload_slices_by_type ON upload_slices(dataset_type, superseded_by);
