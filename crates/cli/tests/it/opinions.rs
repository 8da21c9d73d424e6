//! Integrity opinions over HTTP: names checked against the records before anything is
//! compiled, each person's findings by the rules as of the reply date, a request of 500
//! persons, and the workflow by three different people.

use crate::server::TestServer;
use crate::support::Backend;
use axum::http::{Method, StatusCode};
use chrono::{Months, NaiveDate};
use serde_json::{Value, json};

fn id(i: usize) -> String {
    crate::support::test_id("61032719700101", 100 + i)
}

async fn import(s: &TestServer, ty: &str, org: &str, csv: String) {
    crate::support::import_csv(s, ty, org, None, csv).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opinions_are_compiled_by_the_rules_and_approved_by_three_people() {
    let s = TestServer::new(Backend::Sqlite).await;
    const N: usize = 500;
    let reply = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let ago = |m: u32| {
        reply
            .checked_sub_months(Months::new(m))
            .unwrap()
            .to_string()
    };
    let mut persons = String::from("id_number,name,household_id,town,village\n");
    for i in 0..N {
        persons += &format!("{},干部{i},H{i},城关镇,东关社区\n", id(i));
    }
    import(&s, "persons", "公安局", persons).await;
    let mut sup = String::from("id_number,name,org,position,party_member,supervising_unit\n");
    for i in 0..10 {
        sup += &format!(
            "{},干部{i},县民政局,科长,是,县纪委监委第一派驻纪检监察组\n",
            id(i)
        );
    }
    import(
        &s,
        "supervised_persons",
        "县纪委监委第一派驻纪检监察组",
        sup,
    )
    .await;
    let sanctions = format!(
        "case_no,id_number,name,org,sanction,decision_date,authority\n\
         C1,{},干部0,县民政局科长,党内警告,{},县纪委\n\
         C2,{},干部1,县民政局科长,政务警告,{},县监委\n",
        id(0),
        ago(6),
        id(1),
        ago(7)
    );
    import(&s, "sanctions", "县纪委监委案件监督管理室", sanctions).await;
    let petitions = format!(
        "petition_no,received_date,reported_id_number,reported_name,category,summary,status,conclusion,closed_date\n\
         P1,{},{},干部2,违反廉洁纪律,收受礼金,办理中,,\n\
         P2,{},{},干部3,违反工作纪律,违规审批,已办结,属实,{}\n",
        ago(2),
        id(2),
        ago(20),
        id(3),
        ago(12)
    );
    import(&s, "petitions", "县纪委监委信访室", petitions).await;

    let a = s.login("analyst").await;
    let people = |wrong: Option<usize>| -> Vec<Value> {
        (0..N)
            .map(|i| json!({ "id_number": id(i), "name": if Some(i) == wrong { "王五".to_string() } else { format!("干部{i}") } }))
            .collect()
    };
    let body = |wrong| {
        json!({
            "reference": "陇组函〔2026〕12号", "purpose": "提拔任用", "requesting_org": "县委组织部",
            "reply_date": reply.to_string(), "persons": people(wrong),
        })
    };
    // A name that does not match its ID: flagged, nothing compiled or saved.
    let r = s
        .call(Some(&a), Method::POST, "/api/opinions", Some(body(Some(4))))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "persons_rejected")
    );
    let details = r.json();
    let flagged: Vec<&Value> = details["error"]["details"]["persons"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| !p["problem"].is_null())
        .collect();
    assert_eq!(flagged.len(), 1);
    assert!(
        flagged[0]["problem"].as_str().unwrap().contains("干部4"),
        "{}",
        flagged[0]
    );
    let list = s
        .call(Some(&a), Method::GET, "/api/opinions", None)
        .await
        .json();
    assert_eq!(list["requests"].as_array().unwrap().len(), 0);
    let chk = s
        .call(Some(&a), Method::POST, "/api/opinions/check", Some(json!({ "persons": [
            { "id_number": "610327197001011000", "name": "某" }, { "id_number": id(0), "name": "干部0" }, { "id_number": id(0), "name": "干部0" },
        ] })))
        .await
        .json();
    assert!(
        chk["persons"][0]["problem"]
            .as_str()
            .unwrap()
            .contains("身份证号无效")
    );
    assert!(
        chk["persons"][2]["problem"]
            .as_str()
            .unwrap()
            .contains("重复")
    );
    assert_eq!(chk["ok"], false);

    // The whole request of 500 persons.
    let r = s
        .call(Some(&a), Method::POST, "/api/opinions", Some(body(None)))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let rid = r.json()["id"].as_i64().unwrap();
    let got = s
        .call(Some(&a), Method::GET, &format!("/api/opinions/{rid}"), None)
        .await
        .json();
    let p = got["persons"].as_array().unwrap();
    assert_eq!(p.len(), N);
    let verdicts: Vec<&str> = p[..5]
        .iter()
        .map(|x| x["verdict"].as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts,
        ["barred", "clean", "under_review", "noted", "clean"]
    );
    assert_eq!(p[0]["opinion"], "影响期内，不宜提拔/评优");
    assert!(
        p[0]["findings"][0]["text"]
            .as_str()
            .unwrap()
            .contains("影响期至")
    );
    assert!(
        p[1]["findings"][0]["text"]
            .as_str()
            .unwrap()
            .contains("届满"),
        "an expired sanction is listed"
    );
    assert_eq!(p[2]["opinion"], "有反映问题正在核查");
    assert_eq!(p[4]["opinion"], "经查，未发现该同志有违反廉洁纪律问题");
    assert_eq!(p[0]["org"], "县民政局");
    assert!(p.iter().skip(4).all(|x| x["verdict"] == "clean"));

    // The workflow: the drafter rewords and submits; the drafter cannot review; a second
    // analyst returns it, then reviews it; only the leader, who did neither, approves.
    let path = format!("/api/opinions/{rid}");
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            &format!("{path}/persons/5"),
            Some(json!({ "opinion": "经查，未发现该同志有违反廉洁纪律问题。" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let step = |who, st: &'static str, comment: &'static str| {
        let s = &s;
        let path = path.clone();
        async move {
            s.call(
                Some(who),
                Method::POST,
                &format!("{path}/step"),
                Some(json!({ "step": st, "comment": comment })),
            )
            .await
        }
    };
    assert_eq!(
        step(&a, "review", "").await.code(),
        "invalid_request",
        "nothing to review yet"
    );
    assert_eq!(step(&a, "submit", "").await.status, StatusCode::OK);
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            &format!("{path}/persons/5"),
            Some(json!({ "opinion": "改" })),
        )
        .await;
    assert_eq!(r.code(), "conflict", "no rewording once submitted");
    let r = step(&a, "review", "").await;
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("起草人"),
        "{}",
        r.json()
    );
    let b = s.login("analyst2").await;
    assert_eq!(
        step(&b, "return", "").await.code(),
        "invalid_request",
        "a return needs comments"
    );
    assert_eq!(
        step(&b, "return", "请补充干部5的监督单位").await.status,
        StatusCode::OK
    );
    let back = s.call(Some(&a), Method::GET, &path, None).await.json();
    assert_eq!(back["request"]["stage"], "drafted");
    assert_eq!(back["request"]["return_comment"], "请补充干部5的监督单位");
    assert_eq!(back["allowed"], json!(["submit"]));
    assert_eq!(step(&a, "submit", "").await.status, StatusCode::OK);
    assert_eq!(step(&b, "review", "").await.status, StatusCode::OK);
    assert_eq!(step(&b, "approve", "").await.status, StatusCode::FORBIDDEN);
    let l = s.login("leader").await;
    assert_eq!(step(&l, "approve", "").await.status, StatusCode::OK);
    let done = s.call(Some(&l), Method::GET, &path, None).await.json();
    assert_eq!(done["request"]["stage"], "approved");
    assert_eq!(done["request"]["drafted_by"], "analyst");
    assert_eq!(done["request"]["reviewed_by"], "analyst2");
    assert_eq!(done["request"]["approved_by"], "leader");
    assert_eq!(
        done["persons"][4]["opinion"],
        "经查，未发现该同志有违反廉洁纪律问题。"
    );
    assert_eq!(
        done["persons"][4]["drafted_opinion"], "经查，未发现该同志有违反廉洁纪律问题",
        "the facts' draft stays"
    );
    // The reply letter of all 500, as DOCX and PDF: LibreOffice opens the DOCX, and the text
    // of both PDFs holds the persons, their findings, the opinions and who signed.
    let docx = s
        .call(
            Some(&l),
            Method::GET,
            &format!("{path}/document?format=docx"),
            None,
        )
        .await;
    assert_eq!(
        docx.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&docx.body)
    );
    assert!(
        docx.headers[axum::http::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''"),
    );
    let pdf = s
        .call(
            Some(&l),
            Method::GET,
            &format!("{path}/document?format=pdf"),
            None,
        )
        .await;
    assert_eq!(
        pdf.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&pdf.body)
    );
    assert_eq!(
        pdf.headers[axum::http::header::CONTENT_TYPE],
        "application/pdf"
    );
    let ours = crate::support::pdf_text(&pdf.body);
    let office = crate::support::pdf_text(&crate::support::docx_to_pdf(&docx.body));
    for (which, text) in [
        ("rendered PDF", &ours),
        ("LibreOffice's PDF of the DOCX", &office),
    ] {
        for want in [
            "关于干部0等500名同志党风廉政意见的回复",
            "县委组织部：",
            "干部0",
            "干部499",
            "党内警告",
            "影响期至",
            "影响期内，不宜提拔/评优",
            "有反映问题正在核查",
            "经查，未发现该同志有违反廉洁纪律问题。",
            "起草：李分析",
            "审核：陈审核",
            "签发：王书记",
            "县纪委监委",
        ] {
            assert!(text.contains(want), "{which} lacks {want}");
        }
        assert!(
            !text.contains("未签发"),
            "{which}: an approved reply carries no draft mark"
        );
    }
    // Templates are checked; a changed issuer is on the next download.
    let mut t = s
        .call(Some(&l), Method::GET, "/api/opinions/reply-template", None)
        .await
        .json()["template"]
        .clone();
    t["issuer"] = json!("中共某县纪律检查委员会\n某县监察委员会（{name}）");
    let r = s
        .call(
            Some(&l),
            Method::PUT,
            "/api/opinions/reply-template",
            Some(t.clone()),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("{name}")
    );
    t["issuer"] = json!("中共某县纪律检查委员会\n某县监察委员会");
    let r = s
        .call(
            Some(&l),
            Method::PUT,
            "/api/opinions/reply-template",
            Some(t),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let again = s
        .call(
            Some(&a),
            Method::GET,
            &format!("{path}/document?format=pdf"),
            None,
        )
        .await;
    assert!(crate::support::pdf_text(&again.body).contains("某县监察委员会"));
    assert_eq!(
        s.call(
            Some(&a),
            Method::GET,
            &format!("{path}/document?format=odt"),
            None
        )
        .await
        .code(),
        "invalid_request"
    );
    // The integrity file: the record, the sanction with its impact period, the open petition,
    // the approved opinion; for the leader only among these, every view audited.
    let f = s
        .call(
            Some(&l),
            Method::GET,
            &format!("/api/integrity/{}", id(0)),
            None,
        )
        .await
        .json();
    assert_eq!(f["name"], "干部0");
    assert_eq!(f["org"], "县民政局");
    assert_eq!(f["sanctions"][0]["sanction"], "党内警告");
    assert_eq!(
        f["sanctions"][0]["impact_end"],
        reply
            .checked_add_months(Months::new(6))
            .unwrap()
            .pred_opt()
            .unwrap()
            .to_string()
    );
    assert_eq!(f["opinions"][0]["reference"], "陇组函〔2026〕12号");
    assert_eq!(f["opinions"][0]["verdict"], "barred");
    let f2 = s
        .call(
            Some(&l),
            Method::GET,
            &format!("/api/integrity/{}", id(2)),
            None,
        )
        .await
        .json();
    assert_eq!(f2["petitions"][0]["status"], "办理中");
    assert_eq!(f2["supervised"], true);
    let bad = s
        .call(Some(&l), Method::GET, "/api/integrity/123", None)
        .await;
    assert_eq!(bad.code(), "invalid_request");
    let views = s
        .state
        .platform
        .store()
        .audit_records(&mingjing_store::audit::AuditQuery {
            action: "integrity.view".into(),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(views.len(), 2);
    assert!(
        views
            .iter()
            .all(|v| v.entry.object.starts_with("person:") && !v.entry.object.contains("********")),
        "the log names people by handle, never by an ID whole or masked: {views:?}"
    );
    // The leader edits the templates; the next request uses them, the approved one keeps its own.
    let mut w = s
        .call(Some(&l), Method::GET, "/api/opinions/wording", None)
        .await
        .json();
    w["clean"] = json!("经核查，未发现该同志存在违反廉洁纪律的问题");
    let r = s
        .call(
            Some(&l),
            Method::PUT,
            "/api/opinions/wording",
            Some(w.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    w["barred"] = json!("");
    assert_eq!(
        s.call(Some(&l), Method::PUT, "/api/opinions/wording", Some(w))
            .await
            .code(),
        "invalid_request"
    );
    let next = json!({ "reference": "陇组函〔2026〕13号", "purpose": "评先评优", "requesting_org": "县委组织部",
        "reply_date": reply.to_string(), "persons": [{ "id_number": id(9), "name": "干部9" }] });
    let r = s
        .call(Some(&a), Method::POST, "/api/opinions", Some(next))
        .await
        .json();
    let second = s
        .call(
            Some(&a),
            Method::GET,
            &format!("/api/opinions/{}", r["id"]),
            None,
        )
        .await
        .json();
    assert_eq!(
        second["persons"][0]["opinion"],
        "经核查，未发现该同志存在违反廉洁纪律的问题"
    );
    // A reply not yet approved is marked as a draft on every page.
    let draft = s
        .call(
            Some(&a),
            Method::GET,
            &format!("/api/opinions/{}/document?format=pdf", r["id"]),
            None,
        )
        .await;
    let text = crate::support::pdf_text(&draft.body);
    assert!(
        text.contains("草稿（起草中，未签发）") && text.contains("干部9"),
        "{text}"
    );
    let first = s.call(Some(&a), Method::GET, &path, None).await.json();
    assert_eq!(
        first["persons"][5]["opinion"],
        "经查，未发现该同志有违反廉洁纪律问题"
    );
    // Departments never read discipline records.
    let v = s.login("mz_verifier").await;
    assert_eq!(
        s.call(Some(&v), Method::GET, &path, None).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regression_a_person_in_no_record_was_drafted_the_clean_opinion() {
    let s = TestServer::new(Backend::Sqlite).await;
    import(
        &s,
        "persons",
        "公安局",
        format!(
            "id_number,name,household_id,town,village\n{},干部0,H0,城关镇,东关社区\n",
            id(0)
        ),
    )
    .await;
    let a = s.login("analyst").await;
    let r = s
        .call(Some(&a), Method::POST, "/api/opinions", Some(json!({
            "reference": "陇组函〔2026〕13号", "purpose": "提拔任用", "requesting_org": "县委组织部",
            "reply_date": "2026-11-20",
            "persons": [{ "id_number": id(0), "name": "干部0" }, { "id_number": id(1), "name": "无名氏" }],
        })))
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let rid = r.json()["id"].as_i64().unwrap();
    let path = format!("/api/opinions/{rid}");
    let got = s.call(Some(&a), Method::GET, &path, None).await.json();
    let p = got["persons"].as_array().unwrap();
    assert_eq!(p[0]["verdict"], "clean");
    assert_eq!(p[1]["verdict"], "no_record", "{}", p[1]);
    assert!(p[1]["opinion"].as_str().unwrap().contains("均无此人"));
    assert_eq!(p[1]["findings"][0]["kind"], "no_record");

    // Reworded into the clean opinion, it cannot go out.
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            &format!("{path}/persons/2"),
            Some(json!({ "opinion": "经查，未发现该同志有违反廉洁纪律问题。" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = s
        .call(
            Some(&a),
            Method::POST,
            &format!("{path}/step"),
            Some(json!({ "step": "submit", "comment": "" })),
        )
        .await;
    assert_eq!(r.code(), "invalid_request");
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("均无此人"),
        "{}",
        r.json()
    );
    // Worded as what it is, it goes on.
    let r = s
        .call(
            Some(&a),
            Method::PUT,
            &format!("{path}/persons/2"),
            Some(json!({ "opinion": "户籍和监察对象记录中均无此人，请核实" })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = s
        .call(
            Some(&a),
            Method::POST,
            &format!("{path}/step"),
            Some(json!({ "step": "submit", "comment": "" })),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
}
