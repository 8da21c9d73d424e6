-- The person index keeps no personal value in the clear (issue 22): the ID, the name, its keys
-- and the household are tokens (mingjing_crypto::columns), opened when read. An ID is found
-- by its token, or by the tokens of its region (digits 1-6) and last four (15-18) and by its
-- birth date (digits 7-14), which stays plain as the uploads' `_birth_` columns do; a name by
-- the tokens of its key, its pinyin key and its key's first one to four characters ('' when
-- the key is shorter). The index is derived data: emptied here, rebuilt from the register.
DROP TABLE person_index;
CREATE TABLE person_index (
    id_number    TEXT PRIMARY KEY,
    handle       TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_key     TEXT NOT NULL,
    pinyin_key   TEXT NOT NULL,
    name_p1      TEXT NOT NULL,
    name_p2      TEXT NOT NULL,
    name_p3      TEXT NOT NULL,
    name_p4      TEXT NOT NULL,
    id_region    TEXT NOT NULL,
    id_birth     TEXT NOT NULL,
    id_tail      TEXT NOT NULL,
    gender       TEXT NOT NULL,
    birth_date   TEXT NOT NULL,
    household_id TEXT NOT NULL,
    relation     TEXT NOT NULL,
    town         TEXT NOT NULL,
    village      TEXT NOT NULL
);
CREATE INDEX person_index_by_name ON person_index(name_key);
CREATE INDEX person_index_by_pinyin ON person_index(pinyin_key);
CREATE INDEX person_index_by_p1 ON person_index(name_p1);
CREATE INDEX person_index_by_p2 ON person_index(name_p2);
CREATE INDEX person_index_by_p3 ON person_index(name_p3);
CREATE INDEX person_index_by_p4 ON person_index(name_p4);
CREATE INDEX person_index_by_household ON person_index(household_id);
CREATE UNIQUE INDEX person_index_by_handle ON person_index(handle);
CREATE INDEX person_index_by_birth ON person_index(id_region, id_birth);
CREATE INDEX person_index_by_tail ON person_index(id_tail);
DELETE FROM settings WHERE key = 'person_index_source';
