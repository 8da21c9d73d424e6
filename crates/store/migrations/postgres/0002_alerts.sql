-- Alerts raised by the models, with the evidence rows that made them fire.
-- Evidence cites rows of uploads by (dataset, upload folder, spreadsheet row): uploads are
-- immutable files, so the cited rows are frozen as they were when the alert was raised.

CREATE TABLE alerts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    model         TEXT NOT NULL,
    model_version BIGINT NOT NULL,
    subject       TEXT NOT NULL,
    program       TEXT NOT NULL,          -- '' where the model's subject has no programme
    name          TEXT NOT NULL,
    amount_fen    BIGINT,                -- NULL where the model defines no amount
    responsible   TEXT NOT NULL,
    status        TEXT NOT NULL,          -- 'open' until the verification loop closes it
    raised_at     TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    previous_id   BIGINT REFERENCES alerts(id)
);
-- One open alert per (model, subject): re-runs add evidence to it.
CREATE UNIQUE INDEX alerts_one_open ON alerts(model, subject, program) WHERE status = 'open';
CREATE INDEX alerts_by_key ON alerts(model, subject, program);

CREATE TABLE alert_evidence (
    alert_id   BIGINT NOT NULL REFERENCES alerts(id),
    dataset    TEXT NOT NULL,
    upload_dir TEXT NOT NULL,
    row_no     BIGINT NOT NULL,
    amount_fen BIGINT,                   -- the suspect amount this firing row carries
    firing     BIGINT NOT NULL,          -- 1: a row that fired; 0: a row that supports it
    added_at   TEXT NOT NULL,
    PRIMARY KEY (alert_id, dataset, upload_dir, row_no)
);

CREATE TABLE model_runs (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    as_of       TEXT NOT NULL,
    models      TEXT NOT NULL,            -- the models run, with versions
    raised      BIGINT NOT NULL,
    updated     BIGINT NOT NULL
);
