//! The rules that keep users from bending the platform against each other: who may upload
//! which dataset type (and which programmes' payment rolls), and dual control of the changes
//! that give an account a role or widen a unit's data scope (三员分立 held by the server).

use crate::{Actor, AppError, Platform};
use mingjing_domain::access::{DataScope, Permission, Role};
use mingjing_domain::standard::DatasetType;
use mingjing_domain::upload_rights::{OrgRef, Uploader, default_uploaders, may_upload};
use mingjing_ingest::import::CheckedFile;
use mingjing_store::access::{NewOrg, NewUser, OrgNode, User, UserUpdate};
use mingjing_store::audit::AuditEntry;
use mingjing_store::changes::{AccessChange, Applied, ProposedChange};

/// The field of a payment roll that names its programme; a roll's programmes must be the
/// uploader's own (each programme names its `department`).
const PROGRAMME_FIELD: &str = "program";

/// What a change request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// Nothing in it needs a second administrator: done.
    Applied,
    /// Stored as a proposal for the security administrator.
    Proposed(i64),
}

/// Organisation fields whose change can widen what a unit sees or may do: the name
/// (programmes and alerts are routed by it), the kind (upload rights by kind), the parent
/// (the "own unit and below" scope) and the town (the town scope).
pub fn org_change_needs_approval(before: &OrgNode, after: &NewOrg) -> bool {
    before.name != after.name.trim()
        || before.kind != after.kind
        || before.parent_id != after.parent_id
        || before.town != after.town
}

impl Platform {
    /// Seeds the uploader list of every dataset type that never had one, from the standard's
    /// `owner` and the sources its description names. The number of types seeded.
    pub async fn seed_upload_rights(&self) -> Result<usize, AppError> {
        let orgs = self.meta.org_tree().await?;
        let refs: Vec<OrgRef<'_>> = orgs
            .iter()
            .map(|o| OrgRef {
                id: o.id,
                name: &o.name,
                kind: &o.kind,
            })
            .collect();
        let rights = self.meta.upload_rights().await?;
        let mut seeded = 0;
        for ty in self.meta.dataset_types().await? {
            if rights.get(&ty.name).is_some_and(|r| r.set) {
                continue;
            }
            let list = default_uploaders(&ty.owner, &ty.description, &refs);
            let audit = AuditEntry {
                actor: "system".into(),
                role: "system".into(),
                action: "upload_rights.seed".into(),
                object: format!("type:{}", ty.name),
                result: "ok".into(),
                source: "local".into(),
                detail: uploader_names(&list, &orgs),
                ..Default::default()
            };
            if self
                .meta
                .seed_upload_rights(&ty.name, &list, &audit)
                .await?
            {
                seeded += 1;
            }
        }
        Ok(seeded)
    }

    /// Replaces a type's uploader list (the security administrator's edit; audited).
    pub async fn set_upload_rights(
        &self,
        actor: &Actor,
        dataset_type: &str,
        uploaders: &[String],
    ) -> Result<Vec<Uploader>, AppError> {
        if uploaders.len() > 500 {
            return Err(AppError::Invalid("上传单位不超过 500 个".into()));
        }
        self.dataset_type(dataset_type).await?;
        let mut audit = actor.entry("upload_rights.update", format!("type:{dataset_type}"), "ok");
        let orgs = self.meta.org_tree().await?;
        let mut list: Vec<Uploader> = Vec::new();
        for u in uploaders {
            let u = u.parse::<Uploader>().map_err(AppError::Invalid)?;
            if let Uploader::Org(id) = u
                && !orgs.iter().any(|o| o.id == id)
            {
                return Err(AppError::Invalid(format!("机构 {id} 不存在")));
            }
            if !list.contains(&u) {
                list.push(u);
            }
        }
        list.sort();
        audit.detail = uploader_names(&list, &orgs);
        self.meta
            .set_upload_rights(dataset_type, &list, &audit)
            .await?;
        Ok(list)
    }

    /// Refuses an upload of a type the organisation is not on the list of.
    pub async fn check_upload_right(
        &self,
        ty: &DatasetType,
        org: &OrgNode,
    ) -> Result<(), AppError> {
        let list = self.meta.upload_rights_of(&ty.name).await?;
        let me = OrgRef {
            id: org.id,
            name: &org.name,
            kind: &org.kind,
        };
        if may_upload(&list, me) {
            return Ok(());
        }
        Err(AppError::NotPermitted(format!(
            "{}无权上传“{}”（{}）：该数据由{}报送。如需调整，请联系安全管理员",
            org.name, ty.label, ty.name, ty.owner
        )))
    }

    /// Refuses a payment roll that carries a programme another department runs: checked on
    /// the staged slices (one per programme), before anything is published.
    pub(crate) async fn check_programmes(
        &self,
        ty: &DatasetType,
        org: &OrgNode,
        checked: &CheckedFile,
    ) -> Result<(), AppError> {
        let Some(pos) = ty.partition.iter().position(|p| p == PROGRAMME_FIELD) else {
            return Ok(());
        };
        let programs = self.meta.programs().await?;
        let column = ty
            .field(PROGRAMME_FIELD)
            .map_or(PROGRAMME_FIELD.to_string(), |f| f.label.clone());
        let mut refused = Vec::new();
        for s in &checked.slices {
            let Some(code) = s.partition.split('\u{1f}').nth(pos) else {
                continue;
            };
            match programs.iter().find(|p| p.code == code) {
                Some(p) if p.department == org.name => {}
                Some(p) => refused.push(format!(
                    "{code}（{}，主管部门 {}）{} 行",
                    p.label, p.department, s.rows
                )),
                None => refused.push(format!("{code}（未登记的项目）{} 行", s.rows)),
            }
        }
        if refused.is_empty() {
            return Ok(());
        }
        Err(AppError::NotPermitted(format!(
            "列“{column}”：{}只能上传本单位主管项目的发放明细，本文件含其他单位的项目：{}。未导入任何数据",
            org.name,
            refused.join("；")
        )))
    }

    /// A new account: always a proposal (its role takes effect only when approved). The name
    /// is 3 to 32 letters, digits or `_ . -`; the password meets the policy and is hashed here.
    /// Audited (`user.propose`).
    pub async fn propose_account(
        &self,
        actor: &Actor,
        proposer: &User,
        account: NewAccount,
    ) -> Result<i64, AppError> {
        if !valid_username(&account.username) {
            return Err(AppError::Invalid(
                "用户名为 3 至 32 位字母、数字或 _ . -".into(),
            ));
        }
        let password_hash = self
            .new_account_password(&account.username, account.password)
            .await?;
        let user = NewUser {
            username: account.username,
            display_name: account.display_name,
            org_id: account.org_id,
            role: account.role,
            password_hash,
            must_change: true,
        };
        let mut audit = actor.entry("user.propose", format!("user:{}", user.username), "ok");
        audit.detail = format!("role {} org {}", user.role, user.org_id);
        if self.meta.user_by_name(&user.username).await?.is_some() {
            return Err(AppError::Invalid(format!(
                "用户名“{}”已存在",
                user.username
            )));
        }
        let summary = format!(
            "新建账号 {}（{}）：{}，角色 {}",
            user.username,
            user.display_name,
            self.org_name(user.org_id).await?,
            self.role_name(&user.role).await?
        );
        let change = ProposedChange::CreateUser { user };
        Ok(self
            .meta
            .propose_change(&change, &summary, &proposer.username, &audit)
            .await?)
    }

    /// Changes an account: its name and enabled flag at once, its role or organisation only
    /// through a proposal (the whole request then waits for approval).
    pub async fn change_account(
        &self,
        actor: &Actor,
        proposer: &User,
        id: i64,
        update: UserUpdate,
    ) -> Result<ChangeOutcome, AppError> {
        let mut audit = actor.entry("user.update", format!("user:{id}"), "ok");
        audit.detail = format!(
            "role {} org {} enabled {}",
            update.role, update.org_id, update.enabled
        );
        let user = self
            .meta
            .user(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("账号 {id} 不存在")))?;
        if id == proposer.id
            && (update.role != user.role || update.org_id != user.org_id || !update.enabled)
        {
            return Err(AppError::NotPermitted(
                "不能更改自己的角色、所属机构或停用自己的账号".into(),
            ));
        }
        self.role_name(&update.role).await?;
        self.org_name(update.org_id).await?;
        if update.role == user.role && update.org_id == user.org_id {
            self.meta.update_user(id, &update, &audit).await?;
            return Ok(ChangeOutcome::Applied);
        }
        let summary = format!(
            "变更账号 {}（{}）：{} → {}；角色 {} → {}",
            user.username,
            update.display_name,
            self.org_name(user.org_id).await?,
            self.org_name(update.org_id).await?,
            self.role_name(&user.role).await?,
            self.role_name(&update.role).await?,
        );
        let change = ProposedChange::UpdateUser {
            user_id: id,
            update,
        };
        let cid = self
            .meta
            .propose_change(&change, &summary, &proposer.username, &audit)
            .await?;
        Ok(ChangeOutcome::Proposed(cid))
    }

    /// Changes an organisation: its code and order at once, anything that can widen a data
    /// scope only through a proposal.
    pub async fn change_org(
        &self,
        actor: &Actor,
        proposer: &User,
        id: i64,
        org: NewOrg,
    ) -> Result<ChangeOutcome, AppError> {
        let audit = actor.entry("org.update", format!("org:{id}"), "ok");
        let before = self
            .meta
            .org_node(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("机构 {id} 不存在")))?;
        if org.name.trim().is_empty() {
            return Err(AppError::Invalid("机构名称不能为空".into()));
        }
        if let Some(p) = org.parent_id {
            self.org_name(p).await?;
        }
        if !org_change_needs_approval(&before, &org) {
            self.meta.update_org(id, &org, &audit).await?;
            return Ok(ChangeOutcome::Applied);
        }
        let parent = |p: Option<i64>| async move {
            match p {
                Some(p) => self.org_name(p).await,
                None => Ok("（顶级）".to_string()),
            }
        };
        let summary = format!(
            "变更机构 {}：名称 {} → {}；类别 {} → {}；上级 {} → {}；乡镇 {} → {}",
            id,
            before.name,
            org.name.trim(),
            before.kind,
            org.kind,
            parent(before.parent_id).await?,
            parent(org.parent_id).await?,
            blank(&before.town),
            blank(&org.town),
        );
        let change = ProposedChange::UpdateOrg { org_id: id, org };
        let cid = self
            .meta
            .propose_change(&change, &summary, &proposer.username, &audit)
            .await?;
        Ok(ChangeOutcome::Proposed(cid))
    }

    /// Approves or rejects a proposal. Nobody decides his own proposal or a change to his own
    /// account.
    pub async fn decide_change(
        &self,
        actor: &Actor,
        decider: &User,
        id: i64,
        approve: bool,
        note: &str,
    ) -> Result<(Applied, AccessChange), AppError> {
        let c: AccessChange = self
            .meta
            .access_change(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("变更 {id} 不存在")))?;
        let action = if approve {
            "change.approve"
        } else {
            "change.reject"
        };
        let mut audit = actor.entry(action, format!("change:{id}"), "ok");
        audit.detail = format!("{}; {}", c.target, c.summary);
        if c.proposed_by == decider.username {
            return Err(AppError::NotPermitted("不能审批自己提交的变更".into()));
        }
        let own = match &c.change {
            ProposedChange::CreateUser { user } => user.username == decider.username,
            ProposedChange::UpdateUser { user_id, .. } => *user_id == decider.id,
            ProposedChange::UpdateOrg { .. } => false,
        };
        if own {
            return Err(AppError::NotPermitted("不能审批涉及自己账号的变更".into()));
        }
        if note.chars().count() > 500 {
            return Err(AppError::Invalid("审批意见不超过 500 字".into()));
        }
        let applied = self
            .meta
            .decide_change(id, approve, &decider.username, note.trim(), &audit)
            .await?;
        let decided = self
            .meta
            .access_change(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("变更 {id} 不存在")))?;
        Ok((applied, decided))
    }

    /// Adds an organisation. Audited (`org.create`).
    pub async fn create_org(&self, actor: &Actor, org: &NewOrg) -> Result<i64, AppError> {
        let mut audit = actor.entry("org.create", "org:new", "ok");
        audit.detail = org.name.clone();
        Ok(self.meta.create_org(org, &audit).await?)
    }

    /// Changes a role's name, data scope and permissions (its administrator kind stays: the
    /// separation of the three administrators is not the role editor's to undo). Audited
    /// (`role.update`).
    pub async fn update_role(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
        data_scope: &str,
        permissions: &[String],
    ) -> Result<(), AppError> {
        let existing = self
            .meta
            .roles()
            .await?
            .into_iter()
            .find(|r| r.code == code)
            .ok_or_else(|| AppError::NotFound(format!("角色“{code}”不存在")))?;
        let permissions = permissions
            .iter()
            .map(|p| p.parse::<Permission>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(AppError::Invalid)?;
        let role = Role {
            code: code.into(),
            name: name.into(),
            scope: data_scope.parse::<DataScope>().map_err(AppError::Invalid)?,
            admin: existing.admin,
            permissions,
        };
        role.validate().map_err(AppError::Invalid)?;
        let mut audit = actor.entry("role.update", format!("role:{code}"), "ok");
        audit.detail = format!(
            "scope {} permissions {}",
            role.scope.code(),
            role.permissions
                .iter()
                .map(|p| p.code())
                .collect::<Vec<_>>()
                .join(",")
        );
        self.meta.update_role(&role, &audit).await?;
        Ok(())
    }

    /// Ends a session named by a prefix of its hash (administrators never see tokens).
    /// Audited (`session.end`).
    pub async fn end_session(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        let s = self
            .meta
            .session_by_id(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("会话 {id} 不存在")))?;
        let audit = actor.entry("session.end", format!("user:{}", s.user_id), "ok");
        self.meta
            .end_session(&s.token_hash, "ended by the security administrator", &audit)
            .await?;
        Ok(())
    }

    async fn org_name(&self, id: i64) -> Result<String, AppError> {
        Ok(self
            .meta
            .org_node(id)
            .await?
            .ok_or_else(|| AppError::Invalid(format!("机构 {id} 不存在")))?
            .name)
    }

    async fn role_name(&self, code: &str) -> Result<String, AppError> {
        Ok(self
            .meta
            .roles()
            .await?
            .into_iter()
            .find(|r| r.code == code)
            .ok_or_else(|| AppError::Invalid(format!("角色“{code}”不存在")))?
            .name)
    }
}

/// An account as the system administrator proposes it.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    /// The role's code.
    pub role: String,
    /// The first password (the account changes it at its first sign-in).
    pub password: String,
}

fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
}

fn blank(s: &str) -> &str {
    if s.is_empty() { "（无）" } else { s }
}

/// A list as the audit record and the administrator read it.
pub fn uploader_names(list: &[Uploader], orgs: &[OrgNode]) -> String {
    if list.is_empty() {
        return "（无）".into();
    }
    list.iter()
        .map(|u| match u {
            Uploader::Org(id) => orgs
                .iter()
                .find(|o| o.id == *id)
                .map_or_else(|| format!("机构 {id}"), |o| o.name.clone()),
            Uploader::Kind(k) => mingjing_domain::upload_rights::GRANTABLE_KINDS
                .iter()
                .find(|(c, _)| c == k)
                .map_or_else(|| k.clone(), |(_, l)| (*l).to_string()),
        })
        .collect::<Vec<_>>()
        .join("、")
}
