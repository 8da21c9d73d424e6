//! Users against each other (issue 20): who may upload which dataset type, and the
//! separation of the three administrators held by the server (dual control of every path that
//! sets a role or an organisation).

use crate::server::{Answer, Client, TestServer};
use crate::support::Backend;
use crate::support::test_id;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

async fn upload(s: &TestServer, c: &Client, ty: &str, period: Option<&str>, csv: &str) -> Answer {
    crate::server::upload(s, c, ty, period, &format!("{ty}.csv"), csv.as_bytes(), None).await
}

async fn uploads_of(s: &TestServer, ty: &str) -> usize {
    s.state
        .platform
        .store()
        .uploads(None)
        .await
        .unwrap()
        .iter()
        .filter(|u| u.dataset_type == ty)
        .count()
}

async fn audit(s: &TestServer, action: &str) -> Vec<(String, String, String)> {
    s.audited(action)
        .await
        .into_iter()
        .map(|e| (e.actor, e.object, e.result))
        .collect()
}

async fn org_id(s: &TestServer, name: &str) -> i64 {
    s.state
        .platform
        .store()
        .org_tree()
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("org {name}"))
        .id
}

fn sanctions_csv() -> String {
    format!(
        "案件编号,公民身份号码,姓名,单位及职务,处分种类,处分决定日期,决定机关\n\
         AJ-2026-001,{},刘某,城关镇副镇长,政务记过,2026-10-01,县监委\n",
        test_id("61032719800101", 7)
    )
}

fn roll(rows: &[(&str, usize)]) -> String {
    let mut out = String::from(
        "项目代码,领取人身份证号,领取人姓名,乡镇,村(社区),发放月份,发放金额,收款账号\n",
    );
    for (program, i) in rows {
        out.push_str(&format!(
            "{program},{},张{i},城关镇,东关社区,2026-10,300.00,62210000{i:04}\n",
            test_id("61032719500101", *i)
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_department_clerk_loaded_sanctions_for_a_cadre() {
    let s = TestServer::new(Backend::Sqlite).await;
    let clerk = s.login("mz_clerk").await;
    let ans = upload(&s, &clerk, "sanctions", None, &sanctions_csv()).await;
    assert_eq!(
        ans.status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    let msg = ans.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("民政局无权上传")
            && msg.contains("党纪政务处分")
            && msg.contains("案件监督管理室"),
        "{msg}"
    );
    assert_eq!(
        uploads_of(&s, "sanctions").await,
        0,
        "a refused upload writes nothing"
    );
    assert!(
        audit(&s, "upload.create")
            .await
            .iter()
            .any(|(actor, object, result)| actor == "mz_clerk"
                && object == "type:sanctions"
                && result == "refused"),
        "the refusal is audited"
    );
    // Deaths name 民政局 as a source (cremation records): its clerk uploads them.
    let deaths = format!(
        "公民身份号码,姓名,死亡日期,数据来源\n{},张三,2026-01-05,火化记录\n",
        test_id("61032719490101", 3)
    );
    let ans = upload(&s, &clerk, "deaths", None, &deaths).await;
    assert_eq!(
        ans.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );

    // The security administrator grants 民政局 the type: the same file then lands, and the
    // change is audited. The system administrator may not touch the mapping.
    let sys = s.login("sysadmin").await;
    let mz = org_id(&s, "民政局").await;
    let body = json!({ "uploaders": [format!("org:{mz}")] });
    let ans = s
        .call(
            Some(&sys),
            Method::PUT,
            "/api/upload-rights/sanctions",
            Some(body.clone()),
        )
        .await;
    assert_eq!(ans.status, StatusCode::FORBIDDEN);
    let sec = s.login("secadmin").await;
    let list = s
        .call(Some(&sec), Method::GET, "/api/upload-rights", None)
        .await
        .json();
    let sanctions = list["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["type"] == "sanctions")
        .unwrap();
    assert_eq!(
        sanctions["names"], "县纪委监委案件监督管理室",
        "seeded from the standard's owner"
    );
    let ans = s
        .call(
            Some(&sec),
            Method::PUT,
            "/api/upload-rights/sanctions",
            Some(body),
        )
        .await;
    assert_eq!(
        ans.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    assert!(
        audit(&s, "upload_rights.update")
            .await
            .iter()
            .any(|(a, o, _)| a == "secadmin" && o == "type:sanctions")
    );
    let ans = upload(&s, &clerk, "sanctions", None, &sanctions_csv()).await;
    assert_eq!(
        ans.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    // A malformed entry is a clear error, and changes nothing.
    for bad in [
        json!({ "uploaders": ["公安局"] }),
        json!({ "uploaders": ["org:999999"] }),
        json!({ "uploaders": ["kind:planet"] }),
    ] {
        let ans = s
            .call(
                Some(&sec),
                Method::PUT,
                "/api/upload-rights/sanctions",
                Some(bad),
            )
            .await;
        assert_eq!(
            ans.status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(&ans.body)
        );
    }
    let ans = s
        .call(
            Some(&sec),
            Method::PUT,
            "/api/upload-rights/no_such_type",
            Some(json!({ "uploaders": [] })),
        )
        .await;
    assert_eq!(
        (ans.status, ans.code().as_str()),
        (StatusCode::BAD_REQUEST, "unknown_dataset_type")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_payment_roll_carried_another_departments_programme() {
    let s = TestServer::new(Backend::Sqlite).await;
    let clerk = s.login("mz_clerk").await;
    // 民政局 runs DIBAO; ZUFANG is 住建局's.
    let ans = upload(
        &s,
        &clerk,
        "benefit_payments",
        Some("2026-10"),
        &roll(&[("DIBAO", 1), ("ZUFANG", 2), ("ZUFANG", 3)]),
    )
    .await;
    assert_eq!(
        ans.status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    let msg = ans.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(
        msg.contains("项目代码")
            && msg.contains("ZUFANG")
            && msg.contains("住建局")
            && msg.contains("2 行")
            && !msg.contains("DIBAO"),
        "{msg}"
    );
    assert_eq!(
        uploads_of(&s, "benefit_payments").await,
        0,
        "nothing of the refused roll is written"
    );
    let ans = upload(
        &s,
        &clerk,
        "benefit_payments",
        Some("2026-10"),
        &roll(&[("DIBAO", 1), ("TEKUN", 2)]),
    )
    .await;
    assert_eq!(
        ans.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    assert_eq!(uploads_of(&s, "benefit_payments").await, 1);
}

async fn users(s: &TestServer) -> Vec<Value> {
    let sys = s.login("sysadmin").await;
    s.call(Some(&sys), Method::GET, "/api/users", None)
        .await
        .json()["users"]
        .as_array()
        .unwrap()
        .clone()
}

async fn user(s: &TestServer, name: &str) -> Option<Value> {
    users(s).await.into_iter().find(|u| u["username"] == name)
}

/// Every path by which the system administrator sets a role or an organisation: what the
/// request answers, and what holds before and after the security administrator's approval.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_the_system_administrator_could_hold_every_separated_role() {
    let s = TestServer::new(Backend::Sqlite).await;
    let sys = s.login("sysadmin").await;
    let mz = org_id(&s, "民政局").await;
    let office = org_id(&s, "县纪委监委办公室").await;

    // New accounts of every kind of role: none exists until approved.
    for (i, role) in [
        "dept_clerk",
        "commission_analyst",
        "system_admin",
        "security_admin",
        "audit_admin",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("proposed{i}");
        let ans = s
            .call(Some(&sys), Method::POST, "/api/users", Some(json!({
                "username": name, "display_name": "新账号", "org_id": if i == 0 { mz } else { office },
                "role": role, "password": "Zq9!Zq9!Zq9!Zq9!x",
            })))
            .await;
        assert_eq!(
            ans.status,
            StatusCode::ACCEPTED,
            "{role}: {}",
            String::from_utf8_lossy(&ans.body)
        );
        assert!(
            user(&s, &name).await.is_none(),
            "{role}: no account before approval"
        );
        assert_eq!(
            s.try_login(&name, "Zq9!Zq9!Zq9!Zq9!x").await.status,
            StatusCode::UNAUTHORIZED
        );
        if i < 2 {
            s.approve(&ans).await;
            let u = user(&s, &name).await.expect("approved account exists");
            assert_eq!(u["role"], *role);
        } else {
            let sec = s.login("secadmin").await;
            let id = ans.json()["change_id"].as_i64().unwrap();
            let rej = s
                .call(
                    Some(&sec),
                    Method::POST,
                    &format!("/api/access-changes/{id}/reject"),
                    Some(json!({ "note": "不予批准" })),
                )
                .await;
            assert_eq!(rej.status, StatusCode::OK);
            assert!(
                user(&s, &name).await.is_none(),
                "{role}: a rejected account never exists"
            );
            // Decided once: approving it afterwards is a conflict.
            let again = s
                .call(
                    Some(&sec),
                    Method::POST,
                    &format!("/api/access-changes/{id}/approve"),
                    Some(json!({})),
                )
                .await;
            assert_eq!(again.status, StatusCode::CONFLICT);
        }
    }

    // Changing an account: name and enabled flag at once; role or organisation by proposal.
    let clerk = user(&s, "mz_clerk").await.unwrap();
    let id = clerk["id"].as_i64().unwrap();
    let put = |role: &str, org: i64, name: &str| json!({ "display_name": name, "org_id": org, "role": role, "enabled": true });
    let cases: Vec<(Value, StatusCode)> = vec![
        (put("dept_clerk", mz, "赵数据二"), StatusCode::NO_CONTENT),
        (
            put("commission_analyst", mz, "赵数据二"),
            StatusCode::ACCEPTED,
        ),
        (put("dept_clerk", office, "赵数据二"), StatusCode::ACCEPTED),
        (
            put("security_admin", office, "赵数据二"),
            StatusCode::ACCEPTED,
        ),
    ];
    let session = s.login("mz_clerk").await;
    for (body, expected) in cases {
        let ans = s
            .call(
                Some(&sys),
                Method::PUT,
                &format!("/api/users/{id}"),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            ans.status,
            expected,
            "{body}: {}",
            String::from_utf8_lossy(&ans.body)
        );
        let now = user(&s, "mz_clerk").await.unwrap();
        assert_eq!(
            (now["role"].as_str(), now["org_id"].as_i64()),
            (Some("dept_clerk"), Some(mz)),
            "{body}: unchanged before approval"
        );
        if expected == StatusCode::ACCEPTED {
            // A second proposal for the same account waits for the first.
            let dup = s
                .call(
                    Some(&sys),
                    Method::PUT,
                    &format!("/api/users/{id}"),
                    Some(body.clone()),
                )
                .await;
            assert_eq!(dup.status, StatusCode::CONFLICT);
            let sec = s.login("secadmin").await;
            let cid = ans.json()["change_id"].as_i64().unwrap();
            s.call(
                Some(&sec),
                Method::POST,
                &format!("/api/access-changes/{cid}/reject"),
                Some(json!({})),
            )
            .await;
        }
    }
    assert_eq!(
        user(&s, "mz_clerk").await.unwrap()["display_name"],
        "赵数据二"
    );
    // An approved role change takes effect, and the account's sessions end with the old rights.
    let ans = s
        .call(
            Some(&sys),
            Method::PUT,
            &format!("/api/users/{id}"),
            Some(put("dept_verifier", mz, "赵数据二")),
        )
        .await;
    s.approve(&ans).await;
    assert_eq!(user(&s, "mz_clerk").await.unwrap()["role"], "dept_verifier");
    assert_eq!(
        s.call(Some(&session), Method::GET, "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // Nobody decides his own account: the security administrator cannot approve a change of
    // his own role, nor the system administrator change his own.
    let secu = user(&s, "secadmin").await.unwrap();
    let ans = s
        .call(
            Some(&sys),
            Method::PUT,
            &format!("/api/users/{}", secu["id"]),
            Some(put("commission_analyst", office, "郑安全")),
        )
        .await;
    assert_eq!(ans.status, StatusCode::ACCEPTED);
    let sec = s.login("secadmin").await;
    let cid = ans.json()["change_id"].as_i64().unwrap();
    let own = s
        .call(
            Some(&sec),
            Method::POST,
            &format!("/api/access-changes/{cid}/approve"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        own.status,
        StatusCode::FORBIDDEN,
        "{}",
        String::from_utf8_lossy(&own.body)
    );
    assert_eq!(
        user(&s, "secadmin").await.unwrap()["role"],
        "security_admin"
    );
    let me = user(&s, "sysadmin").await.unwrap();
    let ans = s
        .call(
            Some(&sys),
            Method::PUT,
            &format!("/api/users/{}", me["id"]),
            Some(put("security_admin", office, "吴系统")),
        )
        .await;
    assert_eq!(ans.status, StatusCode::FORBIDDEN);
    // The system administrator cannot approve anything.
    let ans = s
        .call(
            Some(&sys),
            Method::POST,
            &format!("/api/access-changes/{cid}/approve"),
            Some(json!({})),
        )
        .await;
    assert_eq!(ans.status, StatusCode::FORBIDDEN);

    // Organisations: code and order at once; name, kind, parent or town by proposal.
    let orgs = s
        .call(Some(&sys), Method::GET, "/api/orgs", None)
        .await
        .json()["orgs"]
        .as_array()
        .unwrap()
        .clone();
    let node = orgs.iter().find(|o| o["name"] == "民政局").unwrap().clone();
    let town_org = orgs
        .iter()
        .find(|o| o["name"] == "城关镇纪委")
        .unwrap()
        .clone();
    let with = |k: &str, v: Value| {
        let mut b = json!({ "name": node["name"], "kind": node["kind"], "parent_id": node["parent_id"],
            "code": node["code"], "town": node["town"], "sort_order": node["sort_order"] });
        b[k] = v;
        b
    };
    let cases = [
        (with("code", json!("MZJ")), StatusCode::NO_CONTENT),
        (with("sort_order", json!(99)), StatusCode::NO_CONTENT),
        (with("name", json!("住建局二")), StatusCode::ACCEPTED),
        (with("kind", json!("office")), StatusCode::ACCEPTED),
        (
            with("parent_id", town_org["id"].clone()),
            StatusCode::ACCEPTED,
        ),
        (with("town", json!("城关镇")), StatusCode::ACCEPTED),
    ];
    for (body, expected) in cases {
        let ans = s
            .call(
                Some(&sys),
                Method::PUT,
                &format!("/api/orgs/{}", node["id"]),
                Some(body.clone()),
            )
            .await;
        assert_eq!(
            ans.status,
            expected,
            "{body}: {}",
            String::from_utf8_lossy(&ans.body)
        );
        let now = s
            .state
            .platform
            .store()
            .org_node(node["id"].as_i64().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                now.name.as_str(),
                now.kind.as_str(),
                now.parent_id,
                now.town.as_str()
            ),
            ("民政局", "department", node["parent_id"].as_i64(), ""),
            "{body}: scope unchanged before approval"
        );
        if expected == StatusCode::ACCEPTED {
            let sec = s.login("secadmin").await;
            let cid = ans.json()["change_id"].as_i64().unwrap();
            s.call(
                Some(&sec),
                Method::POST,
                &format!("/api/access-changes/{cid}/reject"),
                Some(json!({})),
            )
            .await;
        }
    }
    let ans = s
        .call(
            Some(&sys),
            Method::PUT,
            &format!("/api/orgs/{}", node["id"]),
            Some(with("town", json!("城关镇"))),
        )
        .await;
    s.approve(&ans).await;
    assert_eq!(
        s.state
            .platform
            .store()
            .org_node(node["id"].as_i64().unwrap())
            .await
            .unwrap()
            .unwrap()
            .town,
        "城关镇"
    );

    // Whatever the order of requests: every account holds one role, and no administrator
    // role holds a permission of another kind.
    let roles = s.state.platform.store().roles().await.unwrap();
    for r in &roles {
        r.validate().unwrap();
    }
    for u in users(&s).await {
        assert_eq!(
            roles.iter().filter(|r| r.code == u["role"]).count(),
            1,
            "{u}"
        );
    }
    // Every proposal and decision is on the audit trail.
    for action in [
        "user.propose",
        "user.update",
        "org.update",
        "change.approve",
        "change.reject",
    ] {
        assert!(!audit(&s, action).await.is_empty(), "{action} audited");
    }
    let list = s
        .call(Some(&sec), Method::GET, "/api/access-changes", None)
        .await
        .json();
    let text = list.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("password_hash"),
        "proposals never show a password hash"
    );
}

/// Found reading the code beside the contract test: the system administrator could set his
/// own password through the reset route, without the old one that changing it demands — a
/// stolen session was enough to take the account.
#[tokio::test]
async fn regression_an_administrator_reset_his_own_password_without_the_old_one() {
    let s = TestServer::new(Backend::Sqlite).await;
    let admin = s.login("sysadmin").await;
    let me = s
        .call(Some(&admin), Method::GET, "/api/auth/me", None)
        .await
        .json();
    let own = me["id"].as_i64().unwrap();
    let reset = s
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/users/{own}/password"),
            Some(json!({ "password": "Another#Pass2026x" })),
        )
        .await;
    assert_eq!(
        (reset.status, reset.code().as_str()),
        (StatusCode::FORBIDDEN, "forbidden"),
        "{}",
        reset.json()
    );
    // Another account's temporary password is still his to set.
    let clerk = s.login("mz_clerk").await;
    let clerk_id = s
        .call(Some(&clerk), Method::GET, "/api/auth/me", None)
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let other = s
        .call(
            Some(&admin),
            Method::POST,
            &format!("/api/users/{clerk_id}/password"),
            Some(json!({ "password": "Another#Pass2026x" })),
        )
        .await;
    assert_eq!(other.status, StatusCode::NO_CONTENT, "{}", other.json());
}
