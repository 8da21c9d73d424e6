//! Chat between accounts: who is a member of a conversation (a unit's group holds only those
//! still in the unit), messages checked and stored, ad hoc groups. Sending and starting a
//! group are audited here; delivering to open sockets is the server's.

use crate::documents::Viewer;
use crate::{Actor, AppError, Platform};
use mingjing_store::chat::{ChatListener, Message};

/// A message with its sender's name and its file's.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct MessageSeen {
    #[serde(flatten)]
    pub message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// A member of a conversation.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Member {
    pub id: i64,
    pub name: String,
}

/// A conversation as its member lists it: a one-to-one chat is titled with the other
/// account's name.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ConversationSeen {
    pub id: i64,
    /// `direct`, `unit` or `grp`.
    pub kind: String,
    pub title: String,
    pub unread: i64,
    pub members: Vec<Member>,
    pub last: Option<MessageSeen>,
}

/// An account one can chat with, and its unit.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Contact {
    pub id: i64,
    pub name: String,
    pub org: String,
}

/// The longest history page.
const HISTORY_PAGE: i64 = 50;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 5000;

impl Platform {
    /// A message as members read it. A sender or file that cannot be read is left out: the
    /// message itself is the truth.
    pub async fn message_seen(&self, m: &Message) -> MessageSeen {
        let sender = match self.meta.user(m.sender_id).await {
            Ok(Some(u)) => Some(u.display_name),
            _ => None,
        };
        let file_name = match m.file_id {
            Some(f) => match self.meta.file(f).await {
                Ok(Some((file, _))) => Some(file.name),
                _ => None,
            },
            None => None,
        };
        MessageSeen {
            message: m.clone(),
            sender,
            file_name,
        }
    }

    /// `v`'s conversations, its unit's group among them (made on first look), with unread
    /// counts; and the unread in all.
    pub async fn conversations_for(
        &self,
        v: &Viewer,
        org_name: &str,
    ) -> Result<(Vec<ConversationSeen>, i64), AppError> {
        self.meta
            .unit_conversation(v.org_id, org_name, v.user_id)
            .await?;
        let users = self.meta.users().await?;
        let name_of = |id: i64| {
            users
                .iter()
                .find(|u| u.id == id)
                .map_or_else(String::new, |u| u.display_name.clone())
        };
        let mut out = Vec::new();
        for x in self.meta.conversations_of(v.user_id).await? {
            if x.kind == "unit" && x.org_id != Some(v.org_id) {
                continue; // moved to another unit
            }
            let title = match x.kind.as_str() {
                "direct" => x
                    .members
                    .iter()
                    .find(|m| **m != v.user_id)
                    .map(|m| name_of(*m))
                    .unwrap_or_default(),
                _ => x.name.clone(),
            };
            let last = match &x.last {
                Some(m) => Some(self.message_seen(m).await),
                None => None,
            };
            out.push(ConversationSeen {
                id: x.id,
                kind: x.kind.clone(),
                title,
                unread: x.unread,
                members: x
                    .members
                    .iter()
                    .map(|m| Member {
                        id: *m,
                        name: name_of(*m),
                    })
                    .collect(),
                last,
            });
        }
        let unread = out.iter().map(|x| x.unread).sum();
        Ok((out, unread))
    }

    /// The enabled accounts, with their units.
    pub async fn contacts(&self) -> Result<Vec<Contact>, AppError> {
        let orgs = self.meta.org_tree().await?;
        Ok(self
            .meta
            .users()
            .await?
            .into_iter()
            .filter(|u| u.enabled)
            .map(|u| Contact {
                org: orgs
                    .iter()
                    .find(|o| o.id == u.org_id)
                    .map_or_else(String::new, |o| o.name.clone()),
                id: u.id,
                name: u.display_name,
            })
            .collect())
    }

    /// A member's history: a page before message `before`, or the messages containing `q`.
    pub async fn history(
        &self,
        v: &Viewer,
        id: i64,
        before: Option<i64>,
        q: &str,
    ) -> Result<Vec<MessageSeen>, AppError> {
        self.check_member(v, id).await?;
        let list = self
            .meta
            .messages(id, before, q.trim(), HISTORY_PAGE)
            .await?;
        let mut out = Vec::with_capacity(list.len());
        for m in &list {
            out.push(self.message_seen(m).await);
        }
        Ok(out)
    }

    /// A member has read the conversation up to a message.
    pub async fn mark_read(&self, v: &Viewer, id: i64, up_to: i64) -> Result<(), AppError> {
        self.check_member(v, id).await?;
        Ok(self.meta.mark_read(id, v.user_id, up_to).await?)
    }

    /// The accounts a message is delivered to.
    pub async fn members_of(&self, conversation: i64) -> Result<Vec<i64>, AppError> {
        Ok(self.meta.conversation_members(conversation).await?)
    }

    pub async fn message(&self, id: i64) -> Result<Option<Message>, AppError> {
        Ok(self.meta.message(id).await?)
    }

    /// On PostgreSQL, the announcements of messages stored by any process; none on SQLite,
    /// where every message is stored by this process and delivered as it is stored.
    pub async fn chat_listener(&self) -> Result<Option<ChatListener>, AppError> {
        Ok(self.meta.chat_listener().await?)
    }

    /// Whether this process stores every message itself (SQLite: one process).
    pub fn delivers_in_process(&self) -> bool {
        self.meta.backend() == mingjing_store::Backend::Sqlite
    }

    /// Refuses (as not found) someone who is not a member of conversation `id`.
    pub async fn check_member(&self, v: &Viewer, id: i64) -> Result<(), AppError> {
        // One indexed look, not the account's whole list: this runs before every message.
        match self.meta.membership(id, v.user_id).await? {
            Some((kind, org)) if kind != "unit" || org == Some(v.org_id) => Ok(()),
            _ => Err(AppError::NotFound("会话不存在".into())),
        }
    }

    /// Stores a member's message (text, and/or one of their uploaded files); audited
    /// (`chat.send`).
    pub async fn send_message(
        &self,
        actor: &Actor,
        v: &Viewer,
        id: i64,
        body: &str,
        file: Option<i64>,
    ) -> Result<Message, AppError> {
        self.check_member(v, id).await?;
        let body = body.trim();
        if (body.is_empty() && file.is_none()) || body.chars().count() > MAX_MESSAGE_CHARS {
            return Err(AppError::Invalid(format!(
                "消息须为 1 到 {MAX_MESSAGE_CHARS} 字，或附一个文件"
            )));
        }
        let m = self
            .meta
            .add_message(id, v.user_id, &v.username, body, file)
            .await?;
        let mut e = actor.entry("chat.send", format!("conversation:{id}"), "ok");
        e.detail = format!("message {}", m.id);
        self.meta.audit(&e).await?;
        Ok(m)
    }

    /// A one-to-one conversation with an enabled account (the existing one if any), or a new
    /// named group of enabled accounts with the starter in it (audited `chat.group`).
    pub async fn start_conversation(
        &self,
        actor: &Actor,
        v: &Viewer,
        with: Option<i64>,
        members: &[i64],
        name: &str,
    ) -> Result<i64, AppError> {
        let users = self.meta.users().await?;
        let exists = |id: &i64| users.iter().any(|u| u.id == *id && u.enabled);
        let bad = |m: &str| AppError::Invalid(m.into());
        match with {
            Some(other) if exists(&other) => Ok(self
                .meta
                .direct_conversation(v.user_id, other, &v.username)
                .await?),
            Some(_) => Err(bad("对方账号不存在或已停用")),
            None => {
                let name = name.trim();
                if name.is_empty() || name.chars().count() > 50 {
                    return Err(bad("群名须为 1 到 50 字"));
                }
                if members.is_empty() || !members.iter().all(exists) {
                    return Err(bad("请选择有效的群成员"));
                }
                let mut all = members.to_vec();
                all.push(v.user_id);
                let id = self
                    .meta
                    .group_conversation(name, &all, &v.username)
                    .await?;
                self.meta
                    .audit(&actor.entry("chat.group", format!("conversation:{id}"), "ok"))
                    .await?;
                Ok(id)
            }
        }
    }
}
