//! Instant messaging through real `mingjing serve` processes: on PostgreSQL a message sent over
//! the WebSocket of one process reaches a member connected to another (LISTEN/NOTIFY); on
//! SQLite, one process delivers to its own sockets. Offline members find it unread at their next
//! sign-in; non-members cannot read the conversation by any route.

use crate::server::{Client, Process, TestServer, serve};
use crate::support::Backend;
use axum::http::{Method, StatusCode};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(p: &Process, c: &Client) -> Socket {
    let mut req = format!("ws://{}/api/chat/ws", p.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(&c.cookie).unwrap());
    let (ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("the chat channel opens");
    ws
}

/// The next chat message on the socket, within ten seconds.
async fn next_message(ws: &mut Socket) -> Value {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v["type"] == "message" {
                        return v["message"].clone();
                    }
                }
                Some(Ok(_)) => {}
                other => panic!("the channel ended: {other:?}"),
            }
        }
    })
    .await
    .expect("the message arrives live")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_sent_through_one_process_reaches_a_member_on_another() {
    let s = TestServer::new(Backend::Postgres).await;
    let (a, b) = (serve(&s), serve(&s));
    chat_round(&s, &a, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_reaches_a_connected_member_at_once_on_sqlite() {
    let s = TestServer::new(Backend::Sqlite).await;
    let a = serve(&s);
    chat_round(&s, &a, &a).await;
}

async fn chat_round(s: &TestServer, a: &Process, b: &Process) {
    let analyst = s.login("analyst").await;
    let clerk = s.login("mz_clerk").await;
    let verifier = s.login("mz_verifier").await;
    let stranger = s.login("rs_verifier").await;
    let clerk_id = s
        .state
        .platform
        .store()
        .user_by_name("mz_clerk")
        .await
        .unwrap()
        .unwrap()
        .id;
    let direct = s
        .call(
            Some(&analyst),
            Method::POST,
            "/api/chat/conversations",
            Some(json!({ "user_id": clerk_id })),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // The clerk listens on process B; the analyst writes through process A.
    let mut on_b = connect(b, &clerk).await;
    let mut on_a = connect(a, &analyst).await;
    on_a.send(Message::Text(
        json!({ "type": "send", "conversation": direct, "body": "请今天报送整改台账" })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let got = next_message(&mut on_b).await;
    assert_eq!(got["body"], "请今天报送整改台账");
    assert_eq!(got["sender"], "李分析");
    let echo = next_message(&mut on_a).await;
    assert_eq!(
        echo["id"], got["id"],
        "the sender's other windows see it too"
    );
    // The clerk answers over B; the analyst sees it on A.
    on_b.send(Message::Text(
        json!({ "type": "send", "conversation": direct, "body": "收到，下午报送" })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    assert_eq!(next_message(&mut on_a).await["body"], "收到，下午报送");

    // The unit's group: the verifier is offline, and finds it unread at next sign-in.
    let unit = s
        .call(Some(&clerk), Method::GET, "/api/chat/conversations", None)
        .await
        .json();
    let group = unit["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "unit")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let sent = s
        .call(
            Some(&clerk),
            Method::POST,
            &format!("/api/chat/conversations/{group}/messages"),
            Some(json!({ "body": "本周五前完成自查" })),
        )
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.json());
    let later = s
        .call(
            Some(&verifier),
            Method::GET,
            "/api/chat/conversations",
            None,
        )
        .await
        .json();
    let mine = later["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == group)
        .expect("the verifier is in its unit's group");
    assert_eq!(mine["unread"], 1);
    assert_eq!(mine["last"]["body"], "本周五前完成自查");
    let read = s
        .call(
            Some(&verifier),
            Method::POST,
            &format!("/api/chat/conversations/{group}/read"),
            Some(json!({ "up_to": sent.json()["id"] })),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    // History search, and strangers reach the conversations by no route.
    let found = s
        .call(
            Some(&analyst),
            Method::GET,
            &format!("/api/chat/conversations/{direct}/messages?q=%E5%8F%B0%E8%B4%A6"),
            None,
        )
        .await
        .json();
    assert_eq!(found["messages"].as_array().unwrap().len(), 1);
    for (method, path, body) in [
        (
            Method::GET,
            format!("/api/chat/conversations/{direct}/messages"),
            None,
        ),
        (
            Method::POST,
            format!("/api/chat/conversations/{direct}/messages"),
            Some(json!({ "body": "插话" })),
        ),
        (
            Method::GET,
            format!("/api/chat/conversations/{group}/messages"),
            None,
        ),
        (
            Method::POST,
            format!("/api/chat/conversations/{group}/read"),
            Some(json!({ "up_to": 1 })),
        ),
    ] {
        assert_eq!(
            s.call(Some(&stranger), method, &path, body).await.status,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let mut on_stranger = connect(b, &stranger).await;
    on_stranger
        .send(Message::Text(
            json!({ "type": "send", "conversation": direct, "body": "插话" })
                .to_string()
                .into(),
        ))
        .await
        .unwrap();
    let refused = tokio::time::timeout(Duration::from_secs(10), on_stranger.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(
        refused.to_text().unwrap().contains("\"error\""),
        "{refused:?}"
    );
    // An ad hoc group: its members see it, a stranger does not; a group needs a name.
    let verifier_id = s
        .state
        .platform
        .store()
        .user_by_name("mz_verifier")
        .await
        .unwrap()
        .unwrap()
        .id;
    let nameless = s
        .call(
            Some(&analyst),
            Method::POST,
            "/api/chat/conversations",
            Some(json!({ "name": " ", "user_ids": [clerk_id] })),
        )
        .await;
    assert_eq!(nameless.code(), "invalid_request");
    let grp = s
        .call(
            Some(&analyst),
            Method::POST,
            "/api/chat/conversations",
            Some(json!({ "name": "低保专项检查", "user_ids": [clerk_id, verifier_id] })),
        )
        .await
        .json()["id"]
        .clone();
    let theirs = s
        .call(
            Some(&verifier),
            Method::GET,
            "/api/chat/conversations",
            None,
        )
        .await
        .json();
    assert!(
        theirs["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == grp && c["title"] == "低保专项检查")
    );
    let outside = s
        .call(
            Some(&stranger),
            Method::GET,
            "/api/chat/conversations",
            None,
        )
        .await
        .json();
    assert!(
        outside["conversations"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != grp)
    );
    // A page of another origin cannot open the channel with the cookie.
    let mut req = format!("ws://{}/api/chat/ws", a.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("cookie", HeaderValue::from_str(&clerk.cookie).unwrap());
    req.headers_mut()
        .insert("origin", HeaderValue::from_static("http://evil.example"));
    assert!(tokio_tungstenite::connect_async(req).await.is_err());
}

/// Broke: the browser's chat channel and the chat page both asked for the conversations at
/// once, both tried to make the unit's group, and one got a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_looks_at_the_unit_group_at_once_all_succeed() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let s = TestServer::new(backend).await;
        let clerk = s.login("mz_clerk").await;
        let calls =
            (0..8).map(|_| s.call(Some(&clerk), Method::GET, "/api/chat/conversations", None));
        let answers = futures_util::future::join_all(calls).await;
        assert!(
            answers.iter().all(|a| a.status == StatusCode::OK),
            "{backend:?}"
        );
        let store = s.state.platform.store();
        let (a, b) = (
            store.user_by_name("analyst").await.unwrap().unwrap().id,
            store.user_by_name("mz_clerk").await.unwrap().unwrap().id,
        );
        let ids = futures_util::future::join_all((0..8).map(|i| {
            store.direct_conversation(
                if i % 2 == 0 { a } else { b },
                if i % 2 == 0 { b } else { a },
                "t",
            )
        }))
        .await;
        let first = ids[0].as_ref().unwrap();
        assert!(
            ids.iter().all(|x| x.as_ref().ok() == Some(first)),
            "{ids:?}"
        );
    }
}

/// Found by the contract test: a message naming a file id that does not exist answered 500
/// (the message row's foreign key refused it before the attachment check ran).
#[tokio::test]
async fn regression_a_message_naming_a_missing_file_answered_500() {
    let s = TestServer::new(Backend::Sqlite).await;
    let clerk = s.login("mz_clerk").await;
    let list = s
        .call(Some(&clerk), Method::GET, "/api/chat/conversations", None)
        .await
        .json();
    let group = list["conversations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "unit")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/chat/conversations/{group}/messages");
    let sent = s
        .call(
            Some(&clerk),
            Method::POST,
            &path,
            Some(json!({ "body": "", "file": 9_223_372_036_854_775_806_i64 })),
        )
        .await;
    assert_eq!(
        (sent.status, sent.code().as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request"),
        "{}",
        sent.json()
    );
    // Nothing was stored.
    let history = s.call(Some(&clerk), Method::GET, &path, None).await.json();
    assert_eq!(history["messages"].as_array().unwrap().len(), 0);
}
