//! Masking that cannot be undone: for a role without `id.full`, no answer of any GET route —
//! lists, pages, search results, graph nodes, evidence rows, dataset rows, exports (unzipped) —
//! carries a person's full ID number or their birth date (the eight digits the mask hides),
//! and no audit record holds an ID number, whole or masked.

use crate::server::{TestServer, two_departments};
use crate::support::Backend;
use axum::http::Method;
use mingjing_server::routes::ROUTES;
use serde_json::Value;
use std::io::Read;

const ID: &str = "11010519491231002X";
const BIRTH: [&str; 4] = ["19491231", "1949-12-31", "1949/12/31", "1949年12月31日"];

/// The text of an answer: JSON as it is, an xlsx or docx archive as its members' text.
fn text_of(body: &[u8]) -> String {
    if body.starts_with(b"PK")
        && let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(body))
    {
        let mut out = String::new();
        for i in 0..z.len() {
            let mut s = String::new();
            if z.by_index(i).unwrap().read_to_string(&mut s).is_ok() {
                out.push_str(&s);
            }
        }
        return out;
    }
    String::from_utf8_lossy(body).to_string()
}

fn ids_in(v: &Value, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(m) => {
                if let Some(x) = m.get(key) {
                    match x {
                        Value::Number(n) => out.push(n.to_string()),
                        Value::String(s) => out.push(s.clone()),
                        _ => {}
                    }
                }
                stack.extend(m.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_masked_id_beside_its_birth_date_was_the_full_id() {
    let s = TestServer::new(Backend::Sqlite).await;
    let (alert, _, _) = two_departments(&s).await;
    crate::support::import_csv(
        &s,
        "persons",
        "公安局",
        None,
        format!(
            "公民身份号码,姓名,性别,出生日期,户号,与户主关系,乡镇,村(社区),住址\n\
             {ID},张三,女,1949-12-31,H1,户主,城关镇,东关社区,东关社区1号\n"
        ),
    )
    .await;
    s.state.platform.rebuild_person_index().await.unwrap();
    let purpose = "purpose=%E6%A0%B8%E6%9F%A5";
    // The data is there to leak: a role with `id.full` reads the ID and the birth date.
    let leader = s.login("leader").await;
    let found = s
        .call(
            Some(&leader),
            Method::GET,
            &format!("/api/persons?q=%E5%BC%A0%E4%B8%89&{purpose}"),
            None,
        )
        .await
        .json();
    let handle = ids_in(&found, "handle")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("张三 is found: {found}"));
    let page = s
        .call(
            Some(&leader),
            Method::GET,
            &format!("/api/persons/{handle}?{purpose}"),
            None,
        )
        .await;
    let page = text_of(&page.body);
    assert!(page.contains(ID) && page.contains("1949-12-31"), "{page}");
    for user in ["mz_verifier", "mz_clerk", "town"] {
        let c = s.login(user).await;
        // What the role can name: its alerts, uploads and the person found by name.
        let mut alerts = vec![alert.to_string()];
        alerts.extend(ids_in(
            &s.call(Some(&c), Method::GET, "/api/alerts", None)
                .await
                .json(),
            "id",
        ));
        let uploads = ids_in(
            &s.call(Some(&c), Method::GET, "/api/uploads", None)
                .await
                .json(),
            "id",
        );
        let persons = ids_in(
            &s.call(
                Some(&c),
                Method::GET,
                &format!("/api/persons?q=%E5%BC%A0%E4%B8%89&{purpose}"),
                None,
            )
            .await
            .json(),
            "handle",
        );
        let mut checked = 0;
        for r in ROUTES.iter().filter(|r| r.method == "get") {
            if r.path == "/api/chat/ws" {
                continue;
            }
            let candidates: Vec<String> = if r.path.contains("{id}") {
                let ids = if r.path.starts_with("/api/alerts") {
                    &alerts
                } else if r.path.starts_with("/api/uploads") {
                    &uploads
                } else if r.path.starts_with("/api/persons") || r.path.starts_with("/api/integrity")
                {
                    &persons
                } else {
                    continue;
                };
                ids.iter().map(|i| r.path.replace("{id}", i)).collect()
            } else if r.path.contains("{name}") {
                ["persons", "deaths", "benefit_payments"]
                    .iter()
                    .map(|n| r.path.replace("{name}", n))
                    .collect()
            } else if r.path.contains('{') {
                continue;
            } else {
                vec![r.path.to_string()]
            };
            for path in candidates {
                let q = if path.starts_with("/api/persons") {
                    format!("?q={}&{purpose}", "%E5%BC%A0%E4%B8%89")
                } else {
                    format!("?{purpose}")
                };
                let a = s
                    .call(Some(&c), Method::GET, &format!("{path}{q}"), None)
                    .await;
                let text = text_of(&a.body);
                assert!(
                    !text.contains(ID),
                    "{user} GET {path}: the full ID in {text}"
                );
                for b in BIRTH {
                    assert!(
                        !text.contains(b),
                        "{user} GET {path}: the birth date {b} in {text}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 40, "{user}: {checked} answers checked");
    }
    // The audit log names no ID number, whole or masked.
    for e in s.audited("").await {
        let all = format!("{} {} {}", e.object, e.detail, e.action);
        assert!(
            !all.contains(ID) && !all.contains("110105********"),
            "{all}"
        );
    }
}
