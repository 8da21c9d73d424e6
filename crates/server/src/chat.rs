//! Instant messaging over WebSocket. Each process keeps the sockets of the accounts connected
//! to it (the hub). A message is written to the database first; then, on SQLite (one process)
//! it is delivered to the hub at once, and on PostgreSQL the commit's `NOTIFY` reaches the
//! listener of every process, which delivers it to its own members. Offline members read it
//! at their next sign-in from the unread counts and the history.

use crate::AppState;
use crate::contract::{Done, NewId, Upgraded};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::guard::Caller;
use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use mingjing_app::chat::{Contact, ConversationSeen, MessageSeen};
use mingjing_app::records::Message;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::mpsc;

/// One connected socket: its key and where to send it text.
type Outlet = (u64, mpsc::UnboundedSender<String>);

/// The sockets connected to this process, by account.
#[derive(Default)]
pub struct Hub {
    sockets: Mutex<HashMap<i64, Vec<Outlet>>>,
    next: std::sync::atomic::AtomicU64,
}

impl Hub {
    fn join(&self, user: i64) -> (u64, mpsc::UnboundedReceiver<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let key = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.sockets
            .lock()
            .expect("hub lock")
            .entry(user)
            .or_default()
            .push((key, tx));
        (key, rx)
    }

    fn leave(&self, user: i64, key: u64) {
        let mut s = self.sockets.lock().expect("hub lock");
        if let Some(v) = s.get_mut(&user) {
            v.retain(|(k, _)| *k != key);
            if v.is_empty() {
                s.remove(&user);
            }
        }
    }

    /// Sends `text` to every socket of these accounts on this process.
    fn send(&self, users: &[i64], text: &str) {
        let s = self.sockets.lock().expect("hub lock");
        for u in users {
            for (_, tx) in s.get(u).into_iter().flatten() {
                let _ = tx.send(text.to_string());
            }
        }
    }
}

/// Delivers a stored message to the members connected to this process.
pub async fn deliver(state: &AppState, m: &Message) {
    let members = match state.platform.members_of(m.conversation_id).await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, message = m.id, "chat delivery: members not read");
            return;
        }
    };
    let text =
        json!({ "type": "message", "message": state.platform.message_seen(m).await }).to_string();
    state.chat.send(&members, &text);
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Conversations {
    pub conversations: Vec<ConversationSeen>,
    pub unread: i64,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct People {
    pub people: Vec<Contact>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Messages {
    pub messages: Vec<MessageSeen>,
}

/// On PostgreSQL, delivers every message any process announces (reconnecting as needed).
pub fn spawn_listener(state: AppState) {
    tokio::spawn(async move {
        let mut listener = match state.platform.chat_listener().await {
            Ok(Some(l)) => l,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "chat listener not started");
                return;
            }
        };
        tracing::info!(
            channel = mingjing_app::records::CHANNEL,
            "chat listener started"
        );
        loop {
            match listener.next().await {
                Ok(id) => {
                    if let Ok(Some(m)) = state.platform.message(id).await {
                        deliver(&state, &m).await;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "chat listener");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            }
        }
    });
}

/// Stores and sends a message of the caller (text and/or one of their uploaded files).
async fn post(
    state: &AppState,
    c: &Caller,
    id: i64,
    body: &str,
    file: Option<i64>,
) -> ApiResult<Message> {
    let m = state
        .platform
        .send_message(&c.actor(), &c.viewer(), id, body, file)
        .await?;
    if state.platform.delivers_in_process() {
        deliver(state, &m).await;
    }
    Ok(m)
}

/// The caller's conversations (their unit's group made on first look), with unread counts.
pub async fn conversations(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
) -> ApiResult<Json<Conversations>> {
    let (conversations, unread) = state
        .platform
        .conversations_for(&c.viewer(), &c.org.name)
        .await?;
    Ok(Json(Conversations {
        conversations,
        unread,
    }))
}

/// The accounts one can chat with: enabled, with their unit.
pub async fn people(State(state): State<AppState>) -> ApiResult<Json<People>> {
    Ok(Json(People {
        people: state.platform.contacts().await?,
    }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct NewConversation {
    /// A one-to-one chat with this account.
    pub user_id: Option<i64>,
    /// Or an ad hoc group of these accounts, with a name.
    #[serde(default)]
    pub user_ids: Vec<i64>,
    #[serde(default)]
    pub name: String,
}

pub async fn start(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Json(b): Json<NewConversation>,
) -> ApiResult<Json<NewId>> {
    let id = state
        .platform
        .start_conversation(&c.actor(), &c.viewer(), b.user_id, &b.user_ids, &b.name)
        .await?;
    Ok(Json(NewId { id }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct HistoryQuery {
    pub before: Option<i64>,
    #[serde(default)]
    pub q: String,
}

/// History, 50 at a time before `before`, or searched by `q`.
pub async fn history(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Query(h): Query<HistoryQuery>,
) -> ApiResult<Json<Messages>> {
    let messages = state
        .platform
        .history(&c.viewer(), id, h.before, &h.q)
        .await?;
    Ok(Json(Messages { messages }))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct SendBody {
    #[serde(default)]
    pub body: String,
    pub file: Option<i64>,
}

pub async fn send(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<SendBody>,
) -> ApiResult<Json<MessageSeen>> {
    let m = post(&state, &c, id, &b.body, b.file).await?;
    Ok(Json(state.platform.message_seen(&m).await))
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct ReadBody {
    pub up_to: i64,
}

pub async fn read(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    Path(id): Path<i64>,
    Json(b): Json<ReadBody>,
) -> ApiResult<Json<Done>> {
    state.platform.mark_read(&c.viewer(), id, b.up_to).await?;
    Ok(Done::json())
}

/// The live channel. Refused from another origin (a page elsewhere cannot ride the cookie).
pub async fn socket(
    State(state): State<AppState>,
    Extension(c): Extension<Caller>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> ApiResult<Upgraded> {
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if let Some(origin) = headers.get("origin").and_then(|o| o.to_str().ok())
        && origin.split("://").nth(1) != Some(host)
    {
        state
            .platform
            .record_refusal(
                &c.actor(),
                "chat.connect",
                "websocket",
                "denied",
                "another origin",
            )
            .await?;
        return Err(ApiError::with(ErrorCode::Forbidden, "来源不符"));
    }
    Ok(Upgraded(ws.on_upgrade(move |socket| {
        session(state, c, headers, socket)
    })))
}

async fn session(state: AppState, c: Caller, headers: HeaderMap, mut socket: WebSocket) {
    let (key, mut outgoing) = state.chat.join(c.user.id);
    tracing::debug!(user = c.user.id, "chat connected");
    // A signed-out, expired or disabled session loses its channel within a minute.
    let mut check = tokio::time::interval(std::time::Duration::from_secs(60));
    check.tick().await;
    loop {
        tokio::select! {
            _ = check.tick() => {
                if !crate::guard::still_live(&state, &headers).await {
                    let _ = socket.send(WsMessage::Close(None)).await;
                    break;
                }
            }
            out = outgoing.recv() => match out {
                Some(text) => {
                    if socket.send(WsMessage::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    // {"type":"send","conversation":1,"body":"…","file":2}
                    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    if v["type"] == "send" {
                        let id = v["conversation"].as_i64().unwrap_or(0);
                        let body = v["body"].as_str().unwrap_or("");
                        if let Err(e) = post(&state, &c, id, body, v["file"].as_i64()).await {
                            let reply = json!({ "type": "error", "error": e.message.unwrap_or_else(|| e.code.message().to_string()) });
                            if socket.send(WsMessage::Text(reply.to_string().into())).await.is_err() {
                                break;
                            }
                        }
                    }
                }
                Some(Ok(WsMessage::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    state.chat.leave(c.user.id, key);
}
