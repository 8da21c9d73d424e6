-- The model library: every version of every model (built-in and self-service) as its
-- specification text, which version is current, whether it is enabled, and what it reads.
-- A parameter change is a new version: alerts name the version that raised them.

CREATE TABLE models (
    id              TEXT PRIMARY KEY,
    builtin         BIGINT NOT NULL,
    enabled         BIGINT NOT NULL,
    current_version BIGINT NOT NULL,
    reads           TEXT NOT NULL,        -- dataset types it reads, comma-separated (from its plan)
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE model_versions (
    model_id   TEXT NOT NULL REFERENCES models(id),
    version    BIGINT NOT NULL,
    spec       TEXT NOT NULL,             -- the specification as a TOML file
    note       TEXT NOT NULL,             -- why this version exists
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (model_id, version)
);

-- Which condition of its model each evidence row satisfied (fire, require.N, require_any.N).
ALTER TABLE alert_evidence ADD COLUMN condition_tag TEXT NOT NULL DEFAULT 'fire';

-- What each model found in each run.
ALTER TABLE model_runs ADD COLUMN run_trigger TEXT NOT NULL DEFAULT 'manual';
CREATE TABLE model_run_results (
    run_id        BIGINT NOT NULL REFERENCES model_runs(id),
    model         TEXT NOT NULL,
    model_version BIGINT NOT NULL,
    hits          BIGINT NOT NULL,
    raised        BIGINT NOT NULL,
    updated       BIGINT NOT NULL,
    PRIMARY KEY (run_id, model)
);
