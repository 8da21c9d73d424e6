//! The server, in process: the authorization matrix over every route, sessions, lockout,
//! CSRF, the password policy, TOTP, masking, the three administrators, uploads over HTTP and
//! the audit chain. Requests go through the real router (`tower::ServiceExt::oneshot`).

use crate::support::{Backend, TestPlatform};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use mingjing_app::Platform;
use mingjing_server::routes::ROUTES;
use mingjing_server::{AppState, Clock, ServerConfig, Shared};
use mingjing_store::AlertHit;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use tower::ServiceExt;

pub const PW: &str = "Mingjing@2026demo";

pub struct TestServer {
    pub state: AppState,
    pub clock: Clock,
    /// TOTP secrets of the administrators.
    pub secrets: BTreeMap<String, String>,
    pub platform: TestPlatform,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub cookie: String,
    pub csrf: String,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

impl TestServer {
    /// The audit records of `action`, oldest first.
    pub async fn audited(&self, action: &str) -> Vec<mingjing_store::audit::AuditEntry> {
        self.state
            .platform
            .store()
            .audit_records(&mingjing_store::audit::AuditQuery {
                action: action.into(),
                limit: 1000,
                ..Default::default()
            })
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.entry)
            .collect()
    }

    /// The objects of the audit records of `action`.
    pub async fn audited_objects(&self, action: &str) -> Vec<String> {
        self.audited(action)
            .await
            .into_iter()
            .map(|e| e.object)
            .collect()
    }

    /// A server on the test day (`support::test_day`).
    pub async fn new(backend: Backend) -> Self {
        Self::with_clock(backend, crate::support::test_clock()).await
    }

    /// A server whose platform reads `clock`.
    pub async fn with_clock(backend: Backend, clock: Clock) -> Self {
        let p = TestPlatform::with_clock(backend, clock);
        if let Some(pg) = &p.pg {
            std::fs::write(
                p.data_dir().join("mingjing.toml"),
                format!(
                    "database_url = \"{}\"\n[limits]\nmax_file_bytes = 200000\nmax_rows = 100000\n",
                    pg.url
                ),
            )
            .unwrap();
        } else {
            std::fs::write(
                p.data_dir().join("mingjing.toml"),
                "[limits]\nmax_file_bytes = 200000\nmax_rows = 100000\n",
            )
            .unwrap();
        }
        let platform = Platform::open(p.data_dir(), p.clock.clone())
            .await
            .expect("open");
        let towns = vec![
            ("城关镇".to_string(), vec!["东关社区".to_string()]),
            ("东风镇".to_string(), vec!["王家村".to_string()]),
        ];
        platform.seed_orgs(&towns).await.expect("seed orgs");
        platform
            .seed_upload_rights()
            .await
            .expect("seed upload rights");
        let accounts = platform
            .seed_demo_accounts("城关镇", PW)
            .await
            .expect("seed accounts");
        let secrets = accounts
            .into_iter()
            .filter_map(|(u, _, s)| s.map(|s| (u, s)))
            .collect();
        let clock = p.clock.clone();
        let config = ServerConfig {
            rematch_on_upload: false,
            ..Default::default()
        };
        let state = Shared::new(platform, config);
        TestServer {
            state,
            clock,
            secrets,
            platform: p,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Answer {
        let res = mingjing_server::app(self.state.clone())
            .oneshot(req)
            .await
            .expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn call(
        &self,
        client: Option<&Client>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Answer {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(c) = client {
            b = b
                .header(header::COOKIE, &c.cookie)
                .header("x-csrf-token", &c.csrf);
        }
        let req = match body {
            Some(v) => b
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string())),
            None => b.body(Body::empty()),
        }
        .unwrap();
        self.send(req).await
    }

    pub fn totp_now(&self, user: &str) -> Option<String> {
        let s = self.secrets.get(user)?;
        let raw = mingjing_app::accounts::base32_decode(s).unwrap();
        Some(mingjing_app::accounts::totp_code(
            &raw,
            (self.clock.now().timestamp() / 30) as u64,
        ))
    }

    pub async fn try_login(&self, user: &str, password: &str) -> Answer {
        let mut body = json!({ "username": user, "password": password });
        if self.secrets.contains_key(user) {
            // A TOTP code is good once: each sign-in of a test waits for the next step.
            self.clock.advance(chrono::Duration::seconds(30));
        }
        if let Some(code) = self.totp_now(user) {
            body["totp"] = json!(code);
        }
        self.call(None, Method::POST, "/api/auth/login", Some(body))
            .await
    }

    /// The security administrator approves the proposal an answer (202) returned.
    pub async fn approve(&self, proposed: &Answer) -> Answer {
        assert_eq!(
            proposed.status,
            StatusCode::ACCEPTED,
            "{}",
            String::from_utf8_lossy(&proposed.body)
        );
        let id = proposed.json()["change_id"].as_i64().expect("change id");
        let sec = self.login("secadmin").await;
        let a = self
            .call(
                Some(&sec),
                Method::POST,
                &format!("/api/access-changes/{id}/approve"),
                Some(json!({})),
            )
            .await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "approve: {}",
            String::from_utf8_lossy(&a.body)
        );
        a
    }

    pub async fn login(&self, user: &str) -> Client {
        let a = self.try_login(user, PW).await;
        assert_eq!(
            a.status,
            StatusCode::OK,
            "login {user}: {}",
            String::from_utf8_lossy(&a.body)
        );
        let set = a.headers[header::SET_COOKIE].to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_string();
        Client {
            cookie,
            csrf: a.json()["csrf_token"].as_str().unwrap().to_string(),
        }
    }
}

/// Every demo role, by its account.
const ACCOUNTS: &[&str] = &[
    "leader",
    "analyst",
    "mz_clerk",
    "mz_verifier",
    "town",
    "sysadmin",
    "secadmin",
    "auditadmin",
];

/// The expected allow list of every route, written out (not derived from the route table):
/// which accounts pass the permission check. `*` is every signed-in account; `public` anyone.
fn expected() -> BTreeMap<&'static str, &'static str> {
    let biz_read = "leader analyst mz_clerk mz_verifier town";
    BTreeMap::from([
        ("GET /api/health", "public"),
        ("GET /api/openapi.json", "public"),
        ("POST /api/auth/login", "public"),
        ("POST /api/auth/logout", "*"),
        ("GET /api/auth/me", "*"),
        ("GET /api/names", "*"),
        ("POST /api/auth/password", "*"),
        ("POST /api/auth/totp/setup", "*"),
        ("POST /api/auth/totp/confirm", "*"),
        ("GET /api/orgs", "*"),
        ("POST /api/orgs", "sysadmin"),
        ("PUT /api/orgs/{id}", "sysadmin"),
        ("GET /api/users", "sysadmin"),
        ("POST /api/users", "sysadmin"),
        ("PUT /api/users/{id}", "sysadmin"),
        ("POST /api/users/{id}/password", "sysadmin"),
        ("GET /api/roles", "sysadmin secadmin"),
        ("PUT /api/roles/{code}", "secadmin"),
        ("GET /api/permissions", "sysadmin secadmin"),
        ("GET /api/access-changes", "sysadmin secadmin"),
        ("POST /api/access-changes/{id}/approve", "secadmin"),
        ("POST /api/access-changes/{id}/reject", "secadmin"),
        ("GET /api/upload-rights", "secadmin"),
        ("PUT /api/upload-rights/{name}", "secadmin"),
        ("GET /api/security/policy", "secadmin"),
        ("PUT /api/security/policy", "secadmin"),
        ("GET /api/sessions", "secadmin"),
        ("DELETE /api/sessions/{id}", "secadmin"),
        ("GET /api/audit", "auditadmin"),
        ("GET /api/audit/verify", "auditadmin"),
        ("GET /api/dataset-types", biz_read),
        ("GET /api/dataset-types/{name}/template", biz_read),
        ("POST /api/dataset-types", "analyst"),
        ("GET /api/dataset-types/{name}/rows", biz_read),
        ("GET /api/schedules", biz_read),
        ("PUT /api/schedules", "analyst"),
        ("GET /api/uploads", biz_read),
        ("POST /api/uploads", "analyst mz_clerk"),
        ("GET /api/uploads/{id}", biz_read),
        ("GET /api/uploads/rejections/{id}", "analyst mz_clerk"),
        ("POST /api/uploads/precheck", "analyst mz_clerk"),
        ("GET /api/alerts", "leader analyst mz_verifier town"),
        ("GET /api/alerts/{id}", "leader analyst mz_verifier town"),
        ("GET /api/alerts/export", "leader analyst mz_verifier"),
        ("GET /api/models", "leader analyst town"),
        ("POST /api/models/runs", "analyst"),
        ("GET /api/models/runs", "leader analyst town"),
        ("GET /api/opinions", "leader analyst"),
        ("GET /api/integrity/{id}", "leader analyst"),
        ("GET /api/persons", "leader analyst town"),
        ("GET /api/livelihood", "leader analyst mz_verifier town"),
        (
            "GET /api/livelihood/projects",
            "leader analyst mz_verifier town",
        ),
        ("GET /api/persons/{id}", "leader analyst town"),
        ("GET /api/persons/{id}/graph", "leader analyst town"),
        ("POST /api/opinions", "analyst"),
        ("POST /api/opinions/check", "analyst"),
        ("GET /api/opinions/wording", "leader analyst"),
        ("PUT /api/opinions/wording", "leader"),
        ("GET /api/opinions/reply-template", "leader analyst"),
        ("PUT /api/opinions/reply-template", "leader"),
        ("GET /api/opinions/{id}/document", "leader analyst"),
        ("POST /api/opinions/persons-file", "analyst"),
        ("GET /api/opinions/{id}", "leader analyst"),
        ("PUT /api/opinions/{id}/persons/{seq}", "analyst"),
        ("POST /api/opinions/{id}/step", "leader analyst"),
        ("POST /api/models", "analyst"),
        ("POST /api/models/check", "analyst"),
        ("GET /api/models/examples", "analyst"),
        ("POST /api/models/dry-run", "analyst"),
        ("GET /api/models/{id}", "leader analyst town"),
        ("GET /api/models/{id}/export", "leader analyst town"),
        ("PUT /api/models/{id}/params", "analyst"),
        ("PUT /api/models/{id}/enabled", "analyst"),
        (
            "GET /api/alerts/{id}/flow",
            "leader analyst mz_verifier town",
        ),
        ("POST /api/alerts/{id}/route", "analyst"),
        ("POST /api/alerts/{id}/verification", "mz_verifier"),
        ("POST /api/alerts/{id}/review", "analyst"),
        ("POST /api/alerts/{id}/accountability", "analyst"),
        ("GET /api/stats/loop", "leader analyst mz_verifier town"),
        ("GET /api/stats/loop/export", "leader analyst mz_verifier"),
        ("GET /api/dashboard", "leader analyst mz_verifier town"),
        ("GET /api/recommendations", "analyst mz_verifier"),
        ("POST /api/recommendations", "analyst"),
        ("POST /api/recommendations/{id}/reply", "mz_verifier"),
        ("GET /api/deadlines", "leader analyst town"),
        ("PUT /api/models/{id}/deadline", "analyst"),
        (
            "POST /api/files",
            "leader analyst mz_clerk mz_verifier town",
        ),
        ("GET /api/files/{id}", "*"),
        ("GET /api/documents", biz_read),
        ("POST /api/documents", "leader analyst"),
        ("GET /api/documents/addressees", "leader analyst"),
        ("GET /api/documents/{id}", biz_read),
        ("POST /api/documents/{id}/sign", biz_read),
        ("POST /api/documents/{id}/reply", biz_read),
        (
            "POST /api/documents/{id}/recipients/{rid}/return",
            "leader analyst",
        ),
        (
            "POST /api/documents/{id}/recipients/{rid}/remind",
            "leader analyst",
        ),
        ("GET /api/chat/ws", "*"),
        ("GET /api/chat/people", "*"),
        ("GET /api/chat/conversations", "*"),
        ("POST /api/chat/conversations", "*"),
        ("GET /api/chat/conversations/{id}/messages", "*"),
        ("POST /api/chat/conversations/{id}/messages", "*"),
        ("POST /api/chat/conversations/{id}/read", "*"),
        ("GET /api/notices", "*"),
        ("POST /api/notices", "leader analyst"),
        ("POST /api/notices/{id}/read", "*"),
        ("PUT /api/notices/{id}/pin", "leader analyst"),
        ("GET /api/notices/{id}/reads", "leader analyst"),
        ("GET /api/reminders", "*"),
        ("GET /api/notifications", "*"),
        ("POST /api/notifications/{id}/read", "*"),
    ])
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{seq}", "1")
        .replace("{code}", "no_such_role")
        .replace("{name}", "persons")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_matrix_covers_every_route_and_role() {
    let s = TestServer::new(Backend::Sqlite).await;
    let table = expected();
    // Zero routes unmapped, and no expectation for a route that does not exist.
    let served: Vec<String> = ROUTES
        .iter()
        .map(|r| format!("{} {}", r.method.to_uppercase(), r.path))
        .collect();
    for key in &served {
        assert!(
            table.contains_key(key.as_str()),
            "route {key} has no row in the matrix"
        );
    }
    for key in table.keys() {
        assert!(
            served.iter().any(|s| s == key),
            "matrix row {key} is not a route"
        );
    }
    let mut clients = BTreeMap::new();
    for a in ACCOUNTS {
        clients.insert(*a, s.login(a).await);
    }
    let mut mismatches = Vec::new();
    for r in ROUTES {
        let key = format!("{} {}", r.method.to_uppercase(), r.path);
        let allowed = table[key.as_str()];
        let method = Method::from_bytes(r.method.to_uppercase().as_bytes()).unwrap();
        let path = concrete(r.path);
        // Bodies that pass no handler's validation: nothing changes, only the guard decides.
        let body = (method != Method::GET && method != Method::DELETE).then(|| json!({}));
        let anon = s.call(None, method.clone(), &path, body.clone()).await;
        let anon_denied =
            anon.status == StatusCode::UNAUTHORIZED && anon.code() == "not_authenticated";
        if (allowed == "public") == anon_denied {
            mismatches.push(format!("{key} anonymous: {} {}", anon.status, anon.code()));
        }
        for a in ACCOUNTS {
            if path == "/api/auth/logout" {
                continue; // checked below: it ends the sessions the matrix uses
            }
            let c = &clients[a];
            let ans = s.call(Some(c), method.clone(), &path, body.clone()).await;
            let denied = ans.status == StatusCode::FORBIDDEN && ans.code() == "forbidden";
            let want = allowed == "public" || allowed == "*" || allowed.split(' ').any(|x| x == *a);
            if want == denied || ans.status == StatusCode::UNAUTHORIZED {
                mismatches.push(format!("{key} as {a}: {} {}", ans.status, ans.code()));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "authorization mismatches:\n{}",
        mismatches.join("\n")
    );
    // Logout is open to every signed-in account.
    for a in ACCOUNTS {
        let ans = s
            .call(Some(&clients[a]), Method::POST, "/api/auth/logout", None)
            .await;
        assert_eq!(ans.status, StatusCode::NO_CONTENT, "logout as {a}");
    }
}

/// Two alerts routed to two departments, and one upload each.
pub async fn two_departments(s: &TestServer) -> (i64, i64, i64) {
    let store = &s.state.platform.store();
    let hit = |subject: &str, responsible: &str, town: &str| AlertHit {
        subject: subject.into(),
        program: "DIBAO".into(),
        name: "张三".into(),
        has_amount: true,
        responsible: responsible.into(),
        town: town.into(),
        village: String::new(),
        evidence: vec![mingjing_store::EvidenceRow {
            dataset: "benefit_payments".into(),
            upload_dir: "x".into(),
            row: 2,
            amount_fen: Some(12345),
            firing: true,
            condition: "fire".into(),
        }],
    };
    store
        .apply_hits(
            "M01",
            1,
            &[
                hit("11010519491231002X", "民政局", "城关镇"),
                hit("110105194912310038", "人社局", "东风镇"),
            ],
        )
        .await
        .unwrap();
    let alerts = store.alerts(None).await.unwrap();
    let mz = alerts
        .iter()
        .find(|a| a.responsible == "民政局")
        .unwrap()
        .id;
    let rs = alerts
        .iter()
        .find(|a| a.responsible == "人社局")
        .unwrap()
        .id;
    // An upload by 公安局 (another unit than the clerk's).
    let out = s
        .state
        .platform
        .import(mingjing_app::ImportInput {
            dataset_type: "deaths",
            org: "公安局",
            period: None,
            file_name: "deaths.csv",
            bytes:
                "公民身份号码,姓名,死亡日期,数据来源\n11010519491231002X,张三,2026-01-05,户籍注销\n"
                    .as_bytes()
                    .to_vec(),
            actor: &mingjing_app::Actor::operator("test"),
        })
        .await
        .unwrap();
    let upload = match out {
        mingjing_app::ImportOutcome::Loaded { upload_id, .. } => upload_id,
        _ => unreachable!(),
    };
    (mz, rs, upload)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn departments_see_only_their_own_alerts_and_uploads_and_ids_are_masked_on_sqlite() {
    departments_see_only_their_own_alerts_and_uploads_and_ids_are_masked(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn departments_see_only_their_own_alerts_and_uploads_and_ids_are_masked_on_postgres() {
    departments_see_only_their_own_alerts_and_uploads_and_ids_are_masked(Backend::Postgres).await;
}

async fn departments_see_only_their_own_alerts_and_uploads_and_ids_are_masked(backend: Backend) {
    let s = TestServer::new(backend).await;
    let (mz, rs, upload) = two_departments(&s).await;
    let v = s.login("mz_verifier").await;
    let list = s
        .call(Some(&v), Method::GET, "/api/alerts", None)
        .await
        .json();
    assert_eq!(list["total"], 1, "{list}");
    assert_eq!(list["alerts"][0]["id"], mz);
    assert_eq!(
        list["alerts"][0]["subject"], "110105********002X",
        "masked for a verifier"
    );
    // By id: another department's alert is as absent as a missing one.
    let other = s
        .call(Some(&v), Method::GET, &format!("/api/alerts/{rs}"), None)
        .await;
    assert_eq!(
        (other.status, other.code().as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
    let own = s
        .call(Some(&v), Method::GET, &format!("/api/alerts/{mz}"), None)
        .await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(!String::from_utf8_lossy(&own.body).contains("11010519491231002X"));
    // The clerk of 民政局 cannot read 公安局's upload, by list or by id.
    let c = s.login("mz_clerk").await;
    let ups = s
        .call(Some(&c), Method::GET, "/api/uploads", None)
        .await
        .json();
    assert_eq!(ups["uploads"].as_array().unwrap().len(), 0);
    let by_id = s
        .call(
            Some(&c),
            Method::GET,
            &format!("/api/uploads/{upload}"),
            None,
        )
        .await;
    assert_eq!(by_id.status, StatusCode::NOT_FOUND);
    // The export holds what the list holds: only 民政局's alert, masked, as an Excel file.
    let x = s
        .call(Some(&v), Method::GET, "/api/alerts/export", None)
        .await;
    assert_eq!(x.status, StatusCode::OK);
    assert!(x.body.starts_with(b"PK"));
    // The commission sees everything, in full.
    let l = s.login("leader").await;
    let all = s
        .call(Some(&l), Method::GET, "/api/alerts", None)
        .await
        .json();
    assert_eq!(all["total"], 2);
    assert!(all.to_string().contains("11010519491231002X"));
    let up = s
        .call(
            Some(&l),
            Method::GET,
            &format!("/api/uploads/{upload}"),
            None,
        )
        .await;
    assert_eq!(up.status, StatusCode::OK);
    // A town commission sees its town's alerts only, masked.
    let t = s.login("town").await;
    let town = s
        .call(Some(&t), Method::GET, "/api/alerts", None)
        .await
        .json();
    assert_eq!(town["total"], 1);
    assert_eq!(town["alerts"][0]["town"], "城关镇");
    assert_eq!(town["alerts"][0]["subject"], "110105********002X");
}

/// A server keeps each session's access while the access generation stands (decision 106):
/// a change written by another process, by any path — here a bare SQL update of the account,
/// the role's permissions and the organisation — is seen at the next request.
async fn a_change_by_another_process_is_seen_at_the_next_request(backend: Backend) {
    let s = TestServer::new(backend).await;
    let c = s.login("analyst").await;
    async fn me(s: &TestServer, c: &Client) -> StatusCode {
        s.call(Some(c), Method::GET, "/api/alerts", None)
            .await
            .status
    }
    assert_eq!(me(&s, &c).await, StatusCode::OK);
    assert_eq!(me(&s, &c).await, StatusCode::OK);
    let other = Platform::open(s.platform.data_dir(), s.clock.clone())
        .await
        .unwrap();
    let pool = other.store().pool();
    // The role loses the permission the list needs.
    let role: String = sqlx::query_scalar("SELECT role FROM users WHERE username = 'analyst'")
        .fetch_one(pool)
        .await
        .unwrap();
    let taken =
        sqlx::query("DELETE FROM role_permissions WHERE role = $1 AND permission = 'alerts.read'")
            .bind(&role)
            .execute(pool)
            .await
            .unwrap();
    assert_eq!(taken.rows_affected(), 1);
    assert_eq!(me(&s, &c).await, StatusCode::FORBIDDEN);
    sqlx::query("INSERT INTO role_permissions (role, permission) VALUES ($1, 'alerts.read')")
        .bind(&role)
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(me(&s, &c).await, StatusCode::OK);
    // The account is disabled.
    sqlx::query("UPDATE users SET enabled = 0 WHERE username = 'analyst'")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(me(&s, &c).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_another_process_is_seen_at_the_next_request_on_sqlite() {
    a_change_by_another_process_is_seen_at_the_next_request(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_by_another_process_is_seen_at_the_next_request_on_postgres() {
    a_change_by_another_process_is_seen_at_the_next_request(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockout_answers_like_an_unknown_user_and_lifts_after_its_time() {
    let s = TestServer::new(Backend::Sqlite).await;
    let unknown = s.try_login("nobody", "Wrong-password-1").await;
    let wrong = s.try_login("mz_verifier", "Wrong-password-1").await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        (unknown.status, unknown.body.clone()),
        (wrong.status, wrong.body.clone())
    );
    for _ in 0..4 {
        s.try_login("mz_verifier", "Wrong-password-1").await;
    }
    // Five failures: locked; the right password gets the very same answer.
    let locked = s.try_login("mz_verifier", PW).await;
    assert_eq!((locked.status, locked.body), (unknown.status, unknown.body));
    s.clock.advance(chrono::Duration::minutes(14));
    assert_eq!(
        s.try_login("mz_verifier", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
    s.clock.advance(chrono::Duration::minutes(2));
    assert_eq!(s.try_login("mz_verifier", PW).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_when_idle_and_absolutely_and_end_on_logout_everywhere_on_sqlite() {
    sessions_expire_when_idle_and_absolutely_and_end_on_logout_everywhere(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_when_idle_and_absolutely_and_end_on_logout_everywhere_on_postgres() {
    sessions_expire_when_idle_and_absolutely_and_end_on_logout_everywhere(Backend::Postgres).await;
}

async fn sessions_expire_when_idle_and_absolutely_and_end_on_logout_everywhere(backend: Backend) {
    let s = TestServer::new(backend).await;
    let a = s.login("analyst").await;
    assert_eq!(
        s.call(Some(&a), Method::GET, "/api/auth/me", None)
            .await
            .status,
        StatusCode::OK
    );
    s.clock.advance(chrono::Duration::minutes(31));
    let idle = s.call(Some(&a), Method::GET, "/api/auth/me", None).await;
    assert_eq!(
        (idle.status, idle.code().as_str()),
        (StatusCode::UNAUTHORIZED, "session_expired")
    );
    // Absolute: active every 20 minutes, still over after 8 hours.
    let b = s.login("analyst").await;
    for _ in 0..23 {
        s.clock.advance(chrono::Duration::minutes(20));
        assert_eq!(
            s.call(Some(&b), Method::GET, "/api/auth/me", None)
                .await
                .status,
            StatusCode::OK
        );
    }
    s.clock.advance(chrono::Duration::minutes(21));
    assert_eq!(
        s.call(Some(&b), Method::GET, "/api/auth/me", None)
            .await
            .code(),
        "session_expired"
    );
    // Logout ends every session of the account.
    let c1 = s.login("analyst").await;
    let c2 = s.login("analyst").await;
    assert_ne!(c1.cookie, c2.cookie, "a new session id at every sign-in");
    assert_eq!(
        s.call(Some(&c1), Method::POST, "/api/auth/logout", None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.call(Some(&c2), Method::GET, "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // The security administrator ends someone's session.
    let victim = s.login("leader").await;
    let sec = s.login("secadmin").await;
    let list = s
        .call(Some(&sec), Method::GET, "/api/sessions", None)
        .await
        .json();
    let id = list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["username"] == "leader")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        s.call(
            Some(&sec),
            Method::DELETE,
            &format!("/api/sessions/{id}"),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        s.call(Some(&victim), Method::GET, "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Disabling an account ends its sessions.
    let mz = s.login("mz_clerk").await;
    let sys = s.login("sysadmin").await;
    let users = s
        .call(Some(&sys), Method::GET, "/api/users", None)
        .await
        .json();
    let u = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "mz_clerk")
        .unwrap()
        .clone();
    let upd = s
        .call(Some(&sys), Method::PUT, &format!("/api/users/{}", u["id"]), Some(json!({
            "display_name": u["display_name"], "org_id": u["org_id"], "role": u["role"], "enabled": false,
        })))
        .await;
    assert_eq!(upd.status, StatusCode::NO_CONTENT);
    assert_eq!(
        s.call(Some(&mz), Method::GET, "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        s.try_login("mz_clerk", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_without_the_csrf_token_are_rejected() {
    let s = TestServer::new(Backend::Sqlite).await;
    let a = s.login("analyst").await;
    for csrf in ["", "0000"] {
        let bad = Client {
            cookie: a.cookie.clone(),
            csrf: csrf.into(),
        };
        let ans = s
            .call(
                Some(&bad),
                Method::POST,
                "/api/models/runs",
                Some(json!({})),
            )
            .await;
        assert_eq!(
            (ans.status, ans.code().as_str()),
            (StatusCode::FORBIDDEN, "csrf_rejected")
        );
    }
    let ok = s
        .call(Some(&a), Method::POST, "/api/models/runs", Some(json!({})))
        .await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&ok.body)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_policy_history_and_forced_change() {
    let s = TestServer::new(Backend::Sqlite).await;
    let sys = s.login("sysadmin").await;
    let org = s
        .call(Some(&sys), Method::GET, "/api/orgs", None)
        .await
        .json()["orgs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "民政局")
        .unwrap()["id"]
        .clone();
    let create = |pw: &str| json!({ "username": "newclerk", "display_name": "新人", "org_id": org, "role": "dept_clerk", "password": pw });
    for weak in [
        "short1A!",
        "alllowercaseletters",
        "Password@123",
        "newclerk-Abc-123",
    ] {
        let ans = s
            .call(Some(&sys), Method::POST, "/api/users", Some(create(weak)))
            .await;
        assert_eq!(
            (ans.status, ans.code().as_str()),
            (StatusCode::BAD_REQUEST, "weak_password"),
            "{weak}"
        );
    }
    let long: String = "Zq9!".repeat(16);
    let ans = s
        .call(Some(&sys), Method::POST, "/api/users", Some(create(&long)))
        .await;
    assert_eq!(
        ans.status,
        StatusCode::ACCEPTED,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    s.approve(&ans).await;
    // The new account must change its password before anything else.
    let login = s
        .call(
            None,
            Method::POST,
            "/api/auth/login",
            Some(json!({ "username": "newclerk", "password": long })),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK);
    let c = Client {
        cookie: login.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .into(),
        csrf: login.json()["csrf_token"].as_str().unwrap().into(),
    };
    let me = s
        .call(Some(&c), Method::GET, "/api/auth/me", None)
        .await
        .json();
    assert_eq!(me["must_change_password"], true);
    let blocked = s.call(Some(&c), Method::GET, "/api/uploads", None).await;
    assert_eq!(blocked.code(), "password_change_required");
    // The same password again is history.
    let same = s
        .call(
            Some(&c),
            Method::POST,
            "/api/auth/password",
            Some(json!({ "old_password": long, "new_password": long })),
        )
        .await;
    assert_eq!(same.code(), "weak_password");
    let changed = s
        .call(
            Some(&c),
            Method::POST,
            "/api/auth/password",
            Some(json!({ "old_password": long, "new_password": "Another-Good-9" })),
        )
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT);
    // The change ended the session.
    assert_eq!(
        s.call(Some(&c), Method::GET, "/api/auth/me", None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // Passwords expire after the policy's maximum age.
    s.clock.advance(chrono::Duration::days(91));
    let l2 = s.login("leader").await;
    assert_eq!(
        s.call(Some(&l2), Method::GET, "/api/alerts", None)
            .await
            .code(),
        "password_change_required"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_need_their_second_factor() {
    let s = TestServer::new(Backend::Sqlite).await;
    let no_code = s
        .call(
            None,
            Method::POST,
            "/api/auth/login",
            Some(json!({ "username": "auditadmin", "password": PW })),
        )
        .await;
    assert_eq!(no_code.code(), "totp_required");
    let wrong = s
        .call(
            None,
            Method::POST,
            "/api/auth/login",
            Some(json!({ "username": "auditadmin", "password": PW, "totp": "000000" })),
        )
        .await;
    // (a one-in-a-million chance that 000000 is the code; the next assertion would then show it)
    assert_eq!(wrong.code(), "bad_totp");
    let ok = s.login("auditadmin").await;
    assert_eq!(
        s.call(Some(&ok), Method::GET, "/api/audit", None)
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_three_administrators_stay_apart() {
    let s = TestServer::new(Backend::Sqlite).await;
    let sec = s.login("secadmin").await;
    // The security administrator cannot give the audit administrator business data or
    // another administrator's powers.
    for perms in [
        vec!["audit.read", "alerts.read"],
        vec!["audit.read", "users.manage"],
    ] {
        let ans = s
            .call(
                Some(&sec),
                Method::PUT,
                "/api/roles/audit_admin",
                Some(json!({
                    "name": "审计管理员", "data_scope": "none", "permissions": perms,
                })),
            )
            .await;
        assert_eq!(
            ans.status,
            StatusCode::BAD_REQUEST,
            "{}",
            String::from_utf8_lossy(&ans.body)
        );
    }
    // Nor give a business role an administrator's permission.
    let ans = s
        .call(Some(&sec), Method::PUT, "/api/roles/commission_leader", Some(json!({
            "name": "纪委监委领导", "data_scope": "all", "permissions": ["alerts.read", "audit.read"],
        })))
        .await;
    assert_eq!(ans.status, StatusCode::BAD_REQUEST);
    // The system administrator cannot change their own role.
    let sys = s.login("sysadmin").await;
    let me = s
        .call(Some(&sys), Method::GET, "/api/auth/me", None)
        .await
        .json();
    let ans = s
        .call(Some(&sys), Method::PUT, &format!("/api/users/{}", me["id"]), Some(json!({
            "display_name": "x", "org_id": me["org"]["id"], "role": "audit_admin", "enabled": true,
        })))
        .await;
    assert_eq!(ans.status, StatusCode::FORBIDDEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn responses_carry_security_headers_and_unknown_api_paths_are_json_404() {
    let s = TestServer::new(Backend::Sqlite).await;
    let h = s.call(None, Method::GET, "/api/health", None).await;
    assert_eq!(h.status, StatusCode::OK);
    for (k, v) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(h.headers[k], v);
    }
    let csp = h.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'")
            && !csp.contains("script-src 'self' 'unsafe-inline'")
    );
    let missing = s.call(None, Method::GET, "/api/no/such/thing", None).await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (StatusCode::NOT_FOUND, "route_not_found")
    );
    let doc = s
        .call(None, Method::GET, "/api/openapi.json", None)
        .await
        .json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["paths"].as_object().unwrap().len(), {
        let mut p: Vec<_> = ROUTES.iter().map(|r| r.path).collect();
        p.dedup();
        p.sort();
        p.dedup();
        p.len()
    });
}

pub fn multipart(ty: &str, period: Option<&str>, name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "mjboundary7f3a";
    let mut b = Vec::new();
    let mut field = |n: &str, v: &str| {
        b.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{n}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    };
    field("type", ty);
    if let Some(p) = period {
        field("period", p);
    }
    b.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
    );
    b.extend_from_slice(bytes);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// A multipart POST of one file of dataset type `ty` to `uri`, as the browser sends it.
pub fn file_request(
    c: &Client,
    uri: &str,
    ty: &str,
    period: Option<&str>,
    name: &str,
    bytes: &[u8],
) -> Request<Body> {
    let (ct, body) = multipart(ty, period, name, bytes);
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, &c.cookie)
        .header("x-csrf-token", &c.csrf)
        .header(header::CONTENT_TYPE, ct)
        .header(header::CONTENT_LENGTH, body.len())
        .body(Body::from(body))
        .unwrap()
}

/// Posts a file to /api/uploads; `declared` overrides the Content-Length header.
pub async fn upload(
    s: &TestServer,
    c: &Client,
    ty: &str,
    period: Option<&str>,
    name: &str,
    bytes: &[u8],
    declared: Option<u64>,
) -> Answer {
    let mut req = file_request(c, "/api/uploads", ty, period, name, bytes);
    if let Some(len) = declared {
        req.headers_mut().insert(header::CONTENT_LENGTH, len.into());
    }
    s.send(req).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_http_land_whole_or_are_rejected_with_a_report_on_sqlite() {
    uploads_over_http_land_whole_or_are_rejected_with_a_report(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_over_http_land_whole_or_are_rejected_with_a_report_on_postgres() {
    uploads_over_http_land_whole_or_are_rejected_with_a_report(Backend::Postgres).await;
}

async fn uploads_over_http_land_whole_or_are_rejected_with_a_report(backend: Backend) {
    let s = TestServer::new(backend).await;
    let c = s.login("mz_clerk").await;
    let good = "公民身份号码,姓名,死亡日期,数据来源\n11010519491231002X,张三,2026-01-05,火化记录\n";
    let ans = upload(&s, &c, "deaths", None, "deaths.csv", good.as_bytes(), None).await;
    assert_eq!(
        ans.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&ans.body)
    );
    assert_eq!(ans.json()["rows"], 1);
    // The clerk now sees the upload, as 民政局's.
    let list = s
        .call(Some(&c), Method::GET, "/api/uploads", None)
        .await
        .json();
    assert_eq!(list["uploads"][0]["org_name"], "民政局");
    // A bad row rejects the file: row and column named, nothing lands, a report to download.
    let bad = "公民身份号码,姓名,死亡日期,数据来源\n11010519491231002X,张三,2026-13-45,火化记录\n";
    let ans = upload(&s, &c, "deaths", None, "bad.csv", bad.as_bytes(), None).await;
    assert_eq!(
        (ans.status, ans.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "file_rejected")
    );
    let d = &ans.json()["error"]["details"];
    assert_eq!(d["errors"][0]["row"], 2);
    assert_eq!(d["errors"][0]["column"], "死亡日期");
    let report = s
        .call(
            Some(&c),
            Method::GET,
            &format!(
                "/api/uploads/rejections/{}",
                d["report_id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(report.status, StatusCode::OK);
    assert!(report.body.starts_with(b"PK"), "an xlsx file");
    assert_eq!(
        s.call(Some(&c), Method::GET, "/api/uploads", None)
            .await
            .json()["uploads"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // Declared larger than the limit: 413 before the body is read.
    let ans = upload(
        &s,
        &c,
        "deaths",
        None,
        "big.csv",
        good.as_bytes(),
        Some(10_000_000),
    )
    .await;
    assert_eq!(
        (ans.status, ans.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "file_too_large")
    );
    // The template is an Excel file.
    let t = s
        .call(
            Some(&c),
            Method::GET,
            "/api/dataset-types/deaths/template",
            None,
        )
        .await;
    assert!(t.body.starts_with(b"PK"));
    assert!(
        t.headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
}

/// Runs SQL against the platform's metadata database, directly (a tamperer's access).
async fn tamper(s: &TestServer, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(s.state.platform.store().pool())
        .await
        .unwrap();
}

async fn verify(s: &TestServer) -> Result<i64, i64> {
    s.state
        .platform
        .store()
        .verify_audit()
        .await
        .unwrap()
        .map_err(|b| b.seq)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_tampering_is_detected_on_sqlite() {
    tampering_cases(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_tampering_is_detected_on_postgres() {
    tampering_cases(Backend::Postgres).await;
}

/// Edit, delete, reorder and truncate, each on a fresh log; verification names the first
/// bad record every time.
async fn tampering_cases(backend: Backend) {
    let cases: [(&str, &str, i64); 5] = [
        (
            "edit",
            "UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 6",
            6,
        ),
        ("delete", "DELETE FROM audit_log WHERE seq = 7", 7),
        (
            "reorder",
            "UPDATE audit_log SET seq = -1 WHERE seq = 8; UPDATE audit_log SET seq = 8 WHERE seq = 9; \
             UPDATE audit_log SET seq = 9 WHERE seq = -1",
            8,
        ),
        ("truncate", "DELETE FROM audit_log WHERE seq >= 10", 10),
        (
            "truncate and rewind the head",
            "DELETE FROM audit_log WHERE seq >= 10; UPDATE audit_head SET seq = 9",
            10,
        ),
    ];
    for (what, sql, first_bad) in cases {
        let s = TestServer::new(backend).await;
        for _ in 0..3 {
            s.try_login("leader", "Wrong-password-1").await;
        }
        let n = verify(&s)
            .await
            .unwrap_or_else(|b| panic!("{what}: intact log broken at {b}"));
        assert!(n >= 12, "{what}: {n} records");
        tamper(&s, sql).await;
        assert_eq!(verify(&s).await, Err(first_bad), "{what}");
    }
}

/// A minimal HTTP/1.1 exchange over TCP (the server as a real process).
pub fn http(port: u16, request: &str) -> Option<(u16, String)> {
    http_bytes(port, request.as_bytes())
}

/// [`http`] of a request that need not be text (a multipart upload).
pub fn http_bytes(port: u16, request: &[u8]) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .ok()?;
    s.write_all(request).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let out = String::from_utf8_lossy(&out).into_owned();
    let status = out.split(' ').nth(1)?.parse().ok()?;
    Some((status, out))
}

#[test]
fn the_demo_serves_a_working_api() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = std::process::Command::new(crate::support::BIN)
        .args([
            "demo",
            "--data-dir",
            dir.path().join("demo").to_str().unwrap(),
            "--persons",
            "20000",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let _guard = Kill(child);
    let lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    let mut printed = String::new();
    for line in lines {
        let line = line.unwrap();
        printed.push_str(&line);
        printed.push('\n');
        if line.starts_with("serving http://") {
            break;
        }
    }
    assert!(
        printed.contains("analyst") && printed.contains("auditadmin"),
        "{printed}"
    );
    let mut health = None;
    for _ in 0..100 {
        health = http(
            port,
            "GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        if health.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (status, _) = health.expect("the server answers");
    assert_eq!(status, 200);
    // The analyst reads full IDs, so signs in with a second factor: the code of the secret the
    // demo printed, by the demo's clock (the machine's), as `mingjing totp-code` says it.
    let secret = printed
        .lines()
        .find(|l| l.trim_start().starts_with("analyst "))
        .and_then(|l| l.split("TOTP secret ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .expect("the analyst's TOTP secret is printed")
        .to_string();
    let code = std::process::Command::new(crate::support::BIN)
        .args(["totp-code", &secret])
        .env_remove(mingjing_domain::clock::CLOCK_ENV)
        .output()
        .unwrap();
    let code = String::from_utf8_lossy(&code.stdout).trim().to_string();
    let body = format!(r#"{{"username":"analyst","password":"{PW}","totp":"{code}"}}"#);
    let (status, answer) = http(
        port,
        &format!(
            "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .unwrap();
    assert_eq!(status, 200, "{answer}");
    let cookie = answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (status, alerts) = http(
        port,
        &format!("GET /api/alerts?limit=1 HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
    )
    .unwrap();
    assert_eq!(status, 200);
    // The demo county's alerts are there, served to the commission in full.
    assert!(alerts.contains("\"total\":"), "{alerts}");
    assert!(!alerts.contains("\"total\":0"), "{alerts}");
}

/// Lockout was decided after the slow password check: a burst of parallel guesses was checked
/// in full before the count caught up, and a right guess in the burst got a session. Now each
/// attempt is counted before it is checked, and a burst is throttled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_burst_of_parallel_guesses_outran_the_lockout() {
    let s = TestServer::new(Backend::Sqlite).await;
    let policy = s.state.platform.policy().await.unwrap();
    let burst = 2 * mingjing_app::throttle::PER_ACCOUNT;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..burst {
        let state = s.state.clone();
        let body = json!({ "username": "leader", "password": "Wrong-password-1" }).to_string();
        set.spawn(async move {
            let req = Request::builder()
                .method(Method::POST)
                .uri("/api/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            let res = mingjing_server::app(state).oneshot(req).await.unwrap();
            (
                res.status(),
                res.headers().get(header::RETRY_AFTER).is_some(),
            )
        });
    }
    let answers = set.join_all().await;
    let throttled = answers
        .iter()
        .filter(|(st, retry)| *st == StatusCode::TOO_MANY_REQUESTS && *retry)
        .count();
    let ok = answers
        .iter()
        .filter(|(st, _)| *st == StatusCode::OK)
        .count();
    assert_eq!(
        throttled,
        burst - mingjing_app::throttle::PER_ACCOUNT,
        "{answers:?}"
    );
    let log = s
        .state
        .platform
        .store()
        .audit_records(&mingjing_store::audit::AuditQuery {
            action: "auth.login".into(),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let checked = log
        .iter()
        .filter(|r| r.entry.detail == "wrong password")
        .count();
    // Exactly as many passwords are checked as the threshold allows, whatever the order; the
    // rest of the admitted attempts find the account locked.
    assert_eq!(
        checked, policy.lockout_threshold as usize,
        "{checked} passwords checked: {log:?}"
    );
    assert_eq!(ok, 0);
    // Locked now: the right password is refused too (past the throttle's window, within the
    // lock's).
    s.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(
        s.try_login("leader", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// A TOTP code could be used again within its window; now each step is good once, at sign-in
/// and at enrolment alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_totp_code_was_good_twice() {
    let s = TestServer::new(Backend::Sqlite).await;
    let first = s.try_login("auditadmin", PW).await;
    assert_eq!(first.status, StatusCode::OK);
    let code = s.totp_now("auditadmin").unwrap();
    let again = s
        .call(
            None,
            Method::POST,
            "/api/auth/login",
            Some(json!({ "username": "auditadmin", "password": PW, "totp": code })),
        )
        .await;
    assert_eq!(again.code(), "bad_totp", "the same step a second time");
}

/// A signed-in administrator could replace his second factor without his password or a
/// current code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_session_alone_replaced_the_second_factor() {
    let s = TestServer::new(Backend::Sqlite).await;
    let admin = s.login("secadmin").await;
    let bare = s
        .call(Some(&admin), Method::POST, "/api/auth/totp/setup", None)
        .await;
    assert_eq!(bare.status, StatusCode::BAD_REQUEST, "{}", bare.json());
    s.clock.advance(chrono::Duration::seconds(30));
    let code = s.totp_now("secadmin").unwrap();
    let wrong_password = s
        .call(
            Some(&admin),
            Method::POST,
            "/api/auth/totp/setup",
            Some(json!({ "password": "Wrong-password-1", "code": code })),
        )
        .await;
    assert_eq!(wrong_password.status, StatusCode::BAD_REQUEST);
    let ok = s
        .call(
            Some(&admin),
            Method::POST,
            "/api/auth/totp/setup",
            Some(json!({ "password": PW, "code": code })),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.json());
    assert!(ok.json()["secret"].as_str().is_some_and(|x| x.len() >= 16));
}

/// Wrong old passwords on a password change were not counted: a stolen session could guess.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_wrong_old_passwords_were_not_counted() {
    let s = TestServer::new(Backend::Sqlite).await;
    let policy = s.state.platform.policy().await.unwrap();
    let c = s.login("analyst").await;
    for _ in 0..policy.lockout_threshold {
        let r = s
            .call(
                Some(&c),
                Method::POST,
                "/api/auth/password",
                Some(json!({ "old_password": "Wrong-password-1", "new_password": "Another#Pass2027x" })),
            )
            .await;
        assert_eq!(r.code(), "invalid_request");
    }
    // Locked: even the right password neither changes it nor signs in.
    let r = s
        .call(
            Some(&c),
            Method::POST,
            "/api/auth/password",
            Some(json!({ "old_password": PW, "new_password": "Another#Pass2027x" })),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    assert_eq!(
        s.try_login("analyst", PW).await.status,
        StatusCode::UNAUTHORIZED
    );
}

/// Every route accepted a body as large as an upload (then 1 GiB by default): a JSON route now
/// takes at most `JSON_BODY_LIMIT`, and only the file routes take an upload's size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_every_route_took_a_body_as_large_as_an_upload() {
    let s = TestServer::new(Backend::Sqlite).await;
    let drafter = s.login("analyst").await;
    let big = "张".repeat(mingjing_server::routes::JSON_BODY_LIMIT / 3 + 10);
    let r = s
        .call(
            Some(&drafter),
            Method::POST,
            "/api/opinions/check",
            Some(json!({ "persons": big })),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    for (method, path) in mingjing_server::routes::FILE_ROUTES {
        assert!(
            ROUTES
                .iter()
                .any(|r| r.method == *method && r.path == *path),
            "{method} {path} is a route"
        );
    }
}

/// A `mingjing serve` process on the test's data directory, ended when dropped.
pub struct Process {
    pub child: std::process::Child,
    pub addr: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn serve(s: &TestServer) -> Process {
    serve_with(s, &[])
}

/// [`serve`] with more arguments (none of them `--listen`).
pub fn serve_with(s: &TestServer, args: &[&str]) -> Process {
    serve_to(s, args, None, "info")
}

/// [`serve`] with everything it prints (its log at `level`, e.g. `debug`) written to `log`.
pub fn serve_logging(s: &TestServer, log: &std::path::Path, level: &str) -> Process {
    serve_to(s, &[], Some(std::fs::File::create(log).unwrap()), level)
}

fn serve_to(s: &TestServer, args: &[&str], log: Option<std::fs::File>, level: &str) -> Process {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    // The process reads the test's clock (`MINGJING_CLOCK`), or the sessions made here would
    // look hours idle to it.
    let mut child = s
        .platform
        .command()
        .args(["serve", "--data-dir"])
        .arg(s.platform.data_dir())
        .args(["--listen", &addr])
        .args(args)
        .env("MINGJING_LOG", level)
        .stdout(std::process::Stdio::piped())
        .stderr(match &log {
            Some(f) => f.try_clone().unwrap().into(),
            None => std::process::Stdio::null(),
        })
        .spawn()
        .expect("mingjing serve starts");
    // Wait for "serving http://…" (or https); what it prints goes on into the log.
    let out = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(out));
    let mut log = log;
    let mut keep = move |line: &str| {
        if let Some(f) = &mut log {
            std::io::Write::write_all(f, format!("{line}\n").as_bytes()).unwrap();
        }
    };
    let mut started = false;
    for line in lines.by_ref() {
        let Ok(line) = line else { break };
        keep(&line);
        if line.contains("serving http") {
            started = true;
            break;
        }
    }
    assert!(started, "the server did not start");
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            keep(&line);
        }
    });
    Process { child, addr }
}

/// One account could start any number of exports, dry runs and prechecks at once and so tie up
/// the machine: a request beyond its share is 429 with `Retry-After` and does no work; the share
/// is per account and comes back when a request ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_one_account_could_start_heavy_work_without_end() {
    let s = TestServer::new(Backend::Sqlite).await;
    let analyst = s.login("analyst").await;
    let leader = s.login("leader").await;
    let id = s
        .state
        .platform
        .store()
        .user_by_name("analyst")
        .await
        .unwrap()
        .unwrap()
        .id;
    let held: Vec<_> = (0..mingjing_server::heavy::PER_ACCOUNT)
        .map(|_| s.state.heavy.try_start(id).expect("a share"))
        .collect();
    let refused = s
        .call(Some(&analyst), Method::GET, "/api/alerts/export", None)
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.code(), "too_many_requests");
    assert_eq!(refused.headers[header::RETRY_AFTER], "5");
    let dry = s
        .call(
            Some(&analyst),
            Method::POST,
            "/api/models/dry-run",
            Some(json!({ "text": "" })),
        )
        .await;
    assert_eq!(
        dry.status,
        StatusCode::TOO_MANY_REQUESTS,
        "refused before the body is read"
    );
    // Light work and other accounts go on.
    let light = s
        .call(Some(&analyst), Method::GET, "/api/alerts", None)
        .await;
    assert_eq!(light.status, StatusCode::OK);
    let other = s
        .call(Some(&leader), Method::GET, "/api/alerts/export", None)
        .await;
    assert_eq!(other.status, StatusCode::OK);
    drop(held);
    let again = s
        .call(Some(&analyst), Method::GET, "/api/alerts/export", None)
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(
        s.state.heavy.in_progress(id),
        0,
        "each request gives its share back"
    );
}

/// A dry run waited for the scheduled and on-demand runs (it took their lock) and held them up
/// while it ran: now it runs beside them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_dry_run_waited_behind_the_model_runs() {
    let s = TestServer::new(Backend::Sqlite).await;
    let a = s.login("analyst").await;
    let ex = s
        .call(Some(&a), Method::GET, "/api/models/examples", None)
        .await
        .json();
    let text = ex["examples"]["structured"].as_str().unwrap().to_string();
    // A model run in progress (it holds the run lock for as long as it runs).
    let _running = s.state.rematch.lock().await;
    let dry = tokio::time::timeout(
        std::time::Duration::from_secs(120),
        s.call(
            Some(&a),
            Method::POST,
            "/api/models/dry-run",
            Some(json!({ "text": text })),
        ),
    )
    .await
    .expect("the dry run does not wait for the model run");
    assert_eq!(
        dry.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&dry.body)
    );
}

/// Only administrators had to sign in with a second factor: a role that reads full ID numbers
/// (MLPS level 3 asks two methods of such users) signed in with a password alone. Now those
/// roles must enrol too, and the policy can ask it of every account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_roles_reading_full_ids_signed_in_with_a_password_alone() {
    let s = TestServer::new(Backend::Sqlite).await;
    for user in ["leader", "analyst"] {
        let no_code = s
            .call(
                None,
                Method::POST,
                "/api/auth/login",
                Some(json!({ "username": user, "password": PW })),
            )
            .await;
        assert_eq!(no_code.code(), "totp_required", "{user}");
    }
    // A clerk reads masked IDs only: a password is enough by default…
    let clerk = s.login("mz_clerk").await;
    let me = s
        .call(Some(&clerk), Method::GET, "/api/auth/me", None)
        .await
        .json();
    assert_eq!(me["totp_enrolment_required"], false);
    // …until the policy asks a second factor of everyone: then the clerk must enrol before
    // anything else, and the account's first enrolment needs only its session.
    let sec = s.login("secadmin").await;
    let mut policy = s
        .call(Some(&sec), Method::GET, "/api/security/policy", None)
        .await
        .json();
    policy["second_factor_for_all"] = json!(true);
    let put = s
        .call(
            Some(&sec),
            Method::PUT,
            "/api/security/policy",
            Some(policy),
        )
        .await;
    assert!(
        put.status.is_success(),
        "{}",
        String::from_utf8_lossy(&put.body)
    );
    let me = s
        .call(Some(&clerk), Method::GET, "/api/auth/me", None)
        .await
        .json();
    assert_eq!(me["totp_enrolment_required"], true);
    let blocked = s
        .call(Some(&clerk), Method::GET, "/api/uploads", None)
        .await;
    assert_eq!(blocked.code(), "totp_required");
    let setup = s
        .call(Some(&clerk), Method::POST, "/api/auth/totp/setup", None)
        .await;
    assert_eq!(
        setup.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&setup.body)
    );
    let secret = setup.json()["secret"].as_str().unwrap().to_string();
    let raw = mingjing_app::accounts::base32_decode(&secret).unwrap();
    let code = mingjing_app::accounts::totp_code(&raw, (s.clock.now().timestamp() / 30) as u64);
    let confirm = s
        .call(
            Some(&clerk),
            Method::POST,
            "/api/auth/totp/confirm",
            Some(json!({ "code": code })),
        )
        .await;
    assert!(
        confirm.status.is_success(),
        "{}",
        String::from_utf8_lossy(&confirm.body)
    );
    let now = s
        .call(Some(&clerk), Method::GET, "/api/uploads", None)
        .await;
    assert_eq!(now.status, StatusCode::OK);
}

/// The server served plain HTTP only and left `Secure` cookies and HSTS to a setting: given a
/// certificate it serves TLS itself (rustls), and then cookies are `Secure` and HSTS is sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_the_server_could_not_serve_tls_itself() {
    let s = TestServer::new(Backend::Sqlite).await;
    let dir = s.platform.data_dir().to_path_buf();
    let (cert, key) = (dir.join("server.crt"), dir.join("server.key"));
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .args(["-nodes", "-days", "2", "-subj", "/CN=127.0.0.1"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let config = dir.join("mingjing.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "\n[server]\ntls_cert = {:?}\ntls_key = {:?}\n",
        cert.display().to_string(),
        key.display().to_string()
    ));
    std::fs::write(&config, text).unwrap();
    let p = serve(&s);
    let curl = |args: &[&str]| {
        let out = std::process::Command::new("curl")
            .args(["-s", "-i", "--max-time", "20", "--cacert"])
            .arg(&cert)
            .args(args)
            .output()
            .expect("curl runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let health = curl(&[&format!("https://{}/api/health", p.addr)]);
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(
        health
            .to_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{health}"
    );
    let login = curl(&[
        "-H",
        "content-type: application/json",
        "--data",
        &json!({ "username": "mz_clerk", "password": PW }).to_string(),
        &format!("https://{}/api/auth/login", p.addr),
    ]);
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    let cookie = login
        .lines()
        .find(|l| l.to_lowercase().starts_with("set-cookie:"))
        .expect("a session cookie");
    assert!(cookie.contains("; Secure"), "{cookie}");
    // Plain HTTP on the TLS port gets no HTTP answer.
    let plain = curl(&[&format!("http://{}/api/health", p.addr)]);
    assert!(!plain.contains("200 OK"), "{plain}");
    // A certificate without its key stops the start with a clear error.
    let broken = std::fs::read_to_string(&config)
        .unwrap()
        .replace(&format!("tls_key = {:?}\n", key.display().to_string()), "");
    std::fs::write(&config, broken).unwrap();
    let out = s
        .platform
        .command()
        .args(["serve", "--data-dir"])
        .arg(&dir)
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("tls_cert and tls_key go together"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
