//! The alert list, the dashboard and the loop's statistics are computed by the metadata
//! database (issue 23). On a generated county whose alerts went some way round the loop,
//! every figure equals the one the platform used to compute in memory — folded here from the
//! plain rows, independently — for every role's scope, under each filter, on both backends.

use crate::support::{Backend, TestPlatform, generate_sized, import_all, stderr};
use chrono::{Duration, NaiveDate};
use mingjing_app::alerts::{AlertFilter, AlertOrder};
use mingjing_app::scope::Scope;
use mingjing_app::{Actor, LoopFigures, Platform, StatDimension, StatFilter, is_overdue};
use mingjing_domain::disposal::{AccountabilityForm, Conclusion, Stage, Step, VerificationForm};
use mingjing_store::Alert;
use mingjing_store::disposal::DisposalRow;
use std::collections::{BTreeMap, BTreeSet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_figures_equal_the_in_memory_ones_on_sqlite() {
    sql_figures_equal_the_in_memory_ones(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_figures_equal_the_in_memory_ones_on_postgres() {
    sql_figures_equal_the_in_memory_ones(Backend::Postgres).await;
}

async fn sql_figures_equal_the_in_memory_ones(backend: Backend) {
    let (_gen, p, platform) = county_round_the_loop(backend).await;
    let store = platform.store();
    let today = platform.today();
    let alerts = store.alerts(None).await.unwrap();
    let rows = store.disposal_rows().await.unwrap();
    assert!(alerts.len() > 100, "{} alerts", alerts.len());
    let stages: BTreeSet<&str> = alerts.iter().map(|a| a.stage.as_str()).collect();
    assert!(
        stages.len() >= 5,
        "the loop left too little variety: {stages:?}"
    );

    let towns: BTreeSet<String> = alerts.iter().map(|a| a.town.clone()).collect();
    let town = towns.iter().find(|t| !t.is_empty()).unwrap().clone();
    let village = alerts
        .iter()
        .find(|a| a.town == town && !a.village.is_empty())
        .unwrap()
        .village
        .clone();
    let unit = alerts
        .iter()
        .find(|a| a.org_id.is_some())
        .unwrap()
        .responsible
        .clone();
    let model = alerts[alerts.len() / 2].model.clone();
    let day = |a: &Alert| p.clock.day_of(&a.raised_at).unwrap();
    let first_day = alerts.iter().map(day).min().unwrap();

    // Every open alert is ranked, no closed one is.
    for a in &alerts {
        assert_eq!(a.priority_fen.is_some(), a.status == "open", "{a:?}");
    }
    // The figures compared below are not empty ones.
    let (_, whole) = folded(
        &p,
        &rows,
        &[],
        &StatFilter::default(),
        today,
        &Scope::whole_county(),
    );
    assert!(
        whole.confirmed > 0
            && whole.false_positives > 0
            && whole.overdue > 0
            && whole.recovered_fen > 0
            && whole.interviewed > 0
            && whole.accountable > whole.interviewed,
        "{whole:?}"
    );

    for (label, scope) in scopes(&platform, &unit, &town).await {
        let actor = Actor::system();
        // The loop's statistics, under each filter, by every dimension.
        let filters = [
            StatFilter::default(),
            StatFilter {
                model: Some(model.clone()),
                ..Default::default()
            },
            StatFilter {
                unit: Some(unit.clone()),
                town: Some(town.clone()),
                ..Default::default()
            },
            StatFilter {
                from: Some(first_day),
                to: Some(first_day),
                ..Default::default()
            },
            StatFilter {
                to: first_day.pred_opt(),
                ..Default::default()
            },
        ];
        let dims = [
            StatDimension::Model,
            StatDimension::Unit,
            StatDimension::Town,
            StatDimension::Month,
        ];
        for f in &filters {
            let (groups, total) = platform
                .loop_statistics(&dims, f, today, &scope)
                .await
                .unwrap();
            let (want_groups, want_total) = folded(&p, &rows, &dims, f, today, &scope);
            assert_eq!(total, want_total, "{label}: total under {f:?}");
            assert_eq!(groups, want_groups, "{label}: groups under {f:?}");
        }

        // The list: totals, every id in order, a page from the middle.
        let named = alerts.iter().find(|a| !a.name.is_empty()).unwrap();
        let list_filters = vec![
            AlertFilter::default(),
            AlertFilter {
                model: Some(model.clone()),
                ..Default::default()
            },
            AlertFilter {
                order: AlertOrder::Model,
                ..Default::default()
            },
            AlertFilter {
                overdue: true,
                ..Default::default()
            },
            AlertFilter {
                town: Some(town.clone()),
                village: Some(village.clone()),
                ..Default::default()
            },
            AlertFilter {
                responsible: Some(unit.clone()),
                status: Some("open".into()),
                ..Default::default()
            },
            AlertFilter {
                min_fen: Some(50_000),
                max_fen: Some(2_000_000),
                ..Default::default()
            },
            AlertFilter {
                from: Some(first_day),
                to: Some(first_day + Duration::days(3)),
                ..Default::default()
            },
            AlertFilter {
                to: first_day.pred_opt(),
                ..Default::default()
            },
            AlertFilter {
                text: Some(named.name.clone()),
                ..Default::default()
            },
            AlertFilter {
                text: Some(named.subject.clone()),
                ..Default::default()
            },
        ]
        .into_iter()
        .chain(Stage::ALL.iter().map(|s| AlertFilter {
            stage: Some(s.code().into()),
            ..Default::default()
        }));
        for f in list_filters {
            let want = listed(&p, &alerts, &scope, &f, today);
            // Before the first alert, or unrouted (every unit is in the tree).
            let narrows_to_nothing =
                f.to.is_some_and(|t| t < first_day) || f.stage.as_deref() == Some("unrouted");
            if label == "whole county" {
                assert_eq!(want.is_empty(), narrows_to_nothing, "{f:?}");
            }
            let all = platform
                .list_alerts(&actor, &scope, &f, 0, usize::MAX / 2)
                .await
                .unwrap();
            assert_eq!(all.total, want.len(), "{label}: total under {f:?}");
            let ids = |v: &[Alert]| v.iter().map(|a| a.id).collect::<Vec<_>>();
            assert_eq!(ids(&all.alerts), ids(&want), "{label}: ids under {f:?}");
            assert_eq!(all.alerts, want, "{label}: alerts under {f:?}");
            let middle = platform
                .list_alerts(&actor, &scope, &f, want.len() / 3, 7)
                .await
                .unwrap();
            let page: Vec<i64> = want
                .iter()
                .skip(want.len() / 3)
                .take(7)
                .map(|a| a.id)
                .collect();
            assert_eq!(ids(&middle.alerts), page, "{label}: page under {f:?}");
        }

        // The dashboard: alerts at each stage, their suspect amount, the first overdue ones.
        let shown = platform.dashboard_alerts(&actor, &scope).await.unwrap();
        let seen: Vec<&Alert> = alerts.iter().filter(|a| scope.sees_alert(a)).collect();
        let mut want_stages: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
        for a in &seen {
            let e = want_stages.entry(a.stage.clone()).or_default();
            e.0 += 1;
            e.1 += a.amount_fen.unwrap_or(0);
            e.2 += a.priority_fen.unwrap_or(0);
        }
        let got_stages: BTreeMap<String, (i64, i64, i64)> = shown
            .stages
            .iter()
            .map(|s| (s.stage.clone(), (s.alerts, s.suspect_fen, s.expected_fen)))
            .collect();
        assert_eq!(got_stages, want_stages, "{label}: dashboard stages");
        let overdue = AlertFilter {
            overdue: true,
            ..Default::default()
        };
        let want_overdue: Vec<i64> = listed(&p, &alerts, &scope, &overdue, today)
            .iter()
            .take(mingjing_app::alerts::DASHBOARD_OVERDUE)
            .map(|a| a.id)
            .collect();
        let got_overdue: Vec<i64> = shown.overdue.iter().map(|a| a.id).collect();
        assert_eq!(got_overdue, want_overdue, "{label}: dashboard overdue");
    }
    drop(p);
}

/// A generated county imported and its models run, its tree seeded with its towns and its
/// alerts routed.
async fn county_run(
    backend: Backend,
    seed: &str,
    persons: u32,
) -> (tempfile::TempDir, TestPlatform, Platform) {
    let gen_dir = tempfile::tempdir().unwrap();
    let county = gen_dir.path().join("county");
    generate_sized(&county, seed, persons);
    let p = TestPlatform::new(backend);
    if let Some(pg) = &p.pg {
        std::fs::write(
            p.data_dir().join("mingjing.toml"),
            format!("database_url = \"{}\"\n", pg.url),
        )
        .unwrap();
    }
    import_all(&p, &county);
    let truth = std::fs::read_to_string(county.join("ground_truth.csv")).unwrap();
    let as_of = truth
        .lines()
        .next()
        .unwrap()
        .trim_start_matches("# as-of ")
        .to_string();
    let run = p.run(&["run", "--data-dir", p.data_dir_str(), "--as-of", &as_of]);
    assert!(run.status.success(), "{}", stderr(&run));

    let platform = Platform::open(p.data_dir(), p.clock.clone()).await.unwrap();
    let mut towns: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for a in platform.store().alerts(None).await.unwrap() {
        if !a.town.is_empty() {
            let v = towns.entry(a.town.clone()).or_default();
            if !a.village.is_empty() {
                v.insert(a.village.clone());
            }
        }
    }
    let towns: Vec<(String, Vec<String>)> = towns
        .into_iter()
        .map(|(t, v)| (t, v.into_iter().collect()))
        .collect();
    platform.seed_orgs(&towns).await.unwrap();
    platform.route_new_alerts(platform.today()).await.unwrap();
    (gen_dir, p, platform)
}

/// Generated county run (`county_run`), then its alerts taken some way round the loop
/// (confirmed, unfounded, transferred, returned, accounted for), and the clock moved past the
/// first deadlines.
async fn county_round_the_loop(backend: Backend) -> (tempfile::TempDir, TestPlatform, Platform) {
    let (gen_dir, p, platform) = county_run(backend, "23", 20_000).await;
    let store = platform.store();
    let system = Actor::system();
    let alerts = store.alerts(None).await.unwrap();
    for (i, a) in alerts.iter().enumerate() {
        let Some(org) = a.org_id else { continue };
        let conclusion = match i % 7 {
            0 | 3 | 4 | 5 => Conclusion::Confirmed,
            1 => Conclusion::Unfounded,
            2 => Conclusion::PartlyConfirmed,
            _ => continue,
        };
        // An unfounded alert has no outcomes.
        let found = u32::from(conclusion.is_confirmed());
        let fen = (i as i64 * 137) % 50_000 * i64::from(found);
        let form = VerificationForm {
            conclusion: conclusion.label().into(),
            records_corrected: (i % 3) as u32 * found,
            persons_removed: (i % 2) as u32 * found,
            recovered: format!("{}.{:02}", fen / 100, fen % 100),
            stopped_monthly: format!("{}.{:02}", (fen / 7) / 100, (fen / 7) % 100),
            explanation: "核查".into(),
            ..Default::default()
        };
        platform
            .submit_verification(a.id, &[org], form, &system)
            .await
            .unwrap();
        let step = match i % 7 {
            2 => Step::Transfer,
            4 => Step::Return,
            // Left for the commission's review.
            5 => continue,
            _ => Step::Approve,
        };
        let comment = if step == Step::Return {
            "请补充材料"
        } else {
            ""
        };
        platform
            .review_alert(a.id, step, comment, &system)
            .await
            .unwrap();
        if i % 14 == 0 {
            let form = AccountabilityForm {
                kind: if i % 28 == 0 { "约谈" } else { "诫勉" }.into(),
                persons: "张三、李四".into(),
                decided_on: platform.today().to_string(),
                ..Default::default()
            };
            platform
                .record_accountability(a.id, form, platform.today(), &system)
                .await
                .unwrap();
        }
    }
    // Past the first deadlines: routed and returned alerts fall overdue.
    p.clock.advance(Duration::days(20));
    (gen_dir, p, platform)
}

/// Every role's scope, for a department and for a town.
async fn scopes(platform: &Platform, unit: &str, town: &str) -> Vec<(String, Scope)> {
    let tree = platform.org_tree().await.unwrap();
    let department = tree.iter().find(|o| o.name == unit).unwrap();
    let town_org = tree
        .iter()
        .find(|o| o.town == town && o.kind == "town")
        .unwrap_or_else(|| panic!("no town organisation for {town}"));
    let mut out = vec![("whole county".to_string(), Scope::whole_county())];
    for role in platform.roles().await.unwrap() {
        for org in [department, town_org] {
            out.push((
                format!("{} of {}", role.code, org.name),
                platform.scope(&role, org).await.unwrap(),
            ));
        }
    }
    out
}

/// The list as it was computed in memory: every alert in scope passing the filter, by model
/// and then as raised.
fn listed(
    p: &TestPlatform,
    alerts: &[Alert],
    scope: &Scope,
    f: &AlertFilter,
    today: NaiveDate,
) -> Vec<Alert> {
    let is = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    let mut out: Vec<Alert> = alerts
        .iter()
        .filter(|a| scope.sees_alert(a))
        .filter(|a| is(&f.model, &a.model) && is(&f.status, &a.status))
        .filter(|a| is(&f.town, &a.town) && is(&f.village, &a.village))
        .filter(|a| is(&f.responsible, &a.responsible) && is(&f.stage, &a.stage))
        .filter(|a| !f.overdue || overdue(&a.stage, a.deadline.as_deref(), today))
        .filter(|a| {
            f.min_fen
                .is_none_or(|m| a.amount_fen.is_some_and(|x| x >= m))
        })
        .filter(|a| {
            f.max_fen
                .is_none_or(|m| a.amount_fen.is_some_and(|x| x <= m))
        })
        .filter(|a| in_days(p, &a.raised_at, f.from, f.to))
        .filter(|a| {
            f.text
                .as_deref()
                .is_none_or(|t| a.name == t || (scope.full_ids && a.subject == t))
        })
        .cloned()
        .collect();
    match f.order {
        AlertOrder::Model => out.sort_by(|a, b| (&a.model, a.id).cmp(&(&b.model, b.id))),
        AlertOrder::Priority => {
            out.sort_by_key(|a| (std::cmp::Reverse(a.priority_fen.unwrap_or(-1)), a.id))
        }
    }
    out
}

fn overdue(stage: &str, deadline: Option<&str>, today: NaiveDate) -> bool {
    stage
        .parse::<Stage>()
        .is_ok_and(|s| is_overdue(s, deadline, today))
}

fn in_days(
    p: &TestPlatform,
    raised_at: &str,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> bool {
    let d = p.clock.day_of(raised_at);
    from.is_none_or(|from| d.is_some_and(|d| d >= from))
        && to.is_none_or(|to| d.is_some_and(|d| d <= to))
}

/// The statistics as they were folded in memory from each alert's row.
fn folded(
    p: &TestPlatform,
    rows: &[DisposalRow],
    dims: &[StatDimension],
    f: &StatFilter,
    today: NaiveDate,
    scope: &Scope,
) -> (Vec<Vec<(String, LoopFigures)>>, LoopFigures) {
    let mut groups: Vec<BTreeMap<String, LoopFigures>> = vec![BTreeMap::new(); dims.len()];
    let mut total = LoopFigures::default();
    for r in rows {
        if !scope.sees_unit_or_town(&r.responsible, &r.town)
            || !in_days(p, &r.raised_at, f.from, f.to)
            || f.unit.as_ref().is_some_and(|u| *u != r.responsible)
            || f.model.as_ref().is_some_and(|m| *m != r.model)
            || f.town.as_ref().is_some_and(|t| *t != r.town)
        {
            continue;
        }
        for (dim, g) in dims.iter().zip(&mut groups) {
            let key = match dim {
                StatDimension::Model => r.model.clone(),
                StatDimension::Unit => r.responsible.clone(),
                StatDimension::Town => r.town.clone(),
                StatDimension::Month => p
                    .clock
                    .day_of(&r.raised_at)
                    .map(|d| d.format("%Y-%m").to_string())
                    .unwrap_or_default(),
            };
            add(g.entry(key).or_default(), r, today);
        }
        add(&mut total, r, today);
    }
    (
        groups
            .into_iter()
            .map(|g| g.into_iter().collect())
            .collect(),
        total,
    )
}

fn add(f: &mut LoopFigures, r: &DisposalRow, today: NaiveDate) {
    let stage: Stage = r.stage.parse().unwrap_or(Stage::Unrouted);
    let concluded = r
        .conclusion
        .as_deref()
        .and_then(|c| c.parse::<Conclusion>().ok());
    f.raised += 1;
    f.routed += u64::from(r.routed);
    f.verified += u64::from(r.submissions > 0);
    if stage.is_final() {
        f.closed += 1;
        match concluded {
            Some(c) if c.is_confirmed() => f.confirmed += 1,
            Some(_) => f.false_positives += 1,
            None => {}
        }
    }
    f.records_corrected += r.records_corrected;
    f.persons_removed += r.persons_removed;
    f.recovered_fen += r.recovered_fen;
    f.stopped_monthly_fen += r.stopped_monthly_fen;
    f.overdue += u64::from(is_overdue(stage, r.deadline.as_deref(), today));
    f.interviewed += r.interviewed;
    f.accountable += r.accountable;
}
