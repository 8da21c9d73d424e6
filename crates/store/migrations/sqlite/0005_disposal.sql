-- The verification loop (预警处置闭环): where each alert stands, who must verify it by when,
-- what the unit found, what the commission decided, and who was held accountable.
-- `alerts.status` stays the standard's coarse state (open | closed); `stage` is the loop's.

ALTER TABLE alerts ADD COLUMN stage TEXT NOT NULL DEFAULT 'unrouted';
ALTER TABLE alerts ADD COLUMN org_id INTEGER REFERENCES orgs(id);   -- the unit it is routed to
ALTER TABLE alerts ADD COLUMN routed_at TEXT;
ALTER TABLE alerts ADD COLUMN deadline TEXT;                       -- 'YYYY-MM-DD', last day to verify
ALTER TABLE alerts ADD COLUMN escalated_at TEXT;                   -- overdue, reported to the commission
ALTER TABLE alerts ADD COLUMN conclusion TEXT;                     -- the approved verification's
ALTER TABLE alerts ADD COLUMN closed_at TEXT;
UPDATE alerts SET stage = 'closed' WHERE status = 'closed';
CREATE INDEX alerts_by_stage ON alerts(stage, deadline);
CREATE INDEX alerts_by_subject ON alerts(subject);

-- Days a unit has to verify the model's alerts.
ALTER TABLE models ADD COLUMN deadline_days INTEGER NOT NULL DEFAULT 15;

-- Every step an alert took, in order: the alert's own history beside the audit log.
CREATE TABLE alert_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id   INTEGER NOT NULL REFERENCES alerts(id),
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,              -- account name, or 'system' for routing and escalation
    org        TEXT NOT NULL,              -- the actor's organisation
    step       TEXT NOT NULL,              -- route | submit | return | approve | transfer | escalate | account
    from_stage TEXT NOT NULL,
    to_stage   TEXT NOT NULL,
    comment    TEXT NOT NULL
);
CREATE INDEX alert_events_by_alert ON alert_events(alert_id, id);

-- Each verification a unit submitted (a returned one stays, with the review that returned it).
CREATE TABLE verifications (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id            INTEGER NOT NULL REFERENCES alerts(id),
    round               INTEGER NOT NULL,
    conclusion          TEXT NOT NULL,     -- 属实 | 部分属实 | 不属实
    records_corrected   INTEGER NOT NULL,
    persons_removed     INTEGER NOT NULL,
    recovered_fen       INTEGER NOT NULL,
    stopped_monthly_fen INTEGER NOT NULL,  -- forward savings: the monthly payment stopped
    other_outcomes      TEXT NOT NULL,
    explanation         TEXT NOT NULL,
    submitted_by        TEXT NOT NULL,
    org_id              INTEGER NOT NULL REFERENCES orgs(id),
    submitted_at        TEXT NOT NULL,
    decision            TEXT,              -- NULL while pending; approve | return | transfer
    review_comment      TEXT NOT NULL DEFAULT '',
    reviewed_by         TEXT,
    reviewed_at         TEXT,
    UNIQUE (alert_id, round)
);

CREATE TABLE accountability (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id     INTEGER NOT NULL REFERENCES alerts(id),
    kind         TEXT NOT NULL,            -- 约谈 | 诫勉 | 通报 | 问责
    persons      TEXT NOT NULL,            -- names, one per line
    person_count INTEGER NOT NULL,
    decided_on   TEXT NOT NULL,
    document     TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX accountability_by_alert ON accountability(alert_id);

-- Supervision recommendations (纪检监察建议书) to a department, and its reply.
CREATE TABLE recommendations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    number      TEXT NOT NULL UNIQUE,      -- e.g. 〔2026〕3号
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    title       TEXT NOT NULL,
    content     TEXT NOT NULL,
    reply_due   TEXT NOT NULL,
    issued_by   TEXT NOT NULL,
    issued_at   TEXT NOT NULL,
    reply       TEXT,
    replied_by  TEXT,
    replied_at  TEXT
);
CREATE TABLE recommendation_alerts (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id),
    alert_id          INTEGER NOT NULL REFERENCES alerts(id),
    PRIMARY KEY (recommendation_id, alert_id)
);

-- Files (attachments), stored once per content under files/ of the data directory.
CREATE TABLE files (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256       TEXT NOT NULL,
    size         INTEGER NOT NULL,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,            -- as read off the content, not the name
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
-- What a file is attached to ('verification:7', 'accountability:2', 'recommendation:1', ...).
CREATE TABLE file_links (
    file_id INTEGER NOT NULL REFERENCES files(id),
    object  TEXT NOT NULL,
    PRIMARY KEY (file_id, object)
);
CREATE INDEX file_links_by_object ON file_links(object);

-- What users must act on. A notification is for the users of `org_id` (any when NULL) who hold
-- `permission` (any when ''); `dedup` makes reminders idempotent.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER REFERENCES orgs(id),
    permission TEXT NOT NULL,
    kind       TEXT NOT NULL,
    object     TEXT NOT NULL,
    message    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    dedup      TEXT UNIQUE
);
CREATE TABLE notification_reads (
    notification_id INTEGER NOT NULL REFERENCES notifications(id),
    user_id         INTEGER NOT NULL REFERENCES users(id),
    read_at         TEXT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);
