//! The model library from the command line: alerts explained, self-service models checked,
//! dry-run, defined, disabled, exported; parameters as versions; re-match after an upload.

use crate::support::{Backend, TestPlatform, stderr, stdout};

const DEAD: &str = "11010519491231002X";
const ALIVE: &str = "110105194912310038";

/// A dead payee paid after death, and a living one.
fn small_county(p: &TestPlatform) {
    let dir = p.data_dir();
    let deaths = dir.join("deaths.csv");
    std::fs::write(
        &deaths,
        format!("公民身份号码,姓名,死亡日期,数据来源\n{DEAD},张三,2026-01-05,户籍注销\n"),
    )
    .unwrap();
    let roll = dir.join("roll.csv");
    std::fs::write(
        &roll,
        format!(
            "项目代码,领取人身份证号,领取人姓名,乡镇,村(社区),发放月份,发放金额,收款账号\n\
             DIBAO,{DEAD},张三,城关镇,东关社区,2026-03,500.00,6228000000000000001\n\
             DIBAO,{ALIVE},李四,城关镇,东关社区,2026-03,480.00,6228000000000000002\n"
        ),
    )
    .unwrap();
    let o = p.import("deaths", "公安局", None, &deaths);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = p.import("benefit_payments", "民政局", Some("2026-03"), &roll);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn run_ok(p: &TestPlatform, args: &[&str]) -> String {
    let mut all = vec![args[0], "--data-dir", p.data_dir_str()];
    all.extend(&args[1..]);
    let o = p.run(&all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn run_fails(p: &TestPlatform, args: &[&str], code: i32) -> String {
    let mut all = vec![args[0], "--data-dir", p.data_dir_str()];
    all.extend(&args[1..]);
    let o = p.run(&all);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {}", stdout(&o));
    stderr(&o)
}

#[test]
fn an_alert_explains_which_condition_matched_which_rows() {
    let p = TestPlatform::new(Backend::Sqlite);
    small_county(&p);
    run_ok(&p, &["run", "--model", "M01", "--as-of", "2026-03-31"]);
    let json: serde_json::Value =
        serde_json::from_str(&run_ok(&p, &["explain", "--alert", "1", "--json"])).unwrap();
    // The operator's look at an alert and its rows is recorded, as the browser's is.
    let looked = crate::support::block_on(async {
        p.store()
            .await
            .audit_records(&mingjing_store::audit::AuditQuery {
                action: "alert.view".into(),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap()
    });
    assert!(
        looked
            .iter()
            .any(|r| r.entry.actor.starts_with("cli:") && r.entry.object == "alert:1"),
        "{looked:?}"
    );
    let conditions = json["explanation"]["conditions"].as_array().unwrap();
    assert_eq!(conditions.len(), 2);
    assert_eq!(conditions[0]["kind"], "触发");
    assert_eq!(conditions[0]["dataset"], "benefit_payments");
    assert_eq!(
        conditions[0]["rows"][0]["row"], 2,
        "the dead payee's payment row"
    );
    assert_eq!(conditions[1]["kind"], "同时存在");
    assert_eq!(
        conditions[1]["dataset"], "deaths",
        "the dataset behind the first_deaths block"
    );
    assert!(conditions[1]["label"].as_str().unwrap().contains("已死亡"));
    // The cited rows come back with their values.
    let tables = json["rows"].as_array().unwrap();
    let pay = tables
        .iter()
        .find(|t| t["dataset"] == "benefit_payments")
        .unwrap();
    let cols: Vec<&str> = pay["rows"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    let amount = cols.iter().position(|c| *c == "amount").unwrap();
    assert_eq!(pay["rows"]["rows"][0][amount], "500.00");
    // In words, for a person: IDs masked on the terminal.
    let text = run_ok(&p, &["explain", "--alert", "1"]);
    assert!(
        text.contains("【触发】") && text.contains("【同时存在】"),
        "{text}"
    );
    assert!(
        !text.contains(DEAD) && text.contains("110105********002X"),
        "{text}"
    );
    run_fails(&p, &["explain", "--alert", "99"], 1);
}

#[test]
fn self_service_models_are_checked_dry_run_saved_disabled_and_shared() {
    let p = TestPlatform::new(Backend::Sqlite);
    small_county(&p);
    let dir = p.data_dir();
    let write = |name: &str, text: &str| {
        let f = dir.join(name);
        std::fs::write(&f, text).unwrap();
        f.to_str().unwrap().to_string()
    };
    // Unknown column: named.
    let bad_col = write(
        "bad_col.toml",
        "id = \"U1\"\nname = \"大额发放\"\nversion = 1\n[query]\nsql = \"SELECT id_number, amount, salary, _upload, _row FROM benefit_payments\"\ndataset = \"benefit_payments\"\nsubject = \"id_number\"\nresponsible = { unit = \"民政局\" }\n",
    );
    let err = run_fails(&p, &["model", "check", &bad_col], 1);
    assert!(err.contains("salary"), "{err}");
    // Not read-only: refused.
    for sql in [
        "DELETE FROM persons",
        "COPY persons TO '/tmp/x.csv'",
        "CREATE TABLE x (a INT)",
    ] {
        let f = write(
            "write.toml",
            &format!(
                "id = \"U2\"\nname = \"x\"\nversion = 1\n[query]\nsql = \"{sql}\"\ndataset = \"persons\"\nsubject = \"id_number\"\nresponsible = {{ unit = \"民政局\" }}\n"
            ),
        );
        let err = run_fails(&p, &["model", "check", &f], 1);
        assert!(err.contains("query.sql"), "{sql}: {err}");
    }
    // Wrong type: an amount that is text.
    let f = write(
        "text_amount.toml",
        "id = \"U3\"\nname = \"x\"\nversion = 1\n[query]\nsql = \"SELECT id_number, name AS amount, _upload, _row FROM benefit_payments\"\ndataset = \"benefit_payments\"\nsubject = \"id_number\"\namount = \"amount\"\nresponsible = { unit = \"民政局\" }\n",
    );
    assert!(run_fails(&p, &["model", "check", &f], 1).contains("not a number"));
    // Unknown field of the structured form: named.
    let f = write(
        "typo.toml",
        "id = \"U4\"\nname = \"x\"\nversion = 1\n[fire]\nfrom = \"benefit_payments\"\nsubjekt = \"f.id_number\"\nresponsible = \"program_department\"\n",
    );
    assert!(run_fails(&p, &["model", "check", &f], 1).contains("subjekt"));

    let good = write(
        "big.toml",
        "id = \"U5\"\nname = \"单笔发放超过四百九十元\"\nversion = 7\n[params.limit]\ntype = \"decimal\"\ndefault = \"490\"\n[query]\nsql = \"SELECT id_number, name, program, amount, _upload, _row FROM benefit_payments WHERE amount > :limit\"\ndataset = \"benefit_payments\"\nsubject = \"id_number\"\namount = \"amount\"\nname = \"name\"\nprogram = \"program\"\nresponsible = \"program_department\"\nlabel = \"单笔发放金额超过限额\"\n",
    );
    let dry = run_ok(&p, &["model", "dry-run", &good]);
    assert!(dry.starts_with("1 hits (dry run: nothing saved)"), "{dry}");
    assert!(dry.contains("500.00"), "{dry}");
    assert_eq!(
        run_ok(&p, &["alerts", "--format", "csv"]).lines().count(),
        1,
        "nothing saved"
    );
    assert!(run_ok(&p, &["model", "define", &good]).contains("saved model U5 as version 1"));
    let list = run_ok(&p, &["model", "list"]);
    let line = list.lines().find(|l| l.starts_with("U5\t")).unwrap();
    assert!(
        line.contains("v1\tenabled\tself-service\tbenefit_payments"),
        "{line}"
    );
    let out = run_ok(&p, &["run", "--as-of", "2026-03-31"]);
    assert!(out.contains("U5: 1 alerts raised"), "{out}");
    // Shared as a file, read back into another platform: the same model.
    let exported = run_ok(&p, &["model", "export", "U5"]);
    let q = TestPlatform::new(Backend::Sqlite);
    let f = q.data_dir().join("u5.toml");
    std::fs::write(&f, &exported).unwrap();
    let o = q.run(&[
        "model",
        "define",
        "--data-dir",
        q.data_dir_str(),
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Disabled: not run.
    run_ok(&p, &["model", "disable", "U5"]);
    let out = run_ok(&p, &["run", "--as-of", "2026-03-31"]);
    assert!(!out.contains("U5:"), "{out}");
    // A built-in's id cannot be taken.
    let stolen = write("m01.toml", &exported.replace("id = \"U5\"", "id = \"M01\""));
    assert!(run_fails(&p, &["model", "define", &stolen], 1).contains("built-in"));
}

/// A CTE read twice is computed once, as a table of its own (decision 79): a user's SQL whose
/// CTEs read each other, named in either case, finds what it found inline.
#[test]
fn a_query_reading_a_cte_twice_finds_the_same_hits_when_the_cte_is_kept() {
    let p = TestPlatform::new(Backend::Sqlite);
    small_county(&p);
    let model = p.data_dir().join("twice.toml");
    std::fs::write(
        &model,
        "id = \"U6\"\nname = \"死亡后发放\"\nversion = 1\n[query]\n\
         sql = \"\"\"WITH dead AS (SELECT id_number, death_date FROM deaths), \
         paid AS (SELECT b.* FROM benefit_payments b JOIN dead d ON d.id_number = b.id_number \
                  WHERE b.period > d.death_date), \
         Twice AS (SELECT p.* FROM paid p WHERE p.id_number IN (SELECT id_number FROM paid)) \
         SELECT t.id_number, t.name, t.amount, t._upload, t._row FROM twice t \
         JOIN dead d ON d.id_number = t.id_number JOIN Twice u ON u._row = t._row\"\"\"\n\
         dataset = \"benefit_payments\"\nsubject = \"id_number\"\namount = \"amount\"\n\
         name = \"name\"\nresponsible = { unit = \"民政局\" }\n",
    )
    .unwrap();
    let dry = run_ok(&p, &["model", "dry-run", model.to_str().unwrap()]);
    assert!(dry.starts_with("1 hits (dry run: nothing saved)"), "{dry}");
    assert!(dry.contains(DEAD) || dry.contains("500.00"), "{dry}");
    run_ok(&p, &["model", "define", model.to_str().unwrap()]);
    let out = run_ok(&p, &["run", "--as-of", "2026-03-31", "--model", "U6"]);
    assert!(out.contains("U6: 1 alerts raised"), "{out}");
    let csv = run_ok(&p, &["alerts", "--format", "csv", "--model", "U6"]);
    assert_eq!(csv.lines().count(), 2, "{csv}");
    assert!(csv.contains(DEAD) && csv.contains("500.00"), "{csv}");
}

/// `model profile`: the plans a slow model runs, with the engine's metrics; nothing recorded.
#[test]
fn a_profile_shows_each_stage_and_query_with_its_metrics_and_records_nothing() {
    let p = TestPlatform::new(Backend::Sqlite);
    small_county(&p);
    let out = run_ok(
        &p,
        &[
            "model",
            "profile",
            "--as-of",
            "2026-03-31",
            "--model",
            "M01",
        ],
    );
    assert!(out.starts_with("== M01\n"), "{out}");
    // M01's fired rows are read by the query and by the evidence: a stage, then the query.
    let stage = out.find("-- stage _stage0 (").expect("a stage");
    let query = out.find("-- query (").expect("the query");
    assert!(stage < query, "{out}");
    assert!(out.contains("output_rows="), "{out}");
    assert_eq!(
        run_ok(&p, &["alerts", "--format", "csv"]).lines().count(),
        1,
        "nothing recorded"
    );
    let err = run_fails(&p, &["model", "profile", "--model", "M99"], 2);
    assert!(err.contains("unknown model 'M99'"), "{err}");
}

#[test]
fn a_parameter_change_is_a_new_version_that_later_alerts_name() {
    let p = TestPlatform::new(Backend::Sqlite);
    small_county(&p);
    // With three months' grace, a March payment after a January death does not fire.
    assert!(run_ok(&p, &["model", "set", "M01", "grace_months=3"]).contains("now version 2"));
    let out = run_ok(&p, &["run", "--model", "M01", "--as-of", "2026-03-31"]);
    assert!(out.contains("M01: 0 alerts raised"), "{out}");
    assert!(run_ok(&p, &["model", "export", "M01"]).contains("default = 3"));
    assert!(run_ok(&p, &["model", "export", "M01", "--version", "1"]).contains("default = 0"));
    run_fails(&p, &["model", "set", "M01", "no_such=1"], 1);
    run_fails(&p, &["model", "set", "M01", "grace_months=\"soon\""], 1);
    assert!(run_ok(&p, &["model", "set", "M01", "grace_months=0"]).contains("now version 3"));
    run_ok(&p, &["run", "--model", "M01", "--as-of", "2026-03-31"]);
    let json: serde_json::Value =
        serde_json::from_str(&run_ok(&p, &["explain", "--alert", "1", "--json"])).unwrap();
    assert_eq!(json["model_version"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_re_runs_only_the_models_that_read_its_type() {
    let p = TestPlatform::new(Backend::Sqlite);
    small_county(&p);
    let platform = mingjing_app::Platform::open(p.data_dir(), p.clock.clone())
        .await
        .unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
    let ran: Vec<String> = platform
        .rematch_after_upload("deaths", as_of)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.model)
        .collect();
    // Deaths feed M01 (first_deaths), M14 (no register, no death) and 应享未享 M22–M24.
    assert_eq!(ran, ["M01", "M14", "M22", "M23", "M24"]);
    let vehicles: Vec<String> = platform
        .rematch_after_upload("vehicles", as_of)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.model)
        .collect();
    assert_eq!(vehicles, ["M05", "M19"]);
    let runs = platform.store().runs(10).await.unwrap();
    assert_eq!(runs[0].trigger, "upload:vehicles");
    assert_eq!(runs[1].trigger, "upload:deaths");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_with_a_newer_builtin_model_moves_the_library_to_it() {
    let p = TestPlatform::new(Backend::Sqlite);
    // The library as an older release left it: M11 at version 1, with other text.
    let store = mingjing_store::SqlStore::connect(&p.database_url(), p.clock.clone())
        .await
        .unwrap();
    sqlx::raw_sql(
        "UPDATE models SET current_version = 1 WHERE id = 'M11'; \
         UPDATE model_versions SET version = 1, spec = replace(spec, 'version = 4', 'version = 1') WHERE model_id = 'M11'",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    let list = run_ok(&p, &["model", "list"]);
    // The library numbers versions itself: the release's file becomes the next version.
    assert!(list.lines().any(|l| l.starts_with("M11\tv2\t")), "{list}");
    assert!(run_ok(&p, &["model", "export", "M11", "--version", "1"]).contains("version = 1"));
    // That version is this release's file (its evidence names the condition it met).
    assert!(run_ok(&p, &["model", "export", "M11"]).contains("_ev_condition"));
}

/// The library over HTTP: the editor's examples check out, a dry run saves nothing, a saved
/// model and a parameter change are new versions, a broken file lists its problems.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_library_over_http_checks_dry_runs_saves_and_versions() {
    use crate::server::TestServer;
    use axum::http::{Method, StatusCode};
    use serde_json::json;
    let s = TestServer::new(crate::support::Backend::Sqlite).await;
    let a = s.login("analyst").await;
    let ex = s
        .call(Some(&a), Method::GET, "/api/models/examples", None)
        .await
        .json();
    for form in ["structured", "query"] {
        let text = ex["examples"][form].as_str().unwrap();
        let r = s
            .call(
                Some(&a),
                Method::POST,
                "/api/models/check",
                Some(json!({ "text": text })),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{form}: {}",
            String::from_utf8_lossy(&r.body)
        );
        let r = s
            .call(
                Some(&a),
                Method::POST,
                "/api/models/dry-run",
                Some(json!({ "text": text })),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{form}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.json()["hits"], 0, "no payments loaded");
    }
    let before = s.state.platform.store().models().await.unwrap().len();
    assert_eq!(before, 24, "a dry run saves nothing");
    // A broken file: every problem listed.
    let bad = ex["examples"]["query"]
        .as_str()
        .unwrap()
        .replace("amount > :limit", "amout > :limit");
    let r = s
        .call(
            Some(&a),
            Method::POST,
            "/api/models/check",
            Some(json!({ "text": bad })),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "invalid_model")
    );
    assert!(
        r.json()["error"]["details"]["problems"]
            .to_string()
            .contains("amout"),
        "{}",
        r.json()
    );
    // Saved: version 1, then 2; a built-in's parameters: a new version of it.
    let text = ex["examples"]["query"].as_str().unwrap();
    for v in [1, 2] {
        let r = s
            .call(
                Some(&a),
                Method::POST,
                "/api/models",
                Some(json!({ "text": text })),
            )
            .await;
        assert_eq!(r.json()["version"], v, "{}", r.json());
    }
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            "/api/models/M04/params",
            Some(json!({ "values": { "programs": "[\"DIBAO\"]" } })),
        )
        .await;
    assert_eq!(r.json()["version"], 2, "{}", r.json());
    let m04 = s
        .call(Some(&a), Method::GET, "/api/models/M04", None)
        .await
        .json();
    assert_eq!(m04["version"], 2);
    assert!(
        m04["text"]
            .as_str()
            .unwrap()
            .contains("default = [\"DIBAO\"]"),
        "{m04}"
    );
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            "/api/models/M04/params",
            Some(json!({ "values": { "age": "75" } })),
        )
        .await;
    assert!(
        String::from_utf8_lossy(&r.body).contains("age"),
        "an unknown parameter is named"
    );
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            "/api/models/X02/params",
            Some(json!({ "values": { "limit": "3000" } })),
        )
        .await;
    assert_eq!(r.json()["version"], 3, "{}", r.json());
    let x = s
        .call(Some(&a), Method::GET, "/api/models/X02/export", None)
        .await;
    assert!(
        String::from_utf8_lossy(&x.body).contains("default = 3000"),
        "{}",
        String::from_utf8_lossy(&x.body)
    );
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            "/api/models/X02/params",
            Some(json!({ "values": { "limit": "three" } })),
        )
        .await;
    assert_eq!(r.code(), "invalid_model");
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            "/api/models/X02/enabled",
            Some(json!({ "enabled": false })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let list = s
        .call(Some(&a), Method::GET, "/api/models", None)
        .await
        .json();
    let x02 = list["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "X02")
        .unwrap()
        .clone();
    assert_eq!(x02["enabled"], false);
    assert_eq!(x02["version"], 3);
}
