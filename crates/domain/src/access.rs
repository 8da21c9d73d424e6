//! Who may do what: function permissions, data scopes, the built-in roles (with the three
//! separated administrators, 三员分立) and the password policy. Pure rules: the server
//! enforces them, the store keeps them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! permissions {
    ($($variant:ident => $code:literal, $label:literal, $group:ident;)*) => {
        /// A function permission: one or more API routes and the menu entries that lead to them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(into = "String", try_from = "String")]
        pub enum Permission { $($variant),* }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];
            pub fn code(self) -> &'static str { match self { $(Permission::$variant => $code),* } }
            pub fn label(self) -> &'static str { match self { $(Permission::$variant => $label),* } }
            /// Business permissions, or the one administrator kind that may hold it.
            pub fn group(self) -> PermissionGroup { match self { $(Permission::$variant => PermissionGroup::$group),* } }
        }
    };
}

permissions! {
    DataRead => "data.read", "查看上传记录与数据", Business;
    DataUpload => "data.upload", "上传数据", Business;
    TypesManage => "types.manage", "定义数据类型", Business;
    AlertsRead => "alerts.read", "查看预警", Business;
    AlertsVerify => "alerts.verify", "核查预警", Business;
    AlertsReview => "alerts.review", "审核预警", Business;
    ModelsRead => "models.read", "查看模型库", Business;
    ModelsManage => "models.manage", "管理模型", Business;
    ModelsRun => "models.run", "运行模型", Business;
    PersonLookup => "person.lookup", "一键查询人员", Business;
    DisciplineRead => "discipline.read", "查看信访与处分记录", Business;
    IdFull => "id.full", "查看完整身份证号", Business;
    Export => "export", "导出", Business;
    OpinionsDraft => "opinions.draft", "起草廉政意见", Business;
    OpinionsReview => "opinions.review", "审核廉政意见", Business;
    OpinionsApprove => "opinions.approve", "签发廉政意见", Business;
    DocumentsSend => "documents.send", "发送文件、发布通知", Business;
    DocumentsReceive => "documents.receive", "签收、回复文件", Business;
    UsersManage => "users.manage", "管理账号", System;
    OrgsManage => "orgs.manage", "管理组织机构", System;
    RolesManage => "roles.manage", "管理角色与权限", Security;
    PolicyManage => "policy.manage", "管理安全策略", Security;
    SessionsManage => "sessions.manage", "管理在线会话", Security;
    AuditRead => "audit.read", "查看审计日志", Audit;
}

/// Which kind of role may hold a permission: business roles hold business permissions, each
/// administrator only its own (and no administrator reads business data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PermissionGroup {
    Business,
    System,
    Security,
    Audit,
}

impl From<Permission> for String {
    fn from(p: Permission) -> String {
        p.code().to_string()
    }
}

impl TryFrom<String> for Permission {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl FromStr for Permission {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Permission::ALL
            .iter()
            .copied()
            .find(|p| p.code() == s)
            .ok_or_else(|| format!("unknown permission '{s}'"))
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Which rows a role sees (in the manner of RuoYi's data permissions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataScope {
    /// Everything (the commission).
    All,
    /// The account's own organisation.
    Org,
    /// The account's organisation and those below it in the tree.
    OrgTree,
    /// The account's town (a town commission).
    Town,
    /// No business data at all (the administrators).
    None,
}

impl DataScope {
    pub fn code(self) -> &'static str {
        match self {
            DataScope::All => "all",
            DataScope::Org => "org",
            DataScope::OrgTree => "org_tree",
            DataScope::Town => "town",
            DataScope::None => "none",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DataScope::All => "全部数据",
            DataScope::Org => "本单位数据",
            DataScope::OrgTree => "本单位及下级数据",
            DataScope::Town => "本乡镇数据",
            DataScope::None => "无业务数据",
        }
    }
}

impl FromStr for DataScope {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [
            DataScope::All,
            DataScope::Org,
            DataScope::OrgTree,
            DataScope::Town,
            DataScope::None,
        ]
        .into_iter()
        .find(|d| d.code() == s)
        .ok_or_else(|| format!("unknown data scope '{s}'"))
    }
}

/// The administrator a role is, if any (三员).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AdminKind {
    System,
    Security,
    Audit,
}

impl AdminKind {
    pub fn code(self) -> &'static str {
        match self {
            AdminKind::System => "system",
            AdminKind::Security => "security",
            AdminKind::Audit => "audit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "system" => Some(AdminKind::System),
            "security" => Some(AdminKind::Security),
            "audit" => Some(AdminKind::Audit),
            _ => None,
        }
    }

    fn group(self) -> PermissionGroup {
        match self {
            AdminKind::System => PermissionGroup::System,
            AdminKind::Security => PermissionGroup::Security,
            AdminKind::Audit => PermissionGroup::Audit,
        }
    }
}

/// A role: its permissions and data scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Role {
    pub code: String,
    pub name: String,
    pub scope: DataScope,
    pub admin: Option<AdminKind>,
    pub permissions: Vec<Permission>,
}

impl Role {
    /// Checks that the role keeps the separation: an administrator holds only its own
    /// administrative permissions and sees no business data; a business role holds no
    /// administrative permission.
    pub fn validate(&self) -> Result<(), String> {
        let group = self
            .admin
            .map_or(PermissionGroup::Business, AdminKind::group);
        for p in &self.permissions {
            if p.group() != group {
                return Err(format!(
                    "role {}: permission {} ({}) does not belong to {}",
                    self.code,
                    p.code(),
                    p.label(),
                    match self.admin {
                        None => "a business role".to_string(),
                        Some(a) => format!("the {} administrator", a.code()),
                    }
                ));
            }
        }
        if self.admin.is_some() && self.scope != DataScope::None {
            return Err(format!(
                "role {}: administrators see no business data (data scope must be none)",
                self.code
            ));
        }
        if self.name.trim().is_empty() {
            return Err(format!("role {}: a name is required", self.code));
        }
        Ok(())
    }

    /// Whether an account of this role must sign in with a second factor: always for an
    /// administrator and for a role that reads full ID numbers (MLPS level 3 asks two methods,
    /// one cryptographic, of such accounts), for every role when the policy says so.
    pub fn needs_second_factor(&self, policy: &SecurityPolicy) -> bool {
        policy.second_factor_for_all || self.admin.is_some() || self.has(Permission::IdFull)
    }

    pub fn has(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }
}

/// The built-in roles.
pub fn builtin_roles() -> Vec<Role> {
    use Permission::*;
    let role = |code: &str, name: &str, scope, admin, permissions: &[Permission]| Role {
        code: code.into(),
        name: name.into(),
        scope,
        admin,
        permissions: permissions.to_vec(),
    };
    vec![
        role(
            "commission_leader",
            "纪委监委领导",
            DataScope::All,
            None,
            &[
                DataRead,
                AlertsRead,
                ModelsRead,
                PersonLookup,
                DisciplineRead,
                IdFull,
                Export,
                OpinionsApprove,
                DocumentsSend,
                DocumentsReceive,
            ],
        ),
        role(
            "commission_analyst",
            "纪委监委分析员",
            DataScope::All,
            None,
            &[
                DataRead,
                DataUpload,
                TypesManage,
                AlertsRead,
                AlertsReview,
                ModelsRead,
                ModelsManage,
                ModelsRun,
                PersonLookup,
                DisciplineRead,
                IdFull,
                Export,
                OpinionsDraft,
                OpinionsReview,
                DocumentsSend,
                DocumentsReceive,
            ],
        ),
        role(
            "dept_clerk",
            "部门数据员",
            DataScope::Org,
            None,
            &[DataRead, DataUpload, DocumentsReceive],
        ),
        role(
            "dept_verifier",
            "部门核查员",
            DataScope::Org,
            None,
            &[DataRead, AlertsRead, AlertsVerify, Export, DocumentsReceive],
        ),
        role(
            "town_commission",
            "乡镇纪委",
            DataScope::Town,
            None,
            &[
                DataRead,
                AlertsRead,
                ModelsRead,
                PersonLookup,
                DocumentsReceive,
            ],
        ),
        role(
            "system_admin",
            "系统管理员",
            DataScope::None,
            Some(AdminKind::System),
            &[UsersManage, OrgsManage],
        ),
        role(
            "security_admin",
            "安全管理员",
            DataScope::None,
            Some(AdminKind::Security),
            &[RolesManage, PolicyManage, SessionsManage],
        ),
        role(
            "audit_admin",
            "审计管理员",
            DataScope::None,
            Some(AdminKind::Audit),
            &[AuditRead],
        ),
    ]
}

/// The security administrator's policy. Bounds keep it from being set below MLPS level 3.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityPolicy {
    pub min_length: u32,
    /// Of lower case, upper case, digits and other characters, how many must appear.
    pub min_classes: u32,
    /// Earlier passwords that may not be reused.
    pub history: u32,
    pub max_age_days: u32,
    pub lockout_threshold: u32,
    pub lockout_minutes: u32,
    pub idle_timeout_minutes: u32,
    pub absolute_timeout_hours: u32,
    pub audit_retention_days: u32,
    /// A second factor (TOTP) for every account, not only for those whose role reads full ID
    /// numbers or administers (which always need one).
    #[serde(default)]
    pub second_factor_for_all: bool,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy {
            min_length: 10,
            min_classes: 3,
            history: 5,
            max_age_days: 90,
            lockout_threshold: 5,
            lockout_minutes: 15,
            idle_timeout_minutes: 30,
            absolute_timeout_hours: 8,
            audit_retention_days: 180,
            second_factor_for_all: false,
        }
    }
}

/// Passwords longer than this are refused (64 characters are accepted, as required).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Frequently used passwords, refused whatever the policy (compared case-insensitively).
const COMMON_PASSWORDS: &[&str] = &[
    "123456",
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "111111",
    "000000",
    "88888888",
    "66666666",
    "11111111",
    "123123",
    "123123123",
    "654321",
    "987654321",
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "p@ssw0rd123",
    "admin",
    "admin123",
    "admin@123",
    "admin123456",
    "administrator",
    "root",
    "root123",
    "qwerty",
    "qwerty123",
    "qwertyuiop",
    "1qaz2wsx",
    "1qaz@wsx",
    "1qaz2wsx3edc",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "q1w2e3r4",
    "zaq12wsx",
    "abc123",
    "abc123456",
    "abcd1234",
    "a123456",
    "a12345678",
    "aa123456",
    "qq123456",
    "woaini",
    "woaini1314",
    "5201314",
    "iloveyou",
    "welcome",
    "welcome1",
    "letmein",
    "monkey",
    "dragon",
    "sunshine",
    "test123",
    "test@123",
    "changeme",
    "default",
    "system",
    "manager",
    "huawei@123",
    "admin@2024",
    "admin@2025",
    "admin@2026",
    "abc@123",
    "abc@1234",
    "abcd@1234",
    "qwe123",
    "qwe@123",
    "qwe123!@#",
    "asd123",
    "zxc123",
    "asdfghjkl",
    "zxcvbnm",
    "password@123",
    "password!",
    "welcome@123",
    "a1b2c3d4",
    "aa123456789",
];

impl SecurityPolicy {
    /// Checks the policy's own values against the floor MLPS level 3 requires.
    pub fn validate(&self) -> Result<(), String> {
        let rules: [(bool, &str); 9] = [
            (self.min_length >= 8, "min_length: at least 8"),
            (self.min_length <= 64, "min_length: at most 64"),
            ((2..=4).contains(&self.min_classes), "min_classes: 2 to 4"),
            (self.history <= 24, "history: at most 24"),
            (
                (1..=180).contains(&self.max_age_days),
                "max_age_days: 1 to 180",
            ),
            (
                (3..=10).contains(&self.lockout_threshold),
                "lockout_threshold: 3 to 10",
            ),
            (
                (5..=1440).contains(&self.lockout_minutes),
                "lockout_minutes: 5 to 1440",
            ),
            (
                (5..=120).contains(&self.idle_timeout_minutes)
                    && (1..=24).contains(&self.absolute_timeout_hours),
                "idle_timeout_minutes: 5 to 120; absolute_timeout_hours: 1 to 24",
            ),
            (
                self.audit_retention_days >= 180,
                "audit_retention_days: at least 180",
            ),
        ];
        match rules.iter().find(|(ok, _)| !ok) {
            Some((_, msg)) => Err(msg.to_string()),
            None => Ok(()),
        }
    }

    /// Checks a new password (history is the caller's: it holds the hashes).
    pub fn check_password(&self, password: &str, username: &str) -> Result<(), PasswordError> {
        let n = password.chars().count();
        if n < self.min_length as usize {
            return Err(PasswordError::TooShort(self.min_length));
        }
        if n > MAX_PASSWORD_CHARS {
            return Err(PasswordError::TooLong(MAX_PASSWORD_CHARS));
        }
        let classes = [
            password.chars().any(|c| c.is_lowercase()),
            password.chars().any(|c| c.is_uppercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_alphanumeric()),
        ]
        .iter()
        .filter(|x| **x)
        .count() as u32;
        if classes < self.min_classes {
            return Err(PasswordError::TooSimple(self.min_classes));
        }
        let lower = password.to_lowercase();
        if !username.is_empty() && lower.contains(&username.to_lowercase()) {
            return Err(PasswordError::ContainsUsername);
        }
        if COMMON_PASSWORDS.contains(&lower.as_str()) {
            return Err(PasswordError::Common);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码长度至少 {0} 位")]
    TooShort(u32),
    #[error("密码长度不能超过 {0} 位")]
    TooLong(usize),
    #[error("密码须包含大写字母、小写字母、数字、特殊字符中的至少 {0} 类")]
    TooSimple(u32),
    #[error("密码不能包含用户名")]
    ContainsUsername,
    #[error("密码过于常见，请换一个")]
    Common,
    #[error("不能与最近使用过的密码相同")]
    Reused,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_roles_keep_the_three_administrators_apart() {
        let roles = builtin_roles();
        for r in &roles {
            r.validate().unwrap();
        }
        let admins: Vec<_> = roles.iter().filter(|r| r.admin.is_some()).collect();
        assert_eq!(admins.len(), 3);
        for a in admins {
            assert!(
                a.permissions
                    .iter()
                    .all(|p| p.group() != PermissionGroup::Business)
            );
        }
        let mut bad = roles
            .iter()
            .find(|r| r.code == "audit_admin")
            .unwrap()
            .clone();
        bad.permissions.push(Permission::AlertsRead);
        assert!(bad.validate().is_err());
        let mut bad = roles
            .iter()
            .find(|r| r.code == "commission_leader")
            .unwrap()
            .clone();
        bad.permissions.push(Permission::UsersManage);
        assert!(bad.validate().is_err());
    }

    #[test]
    fn password_policy() {
        let p = SecurityPolicy::default();
        let cases: &[(&str, Result<(), PasswordError>)] = &[
            ("Ab1!", Err(PasswordError::TooShort(10))),
            ("abcdefghijkl", Err(PasswordError::TooSimple(3))),
            ("abcdefgh12", Err(PasswordError::TooSimple(3))),
            ("Abcdefgh12", Ok(())),
            ("xiaoWang-2026x", Err(PasswordError::ContainsUsername)),
            ("Password@123", Err(PasswordError::Common)),
            ("清风明月-Jian9dan", Ok(())),
        ];
        for (pw, want) in cases {
            assert_eq!(&p.check_password(pw, "xiaowang"), want, "{pw}");
        }
        let sixty_four: String = "Aa1!".repeat(16);
        assert_eq!(sixty_four.chars().count(), 64);
        assert_eq!(p.check_password(&sixty_four, "u"), Ok(()));
        assert_eq!(
            p.check_password(&"Aa1!".repeat(33), "u"),
            Err(PasswordError::TooLong(128))
        );
    }

    #[test]
    fn policy_cannot_go_below_the_floor() {
        assert!(SecurityPolicy::default().validate().is_ok());
        for bad in [
            SecurityPolicy {
                min_length: 6,
                ..Default::default()
            },
            SecurityPolicy {
                audit_retention_days: 90,
                ..Default::default()
            },
            SecurityPolicy {
                lockout_threshold: 50,
                ..Default::default()
            },
        ] {
            assert!(bad.validate().is_err());
        }
    }
}
