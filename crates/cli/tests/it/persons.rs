//! 一键通 over HTTP on both backends: fuzzy names (traditional, full-width, spaced, homophones
//! as candidates), masked IDs, a stated purpose for every look, and each role's scope and
//! masking on search results and the person page.

use crate::server::{Client, TestServer};
use crate::support::Backend;
use axum::http::{Method, StatusCode};
use serde_json::Value;

fn id(i: usize) -> String {
    crate::support::test_id("61032719800101", 200 + i)
}

async fn import(s: &TestServer, ty: &str, org: &str, csv: String) {
    crate::support::import_csv(s, ty, org, None, csv).await
}

async fn search(s: &TestServer, c: &Client, q: &str, extra: &str) -> Value {
    let path = format!(
        "/api/persons?q={}&purpose=%E6%A0%B8%E6%9F%A5%E7%BA%BF%E7%B4%A2{extra}",
        urlencode(q)
    );
    let a = s.call(Some(c), Method::GET, &path, None).await;
    assert_eq!(a.status, StatusCode::OK, "{q}: {}", a.json());
    a.json()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn names(v: &Value) -> Vec<(String, String)> {
    v["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["matched"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_search_and_page_keep_to_each_roles_scope_on_sqlite() {
    person_round(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_search_and_page_keep_to_each_roles_scope_on_postgres() {
    person_round(Backend::Postgres).await;
}

async fn person_round(backend: Backend) {
    let s = TestServer::new(backend).await;
    let people = [
        ("陈晓东", "H1", "户主", "城关镇", "东关社区"),
        ("李梅", "H1", "配偶", "城关镇", "东关社区"),
        ("张三丰", "H2", "户主", "城关镇", "东关社区"),
        ("章三峰", "H3", "户主", "东风镇", "王家村"),
        ("陈晓东", "H4", "户主", "东风镇", "王家村"),
        ("买买提·艾力", "H5", "户主", "东风镇", "王家村"),
    ];
    let mut csv = String::from("id_number,name,household_id,relation,town,village\n");
    for (i, (n, h, r, t, v)) in people.iter().enumerate() {
        csv += &format!("{},{n},{h},{r},{t},{v}\n", id(i));
    }
    import(&s, "persons", "公安局", csv).await;
    import(
        &s,
        "sanctions",
        "县纪委监委案件监督管理室",
        format!(
            "case_no,id_number,name,org,sanction,decision_date,authority\nC9,{},陈晓东,县民政局,党内警告,2026-03-01,县纪委\n",
            id(0)
        ),
    )
    .await;
    let first17 = "91610327MA0000001";
    let code = format!(
        "{first17}{}",
        mingjing_domain::uscc::check_char(first17.as_bytes()).unwrap()
    );
    import(
        &s,
        "businesses",
        "市场监管局",
        format!(
            "credit_code,company_name,id_number,person_name,role,establish_date,status\n\
             {code},城关建材有限公司,{},陈晓东,股东,2020-05-01,存续\n\
             {code},城关建材有限公司,{},章三峰,法定代表人,2020-05-01,存续\n",
            id(0),
            id(3)
        ),
    )
    .await;
    import(
        &s,
        "family_relations",
        "公安局",
        format!(
            "id_number,relative_id_number,relation\n{},{},兄弟姐妹\n",
            id(0),
            id(5)
        ),
    )
    .await;
    assert_eq!(
        s.state.platform.rebuild_person_index().await.unwrap(),
        people.len()
    );
    let analyst = s.login("analyst").await;
    let town = s.login("town").await;
    let leader = s.login("leader").await;

    // Fuzzy names: traditional, spaced, full-width dots all find the same people; homophones
    // come after the exact name, marked as pinyin candidates.
    for q in ["陳曉東", "陈 晓东", "陈晓东"] {
        let got = names(&search(&s, &analyst, q, "").await);
        assert_eq!(
            got,
            [
                ("陈晓东".into(), "name".into()),
                ("陈晓东".into(), "name".into())
            ],
            "{q}"
        );
    }
    let got = names(&search(&s, &analyst, "张三丰", "").await);
    assert_eq!(got[0], ("张三丰".into(), "name".into()));
    assert_eq!(got[1], ("章三峰".into(), "pinyin".into()));
    let got = names(&search(&s, &analyst, "买买提．艾力", "").await);
    assert_eq!(got, [("买买提·艾力".into(), "name".into())]);
    let got = names(&search(&s, &analyst, "陈", "").await);
    assert!(
        got.iter().all(|(_, m)| m == "prefix") && got.len() == 2,
        "{got:?}"
    );
    // Narrowed by town, village and age (born 1980-01-01: 46 throughout 2026).
    let got = search(&s, &analyst, "陈晓东", "&town=%E4%B8%9C%E9%A3%8E%E9%95%87").await;
    assert_eq!(got["persons"].as_array().unwrap().len(), 1);
    assert_eq!(got["persons"][0]["town"], "东风镇");
    let age = chrono::Datelike::year(&s.state.today()) - 1980;
    assert_eq!(
        search(&s, &analyst, "陈晓东", &format!("&age_min={}", age + 1)).await["persons"],
        Value::Array(vec![])
    );
    assert_eq!(
        search(
            &s,
            &analyst,
            "陈晓东",
            &format!("&age_min={}&age_max={age}", age - 6)
        )
        .await["persons"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // IDs: whole, or masked with *.
    let masked = format!("{}********{}", &id(3)[..6], &id(3)[14..]);
    let got = search(&s, &analyst, &masked, "").await;
    assert_eq!(got["persons"].as_array().unwrap().len(), 1, "{got}");
    assert_eq!(got["persons"][0]["name"], "章三峰");
    assert_eq!(
        got["persons"][0]["id_number"],
        id(3),
        "the analyst reads full IDs"
    );
    // No purpose, no look.
    let a = s
        .call(
            Some(&analyst),
            Method::GET,
            "/api/persons?q=%E9%99%88",
            None,
        )
        .await;
    assert_eq!(a.code(), "invalid_request");

    // The town commission: its own town only, IDs masked, no discipline records.
    let got = search(&s, &town, "陈晓东", "").await;
    let list = got["persons"].as_array().unwrap();
    assert_eq!(list.len(), 1, "only 城关镇's 陈晓东");
    assert_eq!(list[0]["town"], "城关镇");
    assert!(list[0]["id_number"].as_str().unwrap().contains('*'));
    assert!(
        !list[0]["handle"].as_str().unwrap().contains(&id(0)[..6]),
        "a handle reveals nothing"
    );
    let handle = list[0]["handle"].as_str().unwrap().to_string();
    let page = s
        .call(
            Some(&town),
            Method::GET,
            &format!("/api/persons/{handle}?purpose=%E6%A0%B8%E6%9F%A5"),
            None,
        )
        .await
        .json();
    assert_eq!(page["person"]["name"], "陈晓东");
    assert_eq!(
        page["household"].as_array().unwrap().len(),
        2,
        "the household: 陈晓东 and 李梅"
    );
    let text = page.to_string();
    assert!(
        !text.contains(&id(0)) && !text.contains(&id(1)),
        "no full ID anywhere on the page"
    );
    // Regression: the birth date beside a masked ID was the eight digits the mask hides.
    assert!(
        !text.contains("1980-01-01") && !text.contains("19800101"),
        "no birth date for a masked reader: {text}"
    );
    assert_eq!(page["person"]["birth_date"], "1980");
    assert!(
        page["records"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["discipline"] == false)
    );
    assert!(
        page["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["dataset_type"] == "persons")
    );
    // The graph: the household, the relative, the company; IDs masked, people by handle.
    let graph = s
        .call(
            Some(&town),
            Method::GET,
            &format!("/api/persons/{handle}/graph?purpose=%E6%A0%B8%E6%9F%A5"),
            None,
        )
        .await
        .json();
    let text = graph.to_string();
    assert!(
        !text.contains(&id(0)) && !text.contains(&id(5)),
        "no full ID in the graph"
    );
    let labels: Vec<&str> = graph["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"同户·配偶"), "{labels:?}");
    assert!(labels.contains(&"兄弟姐妹"), "{labels:?}");
    assert!(labels.contains(&"股东"), "{labels:?}");
    assert!(
        graph["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["label"] == "城关建材有限公司"),
        "{graph}"
    );
    assert!(
        graph["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["source"].is_string())
    );
    // Expanding a hop: the analyst opens the relative from the graph.
    let g2 = s
        .call(
            Some(&analyst),
            Method::GET,
            &format!("/api/persons/{}/graph?purpose=%E6%A0%B8%E6%9F%A5", id(0)),
            None,
        )
        .await
        .json();
    let relative = g2["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id_number"] == id(5))
        .expect("the relative is a node")["handle"]
        .as_str()
        .unwrap()
        .to_string();
    let g3 = s
        .call(
            Some(&analyst),
            Method::GET,
            &format!("/api/persons/{relative}/graph?purpose=%E6%A0%B8%E6%9F%A5"),
            None,
        )
        .await
        .json();
    assert_eq!(
        g3["nodes"][0]["label"], "买买提·艾力",
        "the next hop is centred on the relative"
    );
    // Another town's person: not found, whether by handle or by full ID.
    let other = search(&s, &analyst, "章三峰", "").await["persons"][0]["handle"]
        .as_str()
        .unwrap()
        .to_string();
    for key in [other, id(3)] {
        let a = s
            .call(
                Some(&town),
                Method::GET,
                &format!("/api/persons/{key}?purpose=%E6%A0%B8%E6%9F%A5"),
                None,
            )
            .await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{key}");
    }
    // The leader: full IDs and the sanction.
    let page = s
        .call(
            Some(&leader),
            Method::GET,
            &format!("/api/persons/{}?purpose=%E6%A0%B8%E6%9F%A5", id(0)),
            None,
        )
        .await
        .json();
    assert_eq!(page["id_number"], id(0));
    let sanctions = page["records"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["dataset_type"] == "sanctions")
        .expect("discipline records for the leader");
    assert!(sanctions.to_string().contains("党内警告"));
    // Every look is audited with its purpose, IDs masked.
    let mut log = Vec::new();
    for action in ["person.search", "person.view"] {
        log.extend(
            s.state
                .platform
                .store()
                .audit_records(&mingjing_store::audit::AuditQuery {
                    action: action.into(),
                    limit: 100,
                    ..Default::default()
                })
                .await
                .unwrap(),
        );
    }
    assert!(log.len() > 10);
    assert!(
        log.iter()
            .any(|r| r.entry.action == "person.view" && r.entry.result == "denied")
    );
    // Regression: the log named people by their masked IDs; it holds no ID, whole or in part.
    for i in 0..6 {
        let masked = format!("{}********{}", &id(i)[..6], &id(i)[14..]);
        assert!(
            log.iter().all(|r| {
                let t = format!("{} {}", r.entry.object, r.entry.detail);
                !t.contains(&id(i)) && !t.contains(&masked)
            }),
            "{log:?}"
        );
    }
    assert!(
        log.iter()
            .any(|r| r.entry.detail.contains("事由：核查线索"))
    );
}

/// Every file under the data directory's uploads with this extension.
fn files_ending(root: &std::path::Path, ext: &str) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root.join("uploads")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            if p.extension().is_some_and(|e| e == ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The person page finds rows through each file's ID index, in every ID field (a relative's
/// row names the person in its second field), from current uploads only; an index that is
/// missing (an upload from before indexes) is rebuilt and the page is the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_page_reads_rows_by_the_id_index_and_rebuilds_a_missing_index() {
    let s = TestServer::new(Backend::Sqlite).await;
    let register = |name: &str| {
        format!(
            "id_number,name,household_id,relation,town,village\n{},{name},H1,户主,城关镇,东关社区\n{},李梅,H1,配偶,城关镇,东关社区\n",
            id(0),
            id(1)
        )
    };
    import(&s, "persons", "公安局", register("陈晓冬")).await;
    // Replaced by a corrected register: the page shows only the current row.
    import(&s, "persons", "公安局", register("陈晓东")).await;
    import(
        &s,
        "family_relations",
        "公安局",
        format!(
            "id_number,relative_id_number,relation\n{},{},兄弟姐妹\n{},{},父母\n",
            id(5),
            id(0),
            id(1),
            id(6)
        ),
    )
    .await;
    for month in ["2026-08", "2026-09"] {
        crate::support::import_csv(
            &s,
            "benefit_payments",
            "民政局",
            Some(month),
            format!(
                "program,id_number,name,town,village,period,amount,bank_account\nDIBAO,{},陈晓东,城关镇,东关社区,{month},500.00,6222001\nDIBAO,{},李梅,城关镇,东关社区,{month},300.00,6222002\n",
                id(0),
                id(1)
            ),
        )
        .await;
    }
    let parquet = files_ending(s.platform.data_dir(), "parquet");
    let indexes = files_ending(s.platform.data_dir(), "ids");
    assert_eq!(
        indexes,
        parquet
            .iter()
            .map(|p| p.with_extension("ids"))
            .collect::<Vec<_>>(),
        "every slice file is written with its ID index"
    );
    let analyst = s.login("analyst").await;
    let path = format!("/api/persons/{}?purpose=%E6%A0%B8%E6%9F%A5", id(0));
    let page = async || {
        let a = s.call(Some(&analyst), Method::GET, &path, None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.json());
        a.json()
    };
    let before = page().await;
    let records = before["records"].as_array().unwrap();
    let of =
        |ty: &str| -> Vec<&Value> { records.iter().filter(|r| r["dataset_type"] == ty).collect() };
    let persons = of("persons");
    assert_eq!(persons.len(), 1);
    assert_eq!(
        persons[0]["rows"].as_array().unwrap().len(),
        1,
        "current only"
    );
    assert_eq!(persons[0]["rows"][0][1], "陈晓东");
    let relations = of("family_relations");
    assert_eq!(relations.len(), 1, "named in the relative's field only");
    assert_eq!(relations[0]["field"], "亲属身份证号");
    assert_eq!(relations[0]["rows"][0][2], "兄弟姐妹");
    let payments = of("benefit_payments");
    let rows = payments[0]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "one row per month, not 李梅's: {rows:?}");
    assert!(rows.iter().all(|r| r[2] == "陈晓东" && r[6] == "500.00"));
    assert_eq!(
        (rows[0][5].as_str(), rows[1][5].as_str()),
        (Some("2026-08-01"), Some("2026-09-01")),
        "in upload order"
    );
    for f in &indexes {
        std::fs::remove_file(f).unwrap();
    }
    assert_eq!(page().await["records"], before["records"]);
    assert_eq!(
        files_ending(s.platform.data_dir(), "ids").len(),
        indexes.len() - 1,
        "rebuilt for the current files it read (the replaced register is not read)"
    );
}

/// Found by the contract test: an age bound beyond any lifetime overflowed the birth-date
/// arithmetic and the search panicked (the connection closed without an answer).
#[tokio::test]
async fn regression_a_huge_age_bound_panicked_the_search() {
    let s = TestServer::new(Backend::Sqlite).await;
    let analyst = s.login("analyst").await;
    for extra in ["age_min=1856395627", "age_max=4294967295", "age_max=151"] {
        let path = format!(
            "/api/persons?q={}&purpose=%E6%A0%B8%E6%9F%A5%E7%BA%BF%E7%B4%A2&{extra}",
            urlencode("王")
        );
        let a = s.call(Some(&analyst), Method::GET, &path, None).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::BAD_REQUEST, "invalid_request"),
            "{extra}: {}",
            a.json()
        );
    }
}
