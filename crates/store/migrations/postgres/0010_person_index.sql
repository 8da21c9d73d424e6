-- The person index behind 一键通 search: one row per registered resident, rebuilt from the
-- current household register (persons) whenever it changes. Names are searched by their
-- normalised key (traditional → simplified, widths folded) and, as candidates only, by pinyin.
CREATE TABLE person_index (
    id_number    TEXT PRIMARY KEY,
    handle       TEXT NOT NULL,     -- HMAC of the ID under this deployment's key: opens the
                                    -- page for callers who see IDs masked, and reveals nothing
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    pinyin_key   TEXT NOT NULL,
    gender       TEXT NOT NULL,
    birth_date   TEXT NOT NULL,     -- YYYY-MM-DD (from the ID when the register has none)
    household_id TEXT NOT NULL,
    relation     TEXT NOT NULL,
    town         TEXT NOT NULL,
    village      TEXT NOT NULL
);
CREATE INDEX person_index_by_name ON person_index(name_key text_pattern_ops);
CREATE INDEX person_index_by_pinyin ON person_index(pinyin_key);
CREATE INDEX person_index_by_household ON person_index(household_id);
CREATE UNIQUE INDEX person_index_by_handle ON person_index(handle);
