//! 民生监督 over HTTP: a programme's money from the county to the village and the recipient,
//! exact to the fen, with coverage and alerts; each role's scope and masking.

use crate::server::TestServer;
use crate::support::Backend;
use axum::http::{Method, StatusCode};
use serde_json::Value;

fn id(i: usize) -> String {
    crate::support::test_id("61032719500101", 300 + i)
}

use crate::support::import_csv as import;

/// 事前比对 of a December payment roll.
async fn precheck(
    s: &TestServer,
    c: &crate::server::Client,
    name: &str,
    csv: &[u8],
) -> crate::server::Answer {
    let req = crate::server::file_request(
        c,
        "/api/uploads/precheck",
        "benefit_payments",
        Some("2026-12"),
        name,
        csv,
    );
    s.send(req).await
}

fn row<'a>(v: &'a Value, key: &str) -> &'a Value {
    v["view"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == key)
        .unwrap_or_else(|| panic!("{key} in {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_programme_is_followed_from_the_county_to_the_recipient() {
    let s = TestServer::new(Backend::Sqlite).await;
    let mut persons = String::from("id_number,name,household_id,town,village\n");
    let places = [
        ("城关镇", "东关社区"),
        ("城关镇", "东关社区"),
        ("城关镇", "西关社区"),
        ("东风镇", "王家村"),
    ];
    for (i, (t, v)) in places.iter().enumerate() {
        persons += &format!("{},居民{i},H{i},{t},{v}\n", id(i));
    }
    import(&s, "persons", "公安局", None, persons).await;
    for month in ["2026-09", "2026-10"] {
        let mut roll =
            String::from("program,id_number,name,town,village,period,amount,bank_account\n");
        for (i, (t, v)) in places.iter().enumerate() {
            roll += &format!(
                "DIBAO,{},居民{i},{t},{v},{month},{}.50,6222{i:04}\n",
                id(i),
                300 + i
            );
        }
        import(&s, "benefit_payments", "民政局", Some(month), roll).await;
    }
    // An alert on a payment, and one person found eligible but unpaid (M22, for DIBAO here).
    let hit = |subject: String| mingjing_store::AlertHit {
        subject,
        program: "DIBAO".into(),
        name: "居民".into(),
        has_amount: false,
        responsible: "民政局".into(),
        town: "城关镇".into(),
        village: "东关社区".into(),
        evidence: vec![mingjing_store::EvidenceRow {
            dataset: "persons".into(),
            upload_dir: "x".into(),
            row: 2,
            amount_fen: None,
            firing: true,
            condition: "fire".into(),
        }],
    };
    s.state
        .platform
        .store()
        .apply_hits("M01", 1, &[hit(id(0))])
        .await
        .unwrap();
    s.state
        .platform
        .store()
        .apply_hits("M22", 1, &[hit(id(9))])
        .await
        .unwrap();
    let a = s.login("analyst").await;
    let get = |c: &crate::server::Client, q: &str| {
        let s = &s;
        let c = c.clone();
        let q = q.to_string();
        async move {
            let r = s
                .call(Some(&c), Method::GET, &format!("/api/livelihood?{q}"), None)
                .await;
            (r.status, r.json())
        }
    };
    // The county: one programme, 4 recipients, 8 payments, Σ 2 × (300.50+301.50+302.50+303.50).
    let (st, county) = get(&a, "").await;
    assert_eq!(st, StatusCode::OK, "{county}");
    let dibao = row(&county, "DIBAO");
    assert_eq!(
        (dibao["recipients"].as_i64(), dibao["payments"].as_i64()),
        (Some(4), Some(8))
    );
    assert_eq!(dibao["amount_fen"], 2 * (30050 + 30150 + 30250 + 30350));
    assert_eq!(dibao["label"], "最低生活保障");
    // The programme by town, with coverage of the registered population and the standard.
    let (_, towns) = get(&a, "program=DIBAO").await;
    let cg = row(&towns, "城关镇");
    assert_eq!(
        (cg["recipients"].as_i64(), cg["population"].as_i64()),
        (Some(3), Some(3))
    );
    assert!(towns["view"]["monthly_max_fen"].as_i64().unwrap() > 0);
    assert_eq!(towns["view"]["months"].as_array().unwrap().len(), 2);
    // Villages, then recipients.
    let q = "program=DIBAO&town=%E5%9F%8E%E5%85%B3%E9%95%87";
    let (_, villages) = get(&a, q).await;
    let dg = row(&villages, "东关社区");
    assert_eq!(dg["recipients"], 2);
    assert_eq!(
        (dg["alerts"].as_i64(), dg["unpaid_eligible"].as_i64()),
        (Some(1), Some(1)),
        "{dg}"
    );
    assert_eq!(row(&villages, "西关社区")["unpaid_eligible"], 0);
    let (_, people) = get(
        &a,
        &format!("{q}&village=%E4%B8%9C%E5%85%B3%E7%A4%BE%E5%8C%BA"),
    )
    .await;
    assert_eq!(people["recipients"], true);
    assert_eq!(
        row(&people, &id(0))["amount_fen"],
        2 * 30050,
        "the analyst reads full IDs"
    );
    // Skipping a level is refused.
    let (st, _) = get(&a, "town=%E5%9F%8E%E5%85%B3%E9%95%87").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // The town commission (城关镇): its own town whatever it asks, IDs masked.
    let town = s.login("town").await;
    let (_, theirs) = get(&town, "program=DIBAO").await;
    let keys: Vec<&str> = theirs["view"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["城关镇"]);
    let (_, mine) = get(&town, "").await;
    assert_eq!(
        row(&mine, "DIBAO")["recipients"],
        3,
        "the county level is its town's"
    );
    let (_, masked) = get(
        &town,
        &format!("{q}&village=%E4%B8%9C%E5%85%B3%E7%A4%BE%E5%8C%BA"),
    )
    .await;
    assert!(masked.to_string().contains("****") && !masked.to_string().contains(&id(0)));
    // A department sees the programmes it runs, and no other.
    let rs = s.login("rs_verifier").await;
    let (_, county) = get(&rs, "").await;
    assert_eq!(
        county["view"]["rows"],
        Value::Array(vec![]),
        "人社局 runs no 低保"
    );
    // Regression: a department's view showed the county-wide totals and months of every programme.
    assert_eq!(
        county["view"]["total"]["recipients"], 0,
        "{}",
        county["view"]["total"]
    );
    assert_eq!(county["view"]["total"]["amount_fen"], 0);
    assert_eq!(county["view"]["months"], Value::Array(vec![]));
    let (st, _) = get(&rs, "program=DIBAO").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let mz = s.login("mz_verifier").await;
    let (st, _) = get(&mz, "program=DIBAO").await;
    assert_eq!(st, StatusCode::OK);
}

/// 事前比对: next month's roll is checked against the payment models before paying; the
/// dead person on it is found, and nothing is stored — no upload, no alert.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_checked_before_paying_finds_the_dead_and_stores_nothing() {
    let s = TestServer::new(Backend::Sqlite).await;
    let mut persons = String::from("id_number,name,household_id,town,village\n");
    for i in 0..3 {
        persons += &format!("{},居民{i},H{i},城关镇,东关社区\n", id(i));
    }
    import(&s, "persons", "公安局", None, persons).await;
    import(
        &s,
        "deaths",
        "公安局",
        None,
        format!(
            "公民身份号码,姓名,死亡日期,数据来源\n{},居民1,2026-01-05,户籍注销\n",
            id(1)
        ),
    )
    .await;
    let uploads_before = s.state.platform.store().uploads(None).await.unwrap().len();
    let clerk = s.login("mz_clerk").await;
    let mut roll = String::from("program,id_number,name,town,village,period,amount,bank_account\n");
    for i in 0..3 {
        roll += &format!(
            "DIBAO,{},居民{i},城关镇,东关社区,2026-12,500.00,6222{i:04}\n",
            id(i)
        );
    }
    let a = precheck(&s, &clerk, "roll.csv", roll.as_bytes()).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.json());
    let out = a.json();
    assert_eq!(out["rows"], 3);
    let hits = out["hits"].as_array().unwrap();
    assert!(
        hits.iter()
            .any(|h| h["model"] == "M01" && h["rows"] == serde_json::json!([3])),
        "the dead person's row (row 3) is found: {out}"
    );
    assert!(hits.iter().all(|h| h["name"] == "居民1"), "{out}");
    assert!(
        hits[0]["subject"].as_str().unwrap().contains('*'),
        "a clerk reads masked IDs"
    );
    assert_eq!(
        s.state.platform.store().uploads(None).await.unwrap().len(),
        uploads_before,
        "no upload"
    );
    assert!(
        s.state
            .platform
            .store()
            .alerts(None)
            .await
            .unwrap()
            .is_empty(),
        "no alert"
    );
    // A bad roll is refused with its row and column, as an upload would be.
    let a = precheck(&s, &clerk, "bad.csv", "program,id_number,name,town,village,period,amount,bank_account\nDIBAO,123,某,城关镇,东关社区,2026-12,1.00,1\n".as_bytes()).await;
    assert_eq!(a.code(), "file_rejected", "{}", a.json());
    // Regression: any clerk could check any programme's roll against the whole county's data.
    let a = precheck(&s, &clerk, "zufang.csv", format!("program,id_number,name,town,village,period,amount,bank_account\nZUFANG,{},居民1,城关镇,东关社区,2026-12,300.00,62220001\n", id(1)).as_bytes()).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "{}", a.json());
    assert!(
        a.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ZUFANG"),
        "{}",
        a.json()
    );
    assert!(
        hits.iter().all(|h| h.get("amount_fen").is_none()),
        "no figure from other data"
    );
}

/// A project's contractor whose shareholder is the brother of a village cadre: the link is
/// shown with the relation and the post; a project without such links shows none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contractor_linked_to_a_cadre_through_a_relative_is_shown() {
    let s = TestServer::new(Backend::Sqlite).await;
    let code = |first17: &str| {
        format!(
            "{first17}{}",
            mingjing_domain::uscc::check_char(first17.as_bytes()).unwrap()
        )
    };
    let (linked, clean) = (code("91610327MA0000002"), code("91610327MA0000003"));
    import(&s, "livelihood_projects", "发改局", None, format!(
        "project_code,name,department,town,village,budget,disbursed,contractor_code,contractor_name,start_date,status\n\
         P1,东关村道路硬化,交通局,城关镇,东关社区,800000.00,650000.00,{linked},城关路桥公司,2026-03-01,在建\n\
         P2,王家村饮水工程,水利局,东风镇,王家村,300000.00,300000.00,{clean},东风水务公司,2026-02-01,已完工\n"
    )).await;
    import(
        &s,
        "businesses",
        "市场监管局",
        None,
        format!(
            "credit_code,company_name,id_number,person_name,role,establish_date,status\n\
         {linked},城关路桥公司,{},赵大,股东,2019-01-01,存续\n\
         {clean},东风水务公司,{},钱二,法定代表人,2019-01-01,存续\n",
            id(20),
            id(21)
        ),
    )
    .await;
    import(
        &s,
        "family_relations",
        "公安局",
        None,
        format!(
            "id_number,relative_id_number,relation\n{},{},兄弟姐妹\n",
            id(22),
            id(20)
        ),
    )
    .await;
    import(&s, "village_cadres", "组织部", None, format!(
        "id_number,name,town,village,position,term_start\n{},赵三,城关镇,东关社区,村委会主任,2021-01-01\n", id(22)
    )).await;
    let a = s.login("analyst").await;
    let r = s
        .call(Some(&a), Method::GET, "/api/livelihood/projects", None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.json());
    let list = r.json()["projects"].clone();
    assert_eq!(list[0]["project_code"], "P1", "linked projects first");
    let link = &list[0]["links"][0];
    assert_eq!(
        (
            link["person"].as_str(),
            link["relation"].as_str(),
            link["official"].as_str()
        ),
        (Some("赵大"), Some("兄弟姐妹"), Some("赵三"))
    );
    assert!(link["post"].as_str().unwrap().contains("村委会主任"));
    assert_eq!(list[1]["links"], Value::Array(vec![]));
    assert_eq!(
        (list[0]["budget"].as_str(), list[0]["disbursed"].as_str()),
        (Some("800000.00"), Some("650000.00"))
    );
    // The town commission of 城关镇 sees its town's project only.
    let town = s.login("town").await;
    let theirs = s
        .call(Some(&town), Method::GET, "/api/livelihood/projects", None)
        .await
        .json();
    assert_eq!(theirs["projects"].as_array().unwrap().len(), 1);
}
