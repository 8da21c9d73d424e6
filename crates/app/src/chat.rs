//! Chat between accounts: who is a member of a conversation (a unit's group holds only those
//! still in the unit), messages checked and stored, ad hoc groups. Sending and starting a
//! group are audited here; delivering to open sockets is the server's.

use crate::documents::Viewer;
use crate::{Actor, AppError, Platform};
use mingjing_store::chat::Message;

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 5000;

impl Platform {
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
