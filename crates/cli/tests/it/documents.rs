//! 文件报送 over HTTP on both backends: a document numbered and sent to a unit and to one
//! account, signed, read, replied to, returned for revision, replied again and reminded; a
//! unit that was not a recipient reaches it by no route; notices with read receipts.

use crate::server::{Client, TestServer};
use crate::support::Backend;
use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

async fn attach(s: &TestServer, c: &Client, name: &str, bytes: &[u8]) -> i64 {
    let ans = s
        .send(crate::server::file_request(
            c,
            "/api/files",
            "",
            None,
            name,
            bytes,
        ))
        .await;
    assert_eq!(
        ans.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    ans.json()["id"].as_i64().unwrap()
}

fn id_of(list: &Value, name: &str) -> i64 {
    list.as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("{name} in {list}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_goes_out_and_back_and_strangers_never_see_it_on_sqlite() {
    document_round(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_goes_out_and_back_and_strangers_never_see_it_on_postgres() {
    document_round(Backend::Postgres).await;
}

async fn document_round(backend: Backend) {
    let s = TestServer::new(backend).await;
    let a = s.login("analyst").await;
    let clerk = s.login("mz_clerk").await;
    let verifier = s.login("mz_verifier").await;
    let stranger = s.login("rs_verifier").await;
    let town = s.login("town").await;
    let leader = s.login("leader").await;
    let book = s
        .call(Some(&a), Method::GET, "/api/documents/addressees", None)
        .await
        .json();
    let mz = id_of(&book["orgs"], "民政局");
    let town_user = id_of(&book["users"], "周纪委");
    let today = s.state.today();
    let deadline = (today + chrono::Days::new(3)).to_string();
    let pdf = attach(&s, &a, "通知.pdf", b"%PDF-1.4\n% a notice\n").await;
    let send = |body: Value| {
        let s = &s;
        let a = &a;
        async move {
            s.call(Some(a), Method::POST, "/api/documents", Some(body))
                .await
        }
    };
    // Refused: a classified level this network does not carry; a reply without a deadline.
    let base = json!({ "title": "关于报送低保专项检查情况的通知", "body": "请于期限内报送自查报告。",
        "secrecy": "内部", "deadline": deadline, "reply_required": true,
        "org_ids": [mz], "user_ids": [town_user], "files": [pdf] });
    let mut bad = base.clone();
    bad["secrecy"] = json!("机密");
    assert!(
        send(bad).await.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("机密")
    );
    let mut bad = base.clone();
    bad["deadline"] = Value::Null;
    assert_eq!(send(bad).await.code(), "invalid_request");
    let mut bad = base.clone();
    bad["files"] = json!([attach(&s, &clerk, "别人的.pdf", b"%PDF-1.4\n").await]);
    assert_eq!(
        send(bad).await.code(),
        "invalid_request",
        "only one's own uploads attach"
    );

    let sent = send(base.clone()).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.json());
    let doc = sent.json()["id"].as_i64().unwrap();
    let year = chrono::Datelike::year(&today);
    assert_eq!(sent.json()["number"], format!("县纪委监委发〔{year}〕1号"));
    let second = send(base.clone()).await.json();
    assert_eq!(
        second["number"],
        format!("县纪委监委发〔{year}〕2号"),
        "numbered per year"
    );
    let path = format!("/api/documents/{doc}");

    // A unit that is not a recipient reaches it by no route, and its tries are audited.
    let listed = s
        .call(Some(&stranger), Method::GET, "/api/documents?q=低保", None)
        .await
        .json();
    assert_eq!(listed["documents"], json!([]));
    for (method, p, body) in [
        (Method::GET, path.clone(), None),
        (Method::POST, format!("{path}/sign"), None),
        (
            Method::POST,
            format!("{path}/reply"),
            Some(json!({ "body": "冒名回复" })),
        ),
        (Method::GET, format!("/api/files/{pdf}"), None),
    ] {
        let ans = s.call(Some(&stranger), method, &p, body).await;
        assert_eq!(ans.status, StatusCode::NOT_FOUND, "{p}: {}", ans.json());
    }
    // Nor does another office of the commission that did not send it.
    assert_eq!(
        s.call(Some(&leader), Method::GET, &path, None).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.call(Some(&clerk), Method::GET, "/api/documents?box=sent", None)
            .await
            .code(),
        "forbidden",
        "a department sends no documents"
    );

    // The reminder centre counts what each has to do.
    let todo = |c: &Client| {
        let s = &s;
        let c = c.clone();
        async move {
            let t = s
                .call(Some(&c), Method::GET, "/api/reminders", None)
                .await
                .json();
            let n = |k: &str| {
                t["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|i| i["kind"] == k)
                    .map_or(0, |i| i["count"].as_i64().unwrap())
            };
            (n("documents_to_sign"), n("documents_to_reply"))
        }
    };
    assert_eq!(todo(&clerk).await, (2, 0), "two documents to sign");
    assert_eq!(todo(&stranger).await, (0, 0));
    // The recipient unit: listed as delivered, the first look is its read receipt.
    let inbox = s
        .call(Some(&clerk), Method::GET, "/api/documents", None)
        .await
        .json();
    assert_eq!(inbox["documents"][0]["status"], "已送达");
    let seen = s.call(Some(&clerk), Method::GET, &path, None).await.json();
    assert_eq!(
        seen["recipients"].as_array().unwrap().len(),
        1,
        "its own row only"
    );
    assert_eq!(seen["recipients"][0]["status"], "已阅");
    assert_eq!(seen["may_receive"], true);
    let got = s
        .call(
            Some(&clerk),
            Method::GET,
            &format!("/api/files/{pdf}"),
            None,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert!(
        got.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let reply = |c: &Client, text: &str, files: Vec<i64>| {
        let s = &s;
        let c = c.clone();
        let p = format!("{path}/reply");
        let text = text.to_string();
        async move {
            s.call(
                Some(&c),
                Method::POST,
                &p,
                Some(json!({ "body": text, "files": files })),
            )
            .await
        }
    };
    assert_eq!(
        reply(&clerk, "先回复", vec![]).await.code(),
        "conflict",
        "sign first"
    );
    let sign = s
        .call(Some(&clerk), Method::POST, &format!("{path}/sign"), None)
        .await;
    assert_eq!(sign.status, StatusCode::OK);
    assert_eq!(
        s.call(Some(&verifier), Method::POST, &format!("{path}/sign"), None)
            .await
            .code(),
        "conflict",
        "the unit signs once, whoever of it signs"
    );
    assert_eq!(todo(&clerk).await, (1, 1), "signed: now to reply");
    // Opened, then signed for: the sender reads 已签收, not 已阅.
    let signed = s.call(Some(&a), Method::GET, &path, None).await.json();
    assert!(
        signed["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["name"] == "民政局" && r["status"] == "已签收"),
        "{}",
        signed["recipients"]
    );
    let report = attach(&s, &clerk, "自查报告.pdf", b"%PDF-1.4\n% report\n").await;
    assert_eq!(
        reply(&clerk, "自查报告见附件。", vec![report]).await.status,
        StatusCode::OK
    );
    assert_eq!(reply(&clerk, "再报一次", vec![]).await.code(), "conflict");
    assert_eq!(todo(&verifier).await, (1, 0), "replied, for the whole unit");

    // The sender sees every recipient's status and the reply; the account recipient may not
    // read another recipient's reply files.
    let view = s.call(Some(&a), Method::GET, &path, None).await.json();
    let statuses: Vec<(&str, &str)> = view["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert!(statuses.contains(&("民政局", "已回复")), "{statuses:?}");
    assert!(
        statuses
            .iter()
            .any(|(n, st)| n.ends_with("周纪委") && *st == "已送达"),
        "{statuses:?}"
    );
    assert_eq!(view["replies"][0]["body"], "自查报告见附件。");
    assert!(
        view["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == report)
    );
    for (who, status) in [
        (&town, StatusCode::NOT_FOUND),
        (&a, StatusCode::OK),
        (&verifier, StatusCode::OK),
    ] {
        assert_eq!(
            s.call(
                Some(who),
                Method::GET,
                &format!("/api/files/{report}"),
                None
            )
            .await
            .status,
            status
        );
    }
    let town_view = s.call(Some(&town), Method::GET, &path, None).await.json();
    assert_eq!(
        town_view["replies"],
        json!([]),
        "recipients see their own replies only"
    );
    let rid = |name: &str| {
        view["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"].as_str().unwrap().ends_with(name))
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    // Reminders go to the one that has not replied; the returned reply is revised.
    let remind = |r: i64| {
        let s = &s;
        let a = &a;
        let p = format!("{path}/recipients/{r}/remind");
        async move { s.call(Some(a), Method::POST, &p, None).await }
    };
    assert_eq!(remind(rid("民政局")).await.code(), "invalid_request");
    assert_eq!(remind(rid("周纪委")).await.status, StatusCode::OK);
    let notes = s
        .call(Some(&town), Method::GET, "/api/notifications", None)
        .await
        .json();
    assert!(
        notes["notifications"][0]["message"]
            .as_str()
            .unwrap()
            .contains("催办"),
        "{notes}"
    );
    let ret = format!("{path}/recipients/{}/return", rid("民政局"));
    assert_eq!(
        s.call(Some(&a), Method::POST, &ret, Some(json!({ "comment": "" })))
            .await
            .code(),
        "invalid_request"
    );
    assert_eq!(
        s.call(
            Some(&a),
            Method::POST,
            &ret,
            Some(json!({ "comment": "请补充整改台账" }))
        )
        .await
        .status,
        StatusCode::OK
    );
    let back = s
        .call(Some(&verifier), Method::GET, &path, None)
        .await
        .json();
    assert_eq!(back["recipients"][0]["status"], "已退回修改");
    assert_eq!(back["replies"][0]["returned_comment"], "请补充整改台账");
    assert_eq!(
        reply(&verifier, "已补充整改台账。", vec![]).await.status,
        StatusCode::OK
    );
    let done = s.call(Some(&a), Method::GET, &path, None).await.json();
    assert_eq!(
        done["replies"].as_array().unwrap().len(),
        2,
        "both replies are kept"
    );
    // Search among sent documents.
    let found = s
        .call(
            Some(&a),
            Method::GET,
            "/api/documents?box=sent&q=低保专项",
            None,
        )
        .await
        .json();
    assert_eq!(found["documents"].as_array().unwrap().len(), 2);
    assert_eq!(found["documents"][1]["id"], doc, "newest first");
    assert_eq!(found["documents"][1]["replied"], 1);
    assert_eq!(found["documents"][1]["signed"], 1);
    let none = s
        .call(Some(&a), Method::GET, "/api/documents?box=sent&q=%25", None)
        .await
        .json();
    assert_eq!(none["documents"], json!([]), "a % searches for itself");
    let audited = s
        .state
        .platform
        .store()
        .audit_records(&mingjing_store::audit::AuditQuery {
            action: "document.view".into(),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        audited
            .iter()
            .any(|r| r.entry.actor == "rs_verifier" && r.entry.result == "denied")
    );

    // Notices: to one unit, with receipts for the publisher; pinning is the publisher's.
    let n = s
        .call(
            Some(&a),
            Method::POST,
            "/api/notices",
            Some(json!({
            "title": "关于开展专项检查的通知", "body": "各单位注意。", "org_ids": [mz] })),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let theirs = s
        .call(Some(&stranger), Method::GET, "/api/notices", None)
        .await
        .json();
    assert!(
        theirs["notices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != n)
    );
    assert_eq!(
        s.call(
            Some(&stranger),
            Method::POST,
            &format!("/api/notices/{n}/read"),
            None
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );
    let mine = s
        .call(Some(&clerk), Method::GET, "/api/notices", None)
        .await
        .json();
    assert_eq!(mine["unread"], 1);
    assert_eq!(
        mine["notices"][0]["reads"],
        Value::Null,
        "receipts are the publisher's"
    );
    s.call(
        Some(&clerk),
        Method::POST,
        &format!("/api/notices/{n}/read"),
        None,
    )
    .await;
    let reads = s
        .call(
            Some(&a),
            Method::GET,
            &format!("/api/notices/{n}/reads"),
            None,
        )
        .await
        .json();
    assert_eq!(reads["reads"][0]["name"], "赵数据");
    let all = s
        .call(
            Some(&a),
            Method::POST,
            "/api/notices",
            Some(json!({
            "title": "系统维护通知", "body": "周六停机维护。", "to_all": true })),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let pin = format!("/api/notices/{n}/pin");
    assert_eq!(
        s.call(Some(&a), Method::PUT, &pin, Some(json!({ "pinned": true })))
            .await
            .status,
        StatusCode::OK
    );
    let listed = s
        .call(Some(&clerk), Method::GET, "/api/notices", None)
        .await
        .json();
    assert_eq!(listed["notices"][0]["id"], n, "pinned first");
    assert_eq!(listed["notices"][1]["id"], all);
    let admin = s.login("sysadmin").await;
    let theirs = s
        .call(Some(&admin), Method::GET, "/api/notices", None)
        .await
        .json();
    assert_eq!(
        theirs["notices"][0]["id"], all,
        "a notice to all reaches administrators too"
    );
}
