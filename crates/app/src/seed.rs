//! What a new platform starts with: the built-in roles, the county's organisation tree and,
//! when no account exists, the initial system administrator (who must change the password).
//! The demo adds an account for every role.

use crate::accounts::{hash_password, random_hex};
use crate::{Actor, AppError, Platform};
use mingjing_domain::access::{SecurityPolicy, builtin_roles};
use mingjing_store::SqlStore;
use mingjing_store::access::{NewOrg, NewUser};
use mingjing_store::audit::AuditEntry;
use std::collections::HashMap;

/// The commission itself: the root of the organisation tree.
pub const COMMISSION: &str = crate::actor::SYSTEM_ORG;

/// The commission's offices (办公室 … 案件审理室), by the names alerts and uploads use.
pub const OFFICES: &[&str] = &[
    "县纪委监委办公室",
    "县纪委监委组织部",
    "县纪委监委宣传部",
    "县纪委监委党风政风监督室",
    "县纪委监委信访室",
    "县纪委监委案件监督管理室",
    "县纪委监委第一纪检监察室",
    "县纪委监委第二纪检监察室",
    "县纪委监委案件审理室",
];

/// The 27 county departments that upload data (short names, as the data standard uses them).
pub const DEPARTMENTS: &[&str] = &[
    "民政局",
    "人社局",
    "卫健局",
    "住建局",
    "退役军人事务局",
    "残联",
    "乡村振兴局",
    "公安局",
    "公安局交警大队",
    "自然资源局",
    "市场监管局",
    "税务局",
    "医保局",
    "财政局",
    "教育局",
    "农业农村局",
    "发改局",
    "水利局",
    "交通运输局",
    "应急管理局",
    "审计局",
    "统计局",
    "司法局",
    "林业局",
    "文化和旅游局",
    "组织部",
    "法院",
];

pub const BANKS: &[&str] = &[
    "农业银行陇县支行",
    "工商银行陇县支行",
    "建设银行陇县支行",
    "中国银行陇县支行",
    "邮储银行陇县支行",
    "陇县农村商业银行",
];

fn system(action: &str, object: &str) -> AuditEntry {
    Actor::system().entry(action, object, "ok")
}

/// Installs the built-in roles and the organisation tree. Organisations that already exist
/// (an import may have registered one by name) are moved into place, not duplicated.
async fn seed_orgs(
    store: &SqlStore,
    towns: &[(String, Vec<String>)],
) -> mingjing_store::meta::Result<()> {
    store.install_roles(&builtin_roles()).await?;
    let mut known: HashMap<String, i64> = store
        .org_tree()
        .await?
        .into_iter()
        .map(|o| (o.name, o.id))
        .collect();
    let mut order = 0;
    let mut put = async |name: &str,
                         kind: &str,
                         parent: Option<i64>,
                         code: &str,
                         town: &str,
                         known: &mut HashMap<String, i64>|
           -> mingjing_store::meta::Result<i64> {
        order += 1;
        let org = NewOrg {
            name: name.into(),
            kind: kind.into(),
            parent_id: parent,
            code: code.into(),
            town: town.into(),
            sort_order: order,
        };
        match known.get(name) {
            Some(&id) => {
                store
                    .update_org(id, &org, &system("org.update", &format!("org:{id}")))
                    .await?;
                Ok(id)
            }
            None => {
                let id = store.create_org(&org, &system("org.create", name)).await?;
                known.insert(name.into(), id);
                Ok(id)
            }
        }
    };
    let root = put(COMMISSION, "commission", None, "", "", &mut known).await?;
    for o in OFFICES {
        let code = o.trim_start_matches(COMMISSION);
        put(o, "office", Some(root), code, "", &mut known).await?;
    }
    for n in ["一", "二", "三", "四", "五", "六", "七", "八"] {
        let name = format!("县纪委监委第{n}派驻纪检监察组");
        put(&name, "stationed_group", Some(root), "", "", &mut known).await?;
    }
    for (town, _) in towns {
        put(
            &format!("{town}纪委"),
            "town_commission",
            Some(root),
            "",
            town,
            &mut known,
        )
        .await?;
    }
    let depts = put("县直部门", "group", None, "", "", &mut known).await?;
    for d in DEPARTMENTS {
        put(d, "department", Some(depts), d, "", &mut known).await?;
    }
    let banks = put("金融机构", "group", None, "", "", &mut known).await?;
    for b in BANKS {
        put(b, "bank", Some(banks), "", "", &mut known).await?;
    }
    let towns_root = put("乡镇", "group", None, "", "", &mut known).await?;
    for (town, villages) in towns {
        let t = put(town, "town", Some(towns_root), "", town, &mut known).await?;
        for v in villages {
            put(
                &format!("{town}{v}"),
                "village",
                Some(t),
                v,
                town,
                &mut known,
            )
            .await?;
        }
    }
    Ok(())
}

/// Creates the initial system administrator when there is no account at all. Returns the
/// one-time password to print (it must be changed at first sign-in).
async fn ensure_initial_admin(
    store: &SqlStore,
) -> mingjing_store::meta::Result<Option<(String, String)>> {
    if !store.users().await?.is_empty() {
        return Ok(None);
    }
    let org = store
        .org_tree()
        .await?
        .into_iter()
        .find(|o| o.name == "县纪委监委办公室" || o.kind == "commission")
        .ok_or_else(|| mingjing_store::StoreError::Invalid("no commission organisation".into()))?;
    let password = format!("Mj-{}-{}", &random_hex(6), &random_hex(6).to_uppercase());
    let hash = hash_password(password.clone()).await;
    store
        .create_user(
            &NewUser {
                username: "sysadmin".into(),
                display_name: "系统管理员".into(),
                org_id: org.id,
                role: "system_admin".into(),
                password_hash: hash,
                must_change: true,
            },
            &system("user.create", "user:sysadmin"),
        )
        .await?;
    Ok(Some(("sysadmin".into(), password)))
}

/// A demo account of each role.
pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: &'static str,
    pub org: String,
}

pub fn demo_accounts(first_town: &str) -> Vec<DemoAccount> {
    let a = |username, display_name, role, org: &str| DemoAccount {
        username,
        display_name,
        role,
        org: org.to_string(),
    };
    vec![
        a("leader", "王书记", "commission_leader", COMMISSION),
        a(
            "analyst",
            "李分析",
            "commission_analyst",
            "县纪委监委党风政风监督室",
        ),
        // A second analyst: integrity opinions need a reviewer who is not the drafter.
        a(
            "analyst2",
            "陈审核",
            "commission_analyst",
            "县纪委监委案件审理室",
        ),
        a("mz_clerk", "赵数据", "dept_clerk", "民政局"),
        a("mz_verifier", "钱核查", "dept_verifier", "民政局"),
        a("rs_verifier", "孙核查", "dept_verifier", "人社局"),
        a(
            "town",
            "周纪委",
            "town_commission",
            &format!("{first_town}纪委"),
        ),
        a("sysadmin", "吴系统", "system_admin", "县纪委监委办公室"),
        a("secadmin", "郑安全", "security_admin", "县纪委监委办公室"),
        a("auditadmin", "冯审计", "audit_admin", "县纪委监委办公室"),
    ]
}

/// Creates the demo accounts (all with `password`); each account whose role needs a second
/// factor (administrators, roles that read full IDs) gets a TOTP secret, which is returned to
/// be printed. Accounts that exist are left alone.
async fn seed_demo_accounts(
    store: &SqlStore,
    first_town: &str,
    password: &str,
) -> mingjing_store::meta::Result<Vec<(String, String, Option<String>)>> {
    let orgs = store.org_tree().await?;
    let hash = hash_password(password.to_string()).await;
    let roles = store.roles().await?;
    let mut out = Vec::new();
    for a in demo_accounts(first_town) {
        let org = orgs.iter().find(|o| o.name == a.org).ok_or_else(|| {
            mingjing_store::StoreError::Invalid(format!("no organisation {}", a.org))
        })?;
        let existing = store.user_by_name(a.username).await?;
        let id = match existing {
            Some(u) => u.id,
            None => {
                store
                    .create_user(
                        &NewUser {
                            username: a.username.into(),
                            display_name: a.display_name.into(),
                            org_id: org.id,
                            role: a.role.into(),
                            password_hash: hash.clone(),
                            must_change: false,
                        },
                        &system("user.create", &format!("user:{}", a.username)),
                    )
                    .await?
            }
        };
        let needs_second_factor = roles
            .iter()
            .any(|r| r.code == a.role && r.needs_second_factor(&SecurityPolicy::default()));
        let mut secret = None;
        if needs_second_factor {
            let user = store.user(id).await?.expect("just created");
            secret = Some(match user.totp_secret {
                Some(s) => s,
                None => {
                    let s = crate::accounts::new_totp_secret();
                    store
                        .set_totp_secret(
                            id,
                            Some(&s),
                            &system("auth.totp_enrol", &format!("user:{id}")),
                        )
                        .await?;
                    s
                }
            });
        }
        out.push((a.username.to_string(), a.role.to_string(), secret));
    }
    Ok(out)
}

impl Platform {
    /// Before serving: a platform whose tree was seeded gets the built-in roles as this
    /// version defines them; one never seeded gets the roles and a bare tree.
    pub async fn prepare_roles_and_tree(&self) -> Result<(), AppError> {
        let seeded = self
            .meta
            .org_tree()
            .await?
            .iter()
            .any(|o| o.kind == "commission");
        if seeded {
            self.meta
                .install_roles(&mingjing_domain::access::builtin_roles())
                .await?;
            Ok(())
        } else {
            self.seed_orgs(&[]).await
        }
    }

    /// Installs the built-in roles and the organisation tree (`towns`: each town's villages).
    /// Organisations that already exist (an import may have registered one by name) are moved
    /// into place, not duplicated.
    pub async fn seed_orgs(&self, towns: &[(String, Vec<String>)]) -> Result<(), AppError> {
        Ok(seed_orgs(&self.meta, towns).await?)
    }

    /// Creates the initial system administrator when there is no account at all. Returns the
    /// user name and the one-time password to print (it must be changed at first sign-in).
    pub async fn ensure_initial_admin(&self) -> Result<Option<(String, String)>, AppError> {
        Ok(ensure_initial_admin(&self.meta).await?)
    }

    /// Creates the demo accounts, all with `password`: (user name, role, TOTP secret of an
    /// account whose role needs a second factor).
    pub async fn seed_demo_accounts(
        &self,
        first_town: &str,
        password: &str,
    ) -> Result<Vec<(String, String, Option<String>)>, AppError> {
        Ok(seed_demo_accounts(&self.meta, first_town, password).await?)
    }
}
