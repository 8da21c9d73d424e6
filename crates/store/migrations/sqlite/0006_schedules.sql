-- When each organisation's data of a type is due (基础数据 → 报送计划): the day of the month by
-- which a monthly type's previous month, or a snapshot type's refresh, must be uploaded.
CREATE TABLE upload_schedules (
    dataset_type TEXT NOT NULL REFERENCES dataset_types(name),
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    due_day      INTEGER NOT NULL,        -- 1..28
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (dataset_type, org_id)
);

-- The village (村/社区) of an alert's subject, from the household register, beside its town.
ALTER TABLE alerts ADD COLUMN village TEXT NOT NULL DEFAULT '';
