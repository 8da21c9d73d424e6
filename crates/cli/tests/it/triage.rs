//! Triage (issue 25): the open alerts ranked by what their verification may be expected to
//! recover, learnt from the loop. A generated county raises about a hundred alerts, too few for
//! deciles; so 3,000 alerts over twelve models (eight with suspect amounts, four without; some
//! subjects in several models) are raised through the store's hit path, each model is given a
//! hidden rate of true alerts, and half of each model's alerts are verified and closed by that
//! truth (the loop's history). The top decile of the remaining open queue holds more of the true
//! alerts' money than a random order's tenth, the queue is in priority order, and every alert
//! says why it ranks where it does. The figures are printed (bench/README.md quotes them).

use crate::server::TestServer;
use crate::support::Backend;
use mingjing_app::Actor;
use mingjing_app::alerts::AlertFilter;
use mingjing_app::scope::Scope;
use mingjing_domain::disposal::{Conclusion, Step, VerificationForm};
use mingjing_store::{Alert, AlertHit, EvidenceRow};
use std::collections::BTreeMap;

/// A well-mixed hash (splitmix64): hidden truths and amounts that follow no id order.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

const ALERTS: u64 = 3_000;
const MODELS: u64 = 12;

fn model_of(i: u64) -> String {
    format!("T{:02}", i % MODELS + 1)
}

/// Model `T01` … `T12`'s hidden rate of true alerts, from 10% to 90%, not in model order.
fn rate(model: &str) -> f64 {
    let n: u64 = model[1..].parse().unwrap();
    0.1 + 0.8 * ((mix(n) % MODELS) as f64) / (MODELS - 1) as f64
}

fn is_true(a: &Alert) -> bool {
    (mix(a.id as u64 ^ 0x5EED) % 1000) as f64 / 1000.0 < rate(&a.model)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_top_decile_by_priority_holds_more_of_the_true_alerts_than_a_random_order() {
    let s = TestServer::new(Backend::Sqlite).await;
    let platform = &s.state.platform;
    let store = platform.store();
    let mut hits: BTreeMap<String, Vec<AlertHit>> = BTreeMap::new();
    for i in 0..ALERTS {
        let model = model_of(i);
        let with_amount = i % MODELS < 8;
        // Months paid wrongly, each a firing row of 100 to 1,500 yuan.
        let months = 1 + mix(i ^ 0xA) % 12;
        let monthly = 10_000 + (mix(i ^ 0xB) % 140_000) as i64;
        hits.entry(model).or_default().push(AlertHit {
            // Some subjects are found by several models.
            subject: format!("S{:05}", mix(i) % 2_400),
            program: "DIBAO".into(),
            name: "张三".into(),
            has_amount: with_amount,
            responsible: "民政局".into(),
            town: "城关镇".into(),
            village: "东关社区".into(),
            evidence: (0..months)
                .map(|m| EvidenceRow {
                    dataset: "benefit_payments".into(),
                    upload_dir: format!("u{m}"),
                    row: i as i64,
                    amount_fen: with_amount.then_some(monthly),
                    firing: true,
                    condition: "fire".into(),
                })
                .collect(),
        });
    }
    for (model, list) in &hits {
        store.apply_hits(model, 1, list).await.unwrap();
    }
    platform.route_new_alerts(s.state.today()).await.unwrap();
    platform.refresh_priorities(None).await.unwrap();

    // The loop's history: the first half of each model's alerts verified and closed by truth.
    let mut by_model: BTreeMap<String, Vec<Alert>> = BTreeMap::new();
    for a in store.alerts(None).await.unwrap() {
        by_model.entry(a.model.clone()).or_default().push(a);
    }
    let system = Actor::system();
    for list in by_model.values() {
        for a in &list[..list.len() / 2] {
            let org = a.org_id.expect("routed to 民政局");
            let form = if is_true(a) {
                let fen = a.amount_fen.filter(|f| *f > 0).unwrap_or(80_000);
                VerificationForm {
                    conclusion: Conclusion::Confirmed.label().into(),
                    recovered: format!("{}.{:02}", fen / 100, fen % 100),
                    records_corrected: 1,
                    explanation: "属实".into(),
                    ..Default::default()
                }
            } else {
                VerificationForm {
                    conclusion: Conclusion::Unfounded.label().into(),
                    explanation: "不属实".into(),
                    ..Default::default()
                }
            };
            platform
                .submit_verification(a.id, &[org], form, &system)
                .await
                .unwrap();
            platform
                .review_alert(a.id, Step::Approve, "", &system)
                .await
                .unwrap();
        }
    }

    // The open queue as the list shows it by default: highest priority first.
    let open = AlertFilter {
        status: Some("open".into()),
        ..Default::default()
    };
    let queue = platform
        .list_alerts(&system, &Scope::whole_county(), &open, 0, usize::MAX / 2)
        .await
        .unwrap()
        .alerts;
    // (A subject found twice by one model is one alert.)
    assert!(queue.len() > 1_000, "{} open alerts", queue.len());
    assert!(queue.iter().all(|a| !a.priority_reasons.is_empty()));
    assert!(
        queue
            .windows(2)
            .all(|w| w[0].priority_fen.unwrap_or(-1) >= w[1].priority_fen.unwrap_or(-1))
    );
    // The value of a true alert: its amount, or what the loop recovered on one without.
    let worth = |a: &Alert| a.amount_fen.unwrap_or(80_000);
    let top = queue.len().div_ceil(10);
    let trues = |list: &[Alert]| list.iter().filter(|a| is_true(a)).count();
    let money = |list: &[Alert]| -> i64 { list.iter().filter(|a| is_true(a)).map(worth).sum() };
    let share = trues(&queue[..top]) as f64 / trues(&queue).max(1) as f64;
    let money_share = money(&queue[..top]) as f64 / money(&queue).max(1) as f64;
    let rate_top = trues(&queue[..top]) as f64 / top as f64;
    let rate_all = trues(&queue) as f64 / queue.len() as f64;
    println!(
        "triage: {} open alerts, {} true ({:.1}%); the top decile ({top}) is {:.1}% true and \
         holds {:.1}% of the true alerts and {:.1}% of their money (a random order's tenth: 10%)",
        queue.len(),
        trues(&queue),
        rate_all * 100.0,
        rate_top * 100.0,
        share * 100.0,
        money_share * 100.0
    );
    // A random tenth holds a tenth of the true alerts and is as often true as the whole queue;
    // the top decile by priority holds more (at most top/trues when all of it is true).
    assert!(
        share > 0.11,
        "the top decile holds {:.1}% of the true alerts",
        share * 100.0
    );
    assert!(
        rate_top > rate_all + 0.1,
        "the top decile is {:.1}% true against {:.1}%",
        rate_top * 100.0,
        rate_all * 100.0
    );
    assert!(
        money_share > 0.2,
        "the top decile holds {:.1}% of the true money",
        money_share * 100.0
    );
}
