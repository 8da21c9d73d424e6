//! The verification loop over HTTP: routing with deadlines, the unit's verification, the
//! commission's review, accountability, reminders and escalation, memory of closed alerts,
//! and statistics exact to the fen — on both metadata backends.

use crate::server::{TestServer, two_departments};
use crate::support::Backend;
use axum::http::{Method, StatusCode};
use mingjing_domain::disposal::{Step, VerificationForm};
use mingjing_store::{AlertHit, EvidenceRow};
use serde_json::{Value, json};

async fn flow(s: &TestServer, c: &crate::server::Client, id: i64) -> Value {
    let a = s
        .call(
            Some(c),
            Method::GET,
            &format!("/api/alerts/{id}/flow"),
            None,
        )
        .await;
    assert_eq!(
        a.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&a.body)
    );
    a.json()
}

async fn post(
    s: &TestServer,
    c: &crate::server::Client,
    path: &str,
    body: Value,
) -> crate::server::Answer {
    s.call(Some(c), Method::POST, path, Some(body)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_goes_round_the_loop_and_illegal_steps_are_refused_on_sqlite() {
    loop_round(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_alert_goes_round_the_loop_and_illegal_steps_are_refused_on_postgres() {
    loop_round(Backend::Postgres).await;
}

async fn loop_round(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (mz, rs, _) = two_departments(&s).await;
    let today = s.state.today();
    assert_eq!(s.state.platform.route_new_alerts(today).await.unwrap(), 2);
    // Routing is idempotent: nothing is left to route.
    assert_eq!(s.state.platform.route_new_alerts(today).await.unwrap(), 0);

    let v = s.login("mz_verifier").await;
    let a = s.login("analyst").await;
    let f = flow(&s, &v, mz).await;
    assert_eq!(f["stage"], "routed");
    assert_eq!(f["org"], "民政局");
    assert_eq!(
        f["deadline"],
        (today + chrono::Duration::days(15)).to_string()
    );
    assert_eq!(f["allowed"], json!(["submit"]), "{f}");
    // The unit was told.
    let inbox = s
        .call(Some(&v), Method::GET, "/api/notifications", None)
        .await
        .json();
    assert_eq!(inbox["unread"], 1, "{inbox}");
    assert!(
        inbox["notifications"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1 条")
    );
    // The analyst sees the review steps only once there is something to review.
    assert_eq!(flow(&s, &a, mz).await["allowed"], json!(["route"]));

    let path = |id: i64, what: &str| format!("/api/alerts/{id}/{what}");
    // Illegal: approving what nobody verified.
    let r = post(
        &s,
        &a,
        &path(mz, "review"),
        json!({ "decision": "approve" }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "illegal_transition")
    );
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("待核查")
    );
    // Only the commission reviews; only the responsible unit verifies.
    let r = post(
        &s,
        &v,
        &path(mz, "review"),
        json!({ "decision": "approve" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = post(
        &s,
        &v,
        &path(rs, "verification"),
        json!({ "conclusion": "属实", "explanation": "x" }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "another unit's alert is absent"
    );
    let r = post(
        &s,
        &a,
        &path(mz, "verification"),
        json!({ "conclusion": "属实", "explanation": "x" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // An invalid form changes nothing.
    let r = post(
        &s,
        &v,
        &path(mz, "verification"),
        json!({ "conclusion": "不属实", "recovered": "10", "explanation": "查无此事" }),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    assert_eq!(flow(&s, &v, mz).await["stage"], "routed");

    // Round one: 部分属实.
    let r = post(
        &s,
        &v,
        &path(mz, "verification"),
        json!({
            "conclusion": "部分属实", "records_corrected": 2, "recovered": "1234.56",
            "stopped_monthly": "300", "explanation": "已停发并追回部分资金",
        }),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = post(
        &s,
        &v,
        &path(mz, "verification"),
        json!({ "conclusion": "属实", "explanation": "again" }),
    )
    .await;
    assert_eq!(
        r.code(),
        "illegal_transition",
        "no second submission while under review"
    );
    assert_eq!(
        flow(&s, &a, mz).await["allowed"],
        json!(["return", "approve", "transfer"])
    );
    // A return needs its reasons.
    let r = post(&s, &a, &path(mz, "review"), json!({ "decision": "return" })).await;
    assert_eq!(r.code(), "invalid_request");
    let r = post(
        &s,
        &a,
        &path(mz, "review"),
        json!({ "decision": "return", "comment": "追回金额与台账不符" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let f = flow(&s, &v, mz).await;
    assert_eq!(f["stage"], "returned");
    assert_eq!(f["verifications"][0]["decision"], "return");
    assert_eq!(
        f["verifications"][0]["review_comment"],
        "追回金额与台账不符"
    );

    // Round two: 属实; approved.
    let r = post(&s, &v, &path(mz, "verification"), json!({
        "conclusion": "属实", "records_corrected": 3, "persons_removed": 1, "recovered": "2345.67",
        "stopped_monthly": "456.70", "explanation": "全额追回",
    })).await;
    assert_eq!(r.status, StatusCode::OK);
    // Accountability only once the alert is closed as confirmed.
    let acc = json!({ "kind": "约谈", "persons": "王某、李某", "decided_on": today.to_string(), "document": "陇纪〔2026〕1号" });
    let r = post(&s, &a, &path(mz, "accountability"), acc.clone()).await;
    assert_eq!(r.code(), "invalid_request");
    let r = post(
        &s,
        &a,
        &path(mz, "review"),
        json!({ "decision": "approve", "comment": "同意" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = post(
        &s,
        &a,
        &path(mz, "review"),
        json!({ "decision": "approve" }),
    )
    .await;
    assert_eq!(
        r.code(),
        "illegal_transition",
        "a closed alert takes no more steps"
    );
    let r = post(&s, &a, &path(mz, "accountability"), acc).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );

    let f = flow(&s, &a, mz).await;
    assert_eq!(f["stage"], "closed");
    assert_eq!(f["conclusion"], "属实");
    assert_eq!(f["allowed"], json!([]));
    let steps: Vec<&str> = f["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["route", "submit", "return", "submit", "approve", "account"]
    );
    let alert = s.state.platform.store().alert(mz).await.unwrap().unwrap();
    assert_eq!(alert.status, "closed", "batch.md's coarse state follows");

    // Every step audited with the alert it moved.
    let obj = format!("alert:{mz}");
    assert_eq!(
        s.audited_objects("alert.route")
            .await
            .iter()
            .filter(|o| **o == obj)
            .count(),
        1
    );
    assert_eq!(
        s.audited_objects("alert.verify")
            .await
            .iter()
            .filter(|o| **o == obj)
            .count(),
        2
    );
    assert_eq!(
        s.audited_objects("alert.return").await,
        std::slice::from_ref(&obj)
    );
    assert_eq!(
        s.audited_objects("alert.approve").await,
        std::slice::from_ref(&obj)
    );
    assert_eq!(
        s.audited_objects("alert.account").await,
        std::slice::from_ref(&obj)
    );

    // The figures count the approved verification only.
    let st = s
        .call(Some(&a), Method::GET, "/api/stats/loop?dim=unit", None)
        .await
        .json();
    let total = &st["total"];
    assert_eq!(total["raised"], 2);
    assert_eq!(total["routed"], 2);
    assert_eq!(total["verified"], 1);
    assert_eq!(total["confirmed"], 1);
    assert_eq!(total["records_corrected"], 3);
    assert_eq!(total["recovered"], "2345.67");
    assert_eq!(total["stopped_monthly"], "456.70");
    assert_eq!(total["interviewed"], 2);
    assert_eq!(total["hit_rate"], "100.0");
    assert_eq!(total["summary"], "预警2条，纠错3条，追回2345.67元，约谈2人");
    let mz_row = st["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "民政局")
        .unwrap();
    assert_eq!(mz_row["closed"], 1);
    // The unit's own statistics hold only its alerts.
    let own = s
        .call(Some(&v), Method::GET, "/api/stats/loop", None)
        .await
        .json();
    assert_eq!(own["total"]["raised"], 1);
    let x = s
        .call(Some(&a), Method::GET, "/api/stats/loop/export", None)
        .await;
    assert!(x.body.starts_with(b"PK"));
    // The list filters by stage.
    let closed = s
        .call(Some(&a), Method::GET, "/api/alerts?stage=closed", None)
        .await
        .json();
    assert_eq!(closed["total"], 1);
    assert_eq!(closed["alerts"][0]["stage_label"], "已办结");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadlines_remind_the_unit_then_escalate_to_the_commission_once() {
    let s = TestServer::new(Backend::Sqlite).await;
    let (mz, _, _) = two_departments(&s).await;
    let a = s.login("analyst").await;
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            "/api/models/M01/deadline",
            Some(json!({ "days": 5 })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            "/api/models/M01/deadline",
            Some(json!({ "days": 0 })),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    let day0 = s.state.today();
    s.state.platform.route_new_alerts(day0).await.unwrap();
    let p = &s.state.platform;
    let pool = s.state.platform.store().pool().clone();
    let count = |kind: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM notifications WHERE kind = $1")
                .bind(kind)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    // Day 1: nothing due. Day 2 (3 days left): reminded, once however often the sweep runs.
    assert_eq!(
        p.sweep_deadlines(day0 + chrono::Duration::days(1))
            .await
            .unwrap(),
        (0, 0)
    );
    p.sweep_deadlines(day0 + chrono::Duration::days(2))
        .await
        .unwrap();
    p.sweep_deadlines(day0 + chrono::Duration::days(2))
        .await
        .unwrap();
    assert_eq!(count("alert.deadline").await, 2, "one per alert");
    // On the day: a second reminder. After it: escalated once, and listed as overdue.
    p.sweep_deadlines(day0 + chrono::Duration::days(5))
        .await
        .unwrap();
    assert_eq!(count("alert.deadline").await, 4);
    let late = day0 + chrono::Duration::days(6);
    assert_eq!(p.sweep_deadlines(late).await.unwrap().1, 2);
    assert_eq!(p.sweep_deadlines(late).await.unwrap().1, 0);
    assert_eq!(count("alert.overdue").await, 2);
    s.clock.advance(chrono::Duration::days(6));
    let a = s.login("analyst").await;
    let over = s
        .call(Some(&a), Method::GET, "/api/alerts?overdue=true", None)
        .await
        .json();
    assert_eq!(over["total"], 2, "{over}");
    let f = flow(&s, &a, mz).await;
    assert_eq!(f["overdue"], true);
    assert!(f["escalated_at"].is_string());
    let dash = s
        .call(Some(&a), Method::GET, "/api/dashboard", None)
        .await
        .json();
    assert_eq!(dash["total"]["overdue"], 2);
    assert_eq!(dash["overdue"].as_array().unwrap().len(), 2);
    // The commission's inbox has the escalations; the unit's does not.
    let inbox = s
        .call(Some(&a), Method::GET, "/api/notifications", None)
        .await
        .json();
    assert!(inbox.to_string().contains("超过核查期限"));
    let v = s.login("mz_verifier").await;
    let theirs = s
        .call(Some(&v), Method::GET, "/api/notifications", None)
        .await
        .json();
    assert!(!theirs.to_string().contains("超过核查期限"));
    assert!(theirs.to_string().contains("到期"));
    assert!(
        !theirs.to_string().contains("人社局"),
        "no other unit's reminders"
    );
}

fn hit(subject: &str, row: i64) -> AlertHit {
    AlertHit {
        subject: subject.into(),
        program: "DIBAO".into(),
        name: "张三".into(),
        has_amount: true,
        responsible: "民政局".into(),
        town: "城关镇".into(),
        village: "东关社区".into(),
        evidence: vec![EvidenceRow {
            dataset: "benefit_payments".into(),
            upload_dir: "u1".into(),
            row,
            amount_fen: Some(10),
            firing: true,
            condition: "fire".into(),
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_unfounded_alert_is_not_raised_again_and_the_next_one_shows_it() {
    let s = TestServer::new(Backend::Sqlite).await;
    let store = s.state.platform.store();
    let p = &s.state.platform;
    let subject = "11010519491231002X";
    store
        .apply_hits("M01", 1, &[hit(subject, 2)])
        .await
        .unwrap();
    let today = s.state.today();
    p.route_new_alerts(today).await.unwrap();
    let first = store.alerts(None).await.unwrap()[0].id;
    let mz = store
        .org_tree()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "民政局")
        .unwrap()
        .id;
    let form = VerificationForm {
        conclusion: "不属实".into(),
        explanation: "系同名同姓，已核实".into(),
        ..Default::default()
    };
    // Transfer as a clue is refused for an unfounded verification.
    p.submit_verification(first, &[mz], form, &mingjing_app::Actor::system())
        .await
        .unwrap();
    let e = p
        .review_alert(first, Step::Transfer, "", &mingjing_app::Actor::system())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("不属实"), "{e}");
    p.review_alert(first, Step::Approve, "", &mingjing_app::Actor::system())
        .await
        .unwrap();
    // The same evidence again: nothing new.
    let c = store
        .apply_hits("M01", 1, &[hit(subject, 2)])
        .await
        .unwrap();
    assert_eq!((c.raised, c.updated), (0, 0));
    // Newer evidence: a new alert, linked to the closed one, which its page lists.
    let mut newer = hit(subject, 2);
    newer.evidence.push(EvidenceRow {
        row: 3,
        ..newer.evidence[0].clone()
    });
    let c = store.apply_hits("M01", 1, &[newer]).await.unwrap();
    assert_eq!(c.raised, 1);
    let second = store
        .alerts(None)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.id != first)
        .unwrap();
    assert_eq!(second.previous_id, Some(first));
    let a = s.login("analyst").await;
    let by_village = |v: &'static str| {
        let (s, a) = (&s, &a);
        async move {
            s.call(
                Some(a),
                Method::GET,
                &format!("/api/alerts?village={}", urlencode(v)),
                None,
            )
            .await
            .json()["total"]
                .clone()
        }
    };
    assert_eq!(by_village("东关社区").await, 2);
    assert_eq!(by_village("王家村").await, 0);
    let f = flow(&s, &a, second.id).await;
    assert_eq!(f["earlier"][0]["id"], first);
    assert_eq!(f["earlier"][0]["conclusion"], "不属实");
    assert_eq!(f["earlier"][0]["stage_label"], "已办结");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn money_sums_stay_exact_to_the_fen_across_two_thousand_alerts() {
    let s = TestServer::new(Backend::Sqlite).await;
    let store = s.state.platform.store();
    let p = &s.state.platform;
    const N: usize = 2000;
    // Subjects need not be valid IDs for the loop; the amounts are what matters.
    let hits: Vec<AlertHit> = (0..N).map(|i| hit(&format!("S{i:05}"), 2)).collect();
    store.apply_hits("M01", 1, &hits).await.unwrap();
    p.route_new_alerts(s.state.today()).await.unwrap();
    let mz = store
        .org_tree()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "民政局")
        .unwrap()
        .id;
    let mut expected_fen: i64 = 0;
    for (i, a) in store.alerts(None).await.unwrap().iter().enumerate() {
        // 0.10, 0.20 ... 0.70 yuan and odd fen: sums a float cannot hold exactly.
        let fen = 10 * (i as i64 % 7 + 1) + (i as i64 % 3);
        expected_fen += fen;
        let form = VerificationForm {
            conclusion: "属实".into(),
            records_corrected: 1,
            recovered: format!("{}.{:02}", fen / 100, fen % 100),
            explanation: "追回".into(),
            ..Default::default()
        };
        p.submit_verification(a.id, &[mz], form, &mingjing_app::Actor::system())
            .await
            .unwrap();
        p.review_alert(a.id, Step::Approve, "", &mingjing_app::Actor::system())
            .await
            .unwrap();
    }
    let (_, total) = p
        .loop_statistics(
            &[mingjing_app::StatDimension::Model],
            &Default::default(),
            s.state.today(),
            &mingjing_app::scope::Scope::whole_county(),
        )
        .await
        .unwrap();
    assert_eq!(total.recovered_fen, expected_fen);
    assert_eq!(total.records_corrected, N as i64);
    assert_eq!(total.closed, N as u64);
    let a = s.login("analyst").await;
    let st = s
        .call(Some(&a), Method::GET, "/api/stats/loop", None)
        .await
        .json();
    let shown = mingjing_domain::Money::from_fen(expected_fen)
        .unwrap()
        .to_string();
    assert_eq!(st["total"]["recovered"], shown);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recommendation_reaches_only_its_department_which_replies_once() {
    let s = TestServer::new(Backend::Sqlite).await;
    let (mz, _, _) = two_departments(&s).await;
    let mz_org = s
        .state
        .platform
        .store()
        .org_tree()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == "民政局")
        .unwrap()
        .id;
    let a = s.login("analyst").await;
    let due = (s.state.today() + chrono::Duration::days(30)).to_string();
    let body = json!({
        "number": "陇纪建〔2026〕1号", "org_id": mz_org, "title": "关于加强低保动态管理的建议",
        "content": "对死亡人员及时停发。", "reply_due": due, "alert_ids": [mz],
    });
    let r = post(&s, &a, "/api/recommendations", body.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let id = r.json()["id"].as_i64().unwrap();
    // The same number twice: refused.
    assert_eq!(
        post(&s, &a, "/api/recommendations", body.clone())
            .await
            .code(),
        "invalid_request"
    );
    // A deadline in the past, an alert that does not exist: refused.
    let mut late = body.clone();
    late["number"] = json!("陇纪建〔2026〕2号");
    late["reply_due"] = json!("2020-01-01");
    assert_eq!(
        post(&s, &a, "/api/recommendations", late.clone())
            .await
            .code(),
        "invalid_request"
    );
    late["reply_due"] = json!(due);
    late["alert_ids"] = json!([999999]);
    assert_eq!(
        post(&s, &a, "/api/recommendations", late).await.code(),
        "invalid_request"
    );
    // 民政局 sees it and is told.
    let v = s.login("mz_verifier").await;
    let list = s
        .call(Some(&v), Method::GET, "/api/recommendations", None)
        .await
        .json();
    assert_eq!(list["recommendations"].as_array().unwrap().len(), 1);
    assert_eq!(list["recommendations"][0]["may_reply"], true);
    let inbox = s
        .call(Some(&v), Method::GET, "/api/notifications", None)
        .await
        .json();
    assert!(inbox.to_string().contains("陇纪建〔2026〕1号"));
    let r = post(
        &s,
        &v,
        &format!("/api/recommendations/{id}/reply"),
        json!({ "reply": "已建立每月比对机制" }),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = post(
        &s,
        &v,
        &format!("/api/recommendations/{id}/reply"),
        json!({ "reply": "again" }),
    )
    .await;
    assert_eq!(r.code(), "conflict", "one reply");
    let seen = s
        .call(Some(&a), Method::GET, "/api/recommendations", None)
        .await
        .json();
    assert_eq!(seen["recommendations"][0]["reply"], "已建立每月比对机制");
    assert_eq!(seen["recommendations"][0]["replied_by"], "mz_verifier");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_reads_of_alerts_and_name_checks_left_no_audit_record() {
    let s = TestServer::new(Backend::Sqlite).await;
    let (mz, _, _) = two_departments(&s).await;
    s.state
        .platform
        .route_new_alerts(s.state.today())
        .await
        .unwrap();
    let v = s.login("mz_verifier").await;
    for path in [
        "/api/alerts".to_string(),
        format!("/api/alerts/{mz}/flow"),
        "/api/dashboard".into(),
    ] {
        let r = s.call(Some(&v), Method::GET, &path, None).await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    assert_eq!(s.audited_objects("alert.list").await, ["alerts"]);
    assert_eq!(
        s.audited_objects("alert.flow").await,
        [format!("alert:{mz}")]
    );
    assert_eq!(s.audited_objects("dashboard.view").await, ["alerts"]);
    let a = s.login("analyst").await;
    let r = s
        .call(
            Some(&a),
            Method::POST,
            "/api/opinions/check",
            Some(json!({ "persons": [{ "id_number": "610327197001011000", "name": "某" }] })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(s.audited_objects("opinion.check").await, ["persons"]);
}
