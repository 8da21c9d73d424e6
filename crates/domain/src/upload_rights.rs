//! Who may upload which dataset type: each type names the organisations, or kinds of
//! organisation, whose accounts may load it through the server. Seeded from the standard's
//! `owner` (and the sources its description names), edited by the security administrator.
//! Pure rules: the store keeps the lists, the app enforces them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One entry of a type's uploader list.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(into = "String", try_from = "String")]
pub enum Uploader {
    /// One organisation, by id (a rename does not move the right).
    Org(i64),
    /// Every organisation of a kind (`department`, `town_commission`, ...).
    Kind(String),
}

/// Organisation kinds that may be granted as a whole, with their labels.
pub const GRANTABLE_KINDS: &[(&str, &str)] = &[
    ("department", "各县直部门"),
    ("bank", "各金融机构"),
    ("town", "各乡镇"),
    ("town_commission", "各镇纪委"),
    ("stationed_group", "各派驻纪检监察组"),
    ("office", "县纪委监委各室"),
];

impl fmt::Display for Uploader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Uploader::Org(id) => write!(f, "org:{id}"),
            Uploader::Kind(k) => write!(f, "kind:{k}"),
        }
    }
}

impl FromStr for Uploader {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(id) = s.strip_prefix("org:") {
            return id
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(Uploader::Org)
                .ok_or_else(|| format!("上传单位“{s}”无效：org: 后应为机构编号"));
        }
        if let Some(k) = s.strip_prefix("kind:") {
            if GRANTABLE_KINDS.iter().any(|(code, _)| *code == k) {
                return Ok(Uploader::Kind(k.to_string()));
            }
            return Err(format!("上传单位“{s}”无效：未知的机构类别“{k}”"));
        }
        Err(format!("上传单位“{s}”无效：应为 org:<编号> 或 kind:<类别>"))
    }
}

impl From<Uploader> for String {
    fn from(u: Uploader) -> String {
        u.to_string()
    }
}

impl TryFrom<String> for Uploader {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// An organisation as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct OrgRef<'a> {
    pub id: i64,
    pub name: &'a str,
    pub kind: &'a str,
}

/// Whether an organisation is on a type's uploader list.
pub fn may_upload(list: &[Uploader], org: OrgRef<'_>) -> bool {
    list.iter().any(|u| match u {
        Uploader::Org(id) => *id == org.id,
        Uploader::Kind(k) => k == org.kind,
    })
}

/// The list a type starts with, read from the standard: every `/`-separated part of its
/// `owner` that names an organisation, the kinds that its "各…" parts name, and the
/// organisations its description names in parentheses as sources (deaths: "(卫健局)",
/// "(民政局)"). Parts that name nothing known are left out (the security administrator adds
/// them by hand).
pub fn default_uploaders(owner: &str, description: &str, orgs: &[OrgRef<'_>]) -> Vec<Uploader> {
    let mut out: Vec<Uploader> = Vec::new();
    let mut push = |u: Uploader| {
        if !out.contains(&u) {
            out.push(u);
        }
    };
    for part in owner.split('/').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some(o) = orgs.iter().find(|o| o.name == part) {
            push(Uploader::Org(o.id));
        } else if let Some(kind) = kind_named(part) {
            push(Uploader::Kind(kind.to_string()));
        }
    }
    for o in orgs {
        let named = [("(", ")"), ("（", "）")]
            .iter()
            .any(|(l, r)| description.contains(&format!("{l}{}{r}", o.name)));
        if named {
            push(Uploader::Org(o.id));
        }
    }
    out
}

/// The kind of organisation a collective owner names: "各主管部门", "各执法部门" are
/// departments, "各镇纪委" town commissions, "派驻纪检监察组" the stationed groups.
fn kind_named(part: &str) -> Option<&'static str> {
    let p = part.trim_start_matches('各');
    if p.ends_with("部门") {
        Some("department")
    } else if p.ends_with("镇纪委") {
        Some("town_commission")
    } else if p.ends_with("纪检监察组") {
        Some("stationed_group")
    } else if p.ends_with("金融机构") || p.ends_with("银行") {
        Some("bank")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orgs() -> Vec<OrgRef<'static>> {
        vec![
            OrgRef {
                id: 1,
                name: "公安局",
                kind: "department",
            },
            OrgRef {
                id: 2,
                name: "卫健局",
                kind: "department",
            },
            OrgRef {
                id: 3,
                name: "民政局",
                kind: "department",
            },
            OrgRef {
                id: 4,
                name: "县纪委监委信访室",
                kind: "office",
            },
            OrgRef {
                id: 5,
                name: "组织部",
                kind: "department",
            },
            OrgRef {
                id: 6,
                name: "城关镇纪委",
                kind: "town_commission",
            },
        ]
    }

    #[test]
    fn defaults_come_from_the_owner_and_the_sources_named() {
        let o = orgs();
        let deaths = default_uploaders(
            "公安局",
            "Deaths from household-registration cancellations, medical death certificates (卫健局) and cremation records (民政局).",
            &o,
        );
        assert_eq!(
            deaths,
            vec![Uploader::Org(1), Uploader::Org(2), Uploader::Org(3)]
        );
        assert_eq!(
            default_uploaders("县纪委监委信访室", "", &o),
            vec![Uploader::Org(4)]
        );
        assert_eq!(
            default_uploaders("各主管部门", "", &o),
            vec![Uploader::Kind("department".into())]
        );
        assert_eq!(
            default_uploaders("各镇纪委/派驻纪检监察组", "", &o),
            vec![
                Uploader::Kind("town_commission".into()),
                Uploader::Kind("stationed_group".into())
            ]
        );
        // Parts naming nothing known are left out.
        assert_eq!(
            default_uploaders("组织部/人社局/财政局", "", &o),
            vec![Uploader::Org(5)]
        );
    }

    #[test]
    fn membership_is_by_id_or_kind_never_by_name() {
        let list = vec![Uploader::Org(1), Uploader::Kind("town_commission".into())];
        assert!(may_upload(
            &list,
            OrgRef {
                id: 1,
                name: "改名的公安局",
                kind: "department"
            }
        ));
        assert!(!may_upload(
            &list,
            OrgRef {
                id: 3,
                name: "公安局",
                kind: "department"
            }
        ));
        assert!(may_upload(
            &list,
            OrgRef {
                id: 9,
                name: "x",
                kind: "town_commission"
            }
        ));
    }

    #[test]
    fn entries_parse_strictly() {
        assert_eq!("org:12".parse::<Uploader>(), Ok(Uploader::Org(12)));
        assert_eq!(
            "kind:bank".parse::<Uploader>(),
            Ok(Uploader::Kind("bank".into()))
        );
        for bad in ["org:", "org:-1", "org:x", "kind:village", "公安局", ""] {
            assert!(bad.parse::<Uploader>().is_err(), "{bad}");
        }
    }
}
