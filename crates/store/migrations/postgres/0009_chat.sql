-- Instant messaging: one-to-one chats (one per pair), a group per unit, ad hoc groups.
CREATE TABLE conversations (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT NOT NULL,                -- direct | unit | grp
    name       TEXT NOT NULL,                -- '' for a direct chat
    org_id     BIGINT REFERENCES orgs(id),  -- the unit of a unit group
    pair       TEXT UNIQUE,                  -- 'low:high' user ids of a direct chat
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX conversations_one_per_unit ON conversations(org_id) WHERE kind = 'unit';

CREATE TABLE conversation_members (
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    user_id         BIGINT NOT NULL REFERENCES users(id),
    last_read       BIGINT NOT NULL DEFAULT 0,   -- the last message id this member has read
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX conversation_members_by_user ON conversation_members(user_id);

CREATE TABLE messages (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations(id),
    sender_id       BIGINT NOT NULL REFERENCES users(id),
    body            TEXT NOT NULL,
    file_id         BIGINT REFERENCES files(id),
    sent_at         TEXT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
