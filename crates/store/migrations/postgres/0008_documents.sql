-- 文件报送: documents sent to units or accounts, signed for (签收), read, replied to by a
-- deadline, replies sent back for revision; notices to all or chosen units with read receipts.

CREATE TABLE documents (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,        -- 明镜发〔2026〕7号, numbered per year when sent
    year           BIGINT NOT NULL,
    seq            BIGINT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    secrecy        TEXT NOT NULL,               -- 非密 | 内部 | 秘密
    sender         TEXT NOT NULL,               -- the sending account's username
    sender_org_id  BIGINT NOT NULL REFERENCES orgs(id),
    deadline       TEXT,                        -- YYYY-MM-DD: sign (and reply) by this day
    reply_required BIGINT NOT NULL,
    sent_at        TEXT NOT NULL,
    UNIQUE (year, seq)
);

-- One recipient: a whole unit (user_id 0: every account of it acts for it) or one account.
CREATE TABLE document_recipients (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents(id),
    org_id      BIGINT NOT NULL REFERENCES orgs(id),
    user_id     BIGINT NOT NULL DEFAULT 0,
    signed_by   TEXT,
    signed_at   TEXT,
    read_by     TEXT,
    read_at     TEXT,
    reply_state TEXT NOT NULL DEFAULT 'none',    -- none | replied | returned
    reminded_at TEXT,
    UNIQUE (document_id, org_id, user_id)
);
CREATE INDEX document_recipients_by_org ON document_recipients(org_id);

-- Every reply a recipient sent; the sender may return the latest for revision.
CREATE TABLE document_replies (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient_id     BIGINT NOT NULL REFERENCES document_recipients(id),
    body             TEXT NOT NULL,
    replied_by       TEXT NOT NULL,
    replied_at       TEXT NOT NULL,
    returned_comment TEXT,
    returned_at      TEXT
);
CREATE INDEX document_replies_by_recipient ON document_replies(recipient_id);

CREATE TABLE notices (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    pinned        BIGINT NOT NULL DEFAULT 0,
    to_all        BIGINT NOT NULL,
    author        TEXT NOT NULL,
    author_org_id BIGINT NOT NULL REFERENCES orgs(id),
    published_at  TEXT NOT NULL
);
CREATE TABLE notice_targets (
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    org_id    BIGINT NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (notice_id, org_id)
);
CREATE TABLE notice_reads (
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    user_id   BIGINT NOT NULL REFERENCES users(id),
    read_at   TEXT NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);
