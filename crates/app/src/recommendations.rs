//! Supervision recommendations (纪检监察建议书): the commission issues one to a department,
//! which replies; and the days each model gives units to verify its alerts. Every change is
//! audited here, in its transaction.

use crate::scope::Scope;
use crate::{Actor, AppError, Platform};
use chrono::NaiveDate;
use mingjing_domain::access::Permission;
use mingjing_store::StoreError;
use mingjing_store::disposal::{NewNotification, Recommendation};

/// A recommendation as the commission writes it.
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct RecommendationForm {
    /// The document number (文号).
    pub number: String,
    /// The department it goes to.
    pub org_id: i64,
    pub title: String,
    pub content: String,
    /// The day the reply is due (YYYY-MM-DD).
    pub reply_due: String,
    /// The alerts it rests on.
    #[serde(default)]
    pub alert_ids: Vec<i64>,
}

/// A recommendation with its department's name and whether the caller may reply.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct RecommendationView {
    #[serde(flatten)]
    pub recommendation: Recommendation,
    pub org: Option<String>,
    pub may_reply: bool,
}

fn invalid(m: impl Into<String>) -> AppError {
    AppError::Invalid(m.into())
}

impl Platform {
    /// The recommendations a caller sees: all for a reviewer, else those to `units`; each says
    /// whether the caller may reply (to its units, not yet replied, holding the permission).
    pub async fn recommendations_for(
        &self,
        units: &[i64],
        reviewer: bool,
        may_verify: bool,
    ) -> Result<Vec<RecommendationView>, AppError> {
        let tree = self.meta.org_tree().await?;
        Ok(self
            .meta
            .recommendations()
            .await?
            .into_iter()
            .filter(|r| reviewer || units.contains(&r.org_id))
            .map(|r| RecommendationView {
                org: tree
                    .iter()
                    .find(|o| o.id == r.org_id)
                    .map(|o| o.name.clone()),
                may_reply: r.reply.is_none() && units.contains(&r.org_id) && may_verify,
                recommendation: r,
            })
            .collect())
    }

    /// Issues a recommendation: number, title and content given, due no earlier than today,
    /// to an existing organisation, citing only alerts `scope` sees. The department is
    /// notified. Audited (`recommendation.issue`).
    pub async fn issue_recommendation(
        &self,
        actor: &Actor,
        scope: &Scope,
        form: &RecommendationForm,
        today: NaiveDate,
    ) -> Result<i64, AppError> {
        for (v, what) in [
            (&form.number, "文号"),
            (&form.title, "标题"),
            (&form.content, "建议内容"),
        ] {
            if v.trim().is_empty() {
                return Err(invalid(format!("{what}不能为空")));
            }
        }
        let due = match form.reply_due.trim() {
            "" => return Err(invalid("回复期限不能为空")),
            d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| invalid(format!("回复期限：“{d}”不是 YYYY-MM-DD 格式的日期")))?,
        };
        if due < today {
            return Err(invalid("回复期限不能早于今天"));
        }
        let org = self
            .meta
            .org_node(form.org_id)
            .await?
            .ok_or_else(|| invalid("收文单位不存在"))?;
        for a in &form.alert_ids {
            match self.meta.alert(*a).await? {
                Some(x) if scope.sees_alert(&x) => {}
                _ => return Err(invalid(format!("预警 {a} 不存在"))),
            }
        }
        let r = Recommendation {
            id: 0,
            number: form.number.trim().into(),
            org_id: org.id,
            title: form.title.trim().into(),
            content: form.content.trim().into(),
            reply_due: due.to_string(),
            issued_by: String::new(),
            issued_at: String::new(),
            reply: None,
            replied_by: None,
            replied_at: None,
            alert_ids: form.alert_ids.clone(),
        };
        let mut e = actor.entry("recommendation.issue", format!("org:{}", org.id), "ok");
        e.detail = r.number.clone();
        let notice = NewNotification {
            org_id: Some(org.id),
            permission: Permission::AlertsVerify.code().into(),
            kind: "recommendation.issued".into(),
            object: String::new(),
            message: format!(
                "收到纪检监察建议书 {}《{}》，请于 {} 前回复",
                r.number, r.title, r.reply_due
            ),
            dedup: None,
        };
        Ok(self.meta.issue_recommendation(&r, &e, &notice).await?)
    }

    /// A department's reply to a recommendation sent to one of `units` (others' look absent).
    /// Audited (`recommendation.reply`).
    pub async fn reply_recommendation(
        &self,
        actor: &Actor,
        units: &[i64],
        id: i64,
        reply: &str,
    ) -> Result<(), AppError> {
        let r = self
            .meta
            .recommendations()
            .await?
            .into_iter()
            .find(|r| r.id == id && units.contains(&r.org_id))
            .ok_or_else(|| StoreError::NotFound(format!("recommendation {id}")))?;
        if reply.trim().is_empty() {
            return Err(invalid("回复内容不能为空"));
        }
        let e = actor.entry(
            "recommendation.reply",
            format!("recommendation:{}", r.id),
            "ok",
        );
        self.meta.reply_recommendation(id, reply.trim(), &e).await?;
        Ok(())
    }

    /// The days each model gives units to verify, with the model's name.
    pub async fn deadlines(&self) -> Result<Vec<(String, Option<String>, i64)>, AppError> {
        let names = self.model_names().await?;
        Ok(self
            .meta
            .deadline_days()
            .await?
            .into_iter()
            .map(|(id, d)| (id.clone(), names.get(&id).cloned(), d))
            .collect())
    }

    /// Changes the days a model gives units to verify (1 to 365). Audited (`model.deadline`).
    pub async fn set_deadline(
        &self,
        actor: &Actor,
        model: &str,
        days: i64,
    ) -> Result<(), AppError> {
        let mut e = actor.entry("model.deadline", format!("model:{model}"), "ok");
        e.detail = format!("{days} days");
        self.meta.set_deadline_days(model, days, &e).await?;
        Ok(())
    }
}
