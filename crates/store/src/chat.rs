//! Instant messaging: conversations (one per pair of accounts, one per unit, ad hoc groups),
//! their members with how far each has read, and messages. On PostgreSQL a new message is
//! announced with `NOTIFY mingjing_chat, '<id>'` so that every server process sharing the
//! database delivers it to its own connected members; SQLite has one process and no announcer.

use crate::StoreError;
use crate::meta::{Backend, Result, SqlStore};
use crate::texts::Texts;
use sqlx::Row;

/// The PostgreSQL channel new message ids are announced on.
pub const CHANNEL: &str = "mingjing_chat";

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Message {
    pub id: i64,
    pub conversation_id: i64,
    pub sender_id: i64,
    pub body: String,
    pub file_id: Option<i64>,
    pub sent_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Conversation {
    pub id: i64,
    /// `direct`, `unit` or `grp`.
    pub kind: String,
    pub name: String,
    pub org_id: Option<i64>,
    pub members: Vec<i64>,
    pub unread: i64,
    pub last: Option<Message>,
}

fn decode_message(texts: &Texts, r: &sqlx::any::AnyRow) -> Result<Message> {
    Ok(Message {
        id: r.try_get("id")?,
        conversation_id: r.try_get("conversation_id")?,
        sender_id: r.try_get("sender_id")?,
        body: texts.get(r, "messages", "body")?,
        file_id: r.try_get("file_id")?,
        sent_at: r.try_get("sent_at")?,
    })
}

/// Adds members to a conversation; one already in it stays as it is (its read mark kept).
async fn add_members(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    conversation: i64,
    users: &[i64],
) -> Result<()> {
    for u in users {
        sqlx::query(
            "INSERT INTO conversation_members (conversation_id, user_id) VALUES ($1, $2) \
             ON CONFLICT (conversation_id, user_id) DO NOTHING",
        )
        .bind(conversation)
        .bind(u)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// New message ids announced by any process on the database (PostgreSQL only).
pub struct ChatListener(sqlx::postgres::PgListener);

impl ChatListener {
    /// The next announced message id. A lost connection is re-established by the listener;
    /// messages announced meanwhile are not replayed (clients fetch history on reconnect).
    pub async fn next(&mut self) -> Result<i64> {
        loop {
            let n = self.0.recv().await?;
            if let Ok(id) = n.payload().parse() {
                return Ok(id);
            }
        }
    }
}

impl SqlStore {
    /// The unit's group, made on first use, with `user_id` as a member.
    pub async fn unit_conversation(&self, org_id: i64, name: &str, user_id: i64) -> Result<i64> {
        let mut tx = self.begin().await?;
        // Two first looks at once: one insert wins, both read the same group.
        sqlx::query(
            "INSERT INTO conversations (kind, name, org_id, created_by, created_at) \
             VALUES ('unit', $1, $2, 'system', $3) ON CONFLICT (org_id) WHERE kind = 'unit' DO NOTHING",
        )
        .bind(name)
        .bind(org_id)
        .bind(self.now_text())
        .execute(&mut *tx)
        .await?;
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM conversations WHERE kind = 'unit' AND org_id = $1")
                .bind(org_id)
                .fetch_one(&mut *tx)
                .await?;
        add_members(&mut tx, id, &[user_id]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The one chat between two accounts, made on first use.
    pub async fn direct_conversation(&self, a: i64, b: i64, by: &str) -> Result<i64> {
        if a == b {
            return Err(StoreError::Invalid("不能与自己对话".into()));
        }
        let pair = format!("{}:{}", a.min(b), a.max(b));
        let mut tx = self.begin().await?;
        // Both opening the chat at once: one insert wins, both read the same conversation.
        sqlx::query(
            "INSERT INTO conversations (kind, name, pair, created_by, created_at) \
             VALUES ('direct', '', $1, $2, $3) ON CONFLICT (pair) DO NOTHING",
        )
        .bind(&pair)
        .bind(by)
        .bind(self.now_text())
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM conversations WHERE pair = $1")
            .bind(&pair)
            .fetch_one(&mut *tx)
            .await?;
        add_members(&mut tx, id, &[a, b]).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// An ad hoc group of `members` (the creator among them).
    pub async fn group_conversation(&self, name: &str, members: &[i64], by: &str) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (kind, name, created_by, created_at) \
             VALUES ('grp', $1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(by)
        .bind(self.now_text())
        .fetch_one(&mut *tx)
        .await?;
        add_members(&mut tx, id, members).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The conversation's kind and unit when `user_id` is a member of it.
    pub async fn membership(&self, id: i64, user_id: i64) -> Result<Option<(String, Option<i64>)>> {
        Ok(sqlx::query_as(
            "SELECT c.kind, c.org_id FROM conversations c JOIN conversation_members m \
             ON m.conversation_id = c.id WHERE c.id = $1 AND m.user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// The members of a conversation.
    pub async fn conversation_members(&self, id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT user_id FROM conversation_members WHERE conversation_id = $1 ORDER BY user_id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The conversations `user_id` belongs to, the latest active first, with unread counts.
    pub async fn conversations_of(&self, user_id: i64) -> Result<Vec<Conversation>> {
        let rows = sqlx::query(
            "SELECT c.id, c.kind, c.name, c.org_id, m.last_read, \
             (SELECT COUNT(*) FROM messages x WHERE x.conversation_id = c.id AND x.id > m.last_read \
              AND x.sender_id <> $1) AS unread, \
             (SELECT MAX(x.id) FROM messages x WHERE x.conversation_id = c.id) AS last_id \
             FROM conversations c JOIN conversation_members m ON m.conversation_id = c.id \
             WHERE m.user_id = $1",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let last_id: Option<i64> = r.try_get("last_id")?;
            let last = match last_id {
                Some(m) => self.message(m).await?,
                None => None,
            };
            out.push(Conversation {
                id,
                kind: r.try_get("kind")?,
                name: r.try_get("name")?,
                org_id: r.try_get("org_id")?,
                members: self.conversation_members(id).await?,
                unread: r.try_get("unread")?,
                last,
            });
        }
        out.sort_by_key(|c| std::cmp::Reverse(c.last.as_ref().map_or(0, |m| m.id)));
        Ok(out)
    }

    pub async fn message(&self, id: i64) -> Result<Option<Message>> {
        let texts = self.texts()?;
        sqlx::query(
            "SELECT id, conversation_id, sender_id, body, file_id, sent_at FROM messages WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .as_ref()
        .map(|r| decode_message(&texts, r))
        .transpose()
    }

    /// Writes a message (its file linked as `message:<id>`, the sender's own upload only) and
    /// moves the sender's read mark past it; on PostgreSQL announces it to every process.
    pub async fn add_message(
        &self,
        conversation: i64,
        sender_id: i64,
        sender: &str,
        body: &str,
        file_id: Option<i64>,
    ) -> Result<Message> {
        let now = self.now_text();
        let texts = self.texts()?;
        let mut tx = self.begin().await?;
        // Before the message row, whose foreign key would refuse a missing file less kindly.
        if let Some(f) = file_id {
            crate::disposal::check_own_file(&mut tx, f, sender).await?;
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, sender_id, body, file_id, sent_at) \
             VALUES ($1, $2, '', $3, $4) RETURNING id",
        )
        .bind(conversation)
        .bind(sender_id)
        .bind(file_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        texts
            .write(&mut tx, "messages", id, &[("body", body)])
            .await?;
        if let Some(f) = file_id {
            crate::disposal::link_files(&mut tx, &[f], &format!("message:{id}"), sender).await?;
        }
        sqlx::query(
            "UPDATE conversation_members SET last_read = $1 WHERE conversation_id = $2 AND user_id = $3",
        )
        .bind(id)
        .bind(conversation)
        .bind(sender_id)
        .execute(&mut *tx)
        .await?;
        if self.backend() == Backend::Postgres {
            // Delivered with the commit, to every listening process.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Message {
            id,
            conversation_id: conversation,
            sender_id,
            body: body.to_string(),
            file_id,
            sent_at: now,
        })
    }

    /// Messages of a conversation before `before` (all when `None`), newest last, whose body
    /// contains `q`; at most `limit`. Bodies are sealed, so a search opens them page by page.
    pub async fn messages(
        &self,
        conversation: i64,
        before: Option<i64>,
        q: &str,
        limit: i64,
    ) -> Result<Vec<Message>> {
        let texts = self.texts()?;
        let q = q.to_lowercase();
        let want = usize::try_from(limit).unwrap_or(0);
        let page = if q.is_empty() { limit.max(1) } else { 500 };
        let mut before = before.unwrap_or(i64::MAX);
        let mut out = Vec::new();
        while out.len() < want {
            let rows = sqlx::query(
                "SELECT id, conversation_id, sender_id, body, file_id, sent_at FROM messages \
                 WHERE conversation_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
            )
            .bind(conversation)
            .bind(before)
            .bind(page)
            .fetch_all(self.pool())
            .await?;
            let Some(last) = rows.last() else { break };
            before = last.try_get("id")?;
            let full = rows.len() as i64 == page;
            for r in &rows {
                let m = decode_message(&texts, r)?;
                if m.body.to_lowercase().contains(&q) && out.len() < want {
                    out.push(m);
                }
            }
            if !full {
                break;
            }
        }
        out.reverse();
        Ok(out)
    }

    /// Moves a member's read mark forward (never back).
    pub async fn mark_read(&self, conversation: i64, user_id: i64, up_to: i64) -> Result<()> {
        sqlx::query(
            "UPDATE conversation_members SET last_read = $1 \
             WHERE conversation_id = $2 AND user_id = $3 AND last_read < $1",
        )
        .bind(up_to)
        .bind(conversation)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The conversation a message file belongs to (`message:<id>` links).
    pub async fn conversation_of_message(&self, message: i64) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT conversation_id FROM messages WHERE id = $1")
                .bind(message)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// A listener of announced messages on PostgreSQL; `None` on SQLite (one process).
    pub async fn chat_listener(&self) -> Result<Option<ChatListener>> {
        let Some(url) = self.url().filter(|_| self.backend() == Backend::Postgres) else {
            return Ok(None);
        };
        let mut l = sqlx::postgres::PgListener::connect(url).await?;
        l.listen(CHANNEL).await?;
        Ok(Some(ChatListener(l)))
    }
}
