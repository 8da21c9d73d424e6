-- Triage (issue 25): each open alert's priority — the money its verification may be expected
-- to recover, in fen — and why, as lines people read; refreshed after every run and every
-- review (app/src/triage.rs). Closed alerts have none.
ALTER TABLE alerts ADD COLUMN priority_fen BIGINT;
ALTER TABLE alerts ADD COLUMN priority_reasons TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_by_priority ON alerts(priority_fen);
