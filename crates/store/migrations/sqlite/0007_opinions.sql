-- Integrity opinions (廉政意见回复): a request names its purpose, the requesting organisation,
-- the reply date and its persons; each person gets the facts found and a drafted opinion.
-- drafted → in_review → approved, or back to drafted with the reviewer's comments.

CREATE TABLE opinion_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reference       TEXT NOT NULL UNIQUE,      -- the request's own reference (来文编号)
    purpose         TEXT NOT NULL,             -- 提拔任用 | 评先评优 | 人选推荐 | ...
    requesting_org  TEXT NOT NULL,
    reply_date      TEXT NOT NULL,             -- facts are as of this day
    stage           TEXT NOT NULL,             -- drafted | in_review | approved
    drafted_by      TEXT NOT NULL,
    drafted_at      TEXT NOT NULL,
    reviewed_by     TEXT,
    reviewed_at     TEXT,
    approved_by     TEXT,
    approved_at     TEXT,
    return_comment  TEXT NOT NULL DEFAULT ''
);

CREATE TABLE opinion_persons (
    request_id      INTEGER NOT NULL REFERENCES opinion_requests(id),
    seq             INTEGER NOT NULL,
    id_number       TEXT NOT NULL,
    name            TEXT NOT NULL,
    org             TEXT NOT NULL,             -- from the supervised-person record, '' if none
    position        TEXT NOT NULL,
    verdict         TEXT NOT NULL,             -- clean | noted | under_review | barred
    findings        TEXT NOT NULL,             -- JSON: the facts found, frozen at compilation
    drafted_opinion TEXT NOT NULL,             -- what the rules drafted
    opinion         TEXT NOT NULL,             -- the wording as edited
    PRIMARY KEY (request_id, seq)
);
CREATE INDEX opinion_persons_by_id ON opinion_persons(id_number);
