-- Separation of duties held by the server (三员分立): role assignments and changes that can
-- widen a unit's data scope are proposed by the system administrator and take effect only
-- when the security administrator approves them. The proposal is kept whatever the outcome.
CREATE TABLE access_changes (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target      TEXT NOT NULL,            -- user:<id>, user:new:<username>, org:<id>
    change      TEXT NOT NULL,            -- JSON: the change as proposed (tagged by kind)
    summary     TEXT NOT NULL,            -- what it does, for the approver
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    status      TEXT NOT NULL,            -- pending | approved | rejected
    decided_by  TEXT,
    decided_at  TEXT,
    note        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX access_changes_by_status ON access_changes(status, id);

-- Who may upload which dataset type through the server: org:<id> or kind:<org kind>.
CREATE TABLE upload_rights (
    dataset_type TEXT NOT NULL REFERENCES dataset_types(name),
    uploader     TEXT NOT NULL,
    PRIMARY KEY (dataset_type, uploader)
);
-- Set once a type's list was seeded from the standard or edited: an emptied list stays empty.
ALTER TABLE dataset_types ADD COLUMN uploaders_set BIGINT NOT NULL DEFAULT 0;
