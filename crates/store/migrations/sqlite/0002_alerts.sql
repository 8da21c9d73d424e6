-- Alerts raised by the models, with the evidence rows that made them fire.
-- Evidence cites rows of uploads by (dataset, upload folder, spreadsheet row): uploads are
-- immutable files, so the cited rows are frozen as they were when the alert was raised.

CREATE TABLE alerts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    model         TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    subject       TEXT NOT NULL,
    program       TEXT NOT NULL,          -- '' where the model's subject has no programme
    name          TEXT NOT NULL,
    amount_fen    INTEGER,                -- NULL where the model defines no amount
    responsible   TEXT NOT NULL,
    status        TEXT NOT NULL,          -- 'open' until the verification loop closes it
    raised_at     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    previous_id   INTEGER REFERENCES alerts(id)
);
-- One open alert per (model, subject): re-runs add evidence to it.
CREATE UNIQUE INDEX alerts_one_open ON alerts(model, subject, program) WHERE status = 'open';
CREATE INDEX alerts_by_key ON alerts(model, subject, program);

CREATE TABLE alert_evidence (
    alert_id   INTEGER NOT NULL REFERENCES alerts(id),
    dataset    TEXT NOT NULL,
    upload_dir TEXT NOT NULL,
    row_no     INTEGER NOT NULL,
    amount_fen INTEGER,                   -- the suspect amount this firing row carries
    firing     INTEGER NOT NULL,          -- 1: a row that fired; 0: a row that supports it
    added_at   TEXT NOT NULL,
    PRIMARY KEY (alert_id, dataset, upload_dir, row_no)
);

CREATE TABLE model_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    models      TEXT NOT NULL,            -- the models run, with versions
    raised      INTEGER NOT NULL,
    updated     INTEGER NOT NULL
);
