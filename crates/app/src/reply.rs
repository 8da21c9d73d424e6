//! The reply letter of an integrity-opinion request (廉政意见回复函): the deployment's template
//! filled from the request, its persons and who signed it, rendered as DOCX or PDF.

use crate::{AppError, Platform};
use mingjing_domain::reply::{ReplyTemplate, fill};
use mingjing_render::{Reply, ReplyRow};
use mingjing_store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyFormat {
    Docx,
    Pdf,
}

impl ReplyFormat {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "docx" => Some(ReplyFormat::Docx),
            "pdf" => Some(ReplyFormat::Pdf),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ReplyFormat::Docx => "docx",
            ReplyFormat::Pdf => "pdf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ReplyFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            ReplyFormat::Pdf => "application/pdf",
        }
    }
}

/// A rendered reply, named for download.
#[derive(Debug, Clone)]
pub struct ReplyFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
}

const TEMPLATE_KEY: &str = "reply_template";

/// "2026-01-05" as official documents print it: "2026年1月5日".
fn chinese_date(iso: &str) -> String {
    match chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d") {
        Ok(d) => format!("{}", d.format("%Y年%-m月%-d日")),
        Err(_) => iso.to_string(),
    }
}

impl Platform {
    /// The reply template (a setting deployments edit), or the built-in one.
    pub async fn reply_template(&self) -> Result<ReplyTemplate, AppError> {
        match self.meta.setting(TEMPLATE_KEY).await? {
            None => Ok(ReplyTemplate::default()),
            Some(s) => serde_json::from_str(&s)
                .map_err(|e| AppError::Store(StoreError::Corrupt(format!("{TEMPLATE_KEY}: {e}")))),
        }
    }

    /// Checks and saves the reply template with its audit record; replies rendered later use it.
    pub async fn set_reply_template(
        &self,
        actor: &crate::Actor,
        t: &ReplyTemplate,
    ) -> Result<(), AppError> {
        t.check()
            .map_err(|e| AppError::Store(StoreError::Invalid(e.to_string())))?;
        let text = serde_json::to_string(t).map_err(|e| AppError::Invalid(e.to_string()))?;
        let audit = actor.entry("opinion.reply_template", "setting:reply_template", "ok");
        self.meta
            .set_setting_audited(TEMPLATE_KEY, &text, &audit)
            .await?;
        Ok(())
    }

    /// The request's reply, as it stands: an approved request gives the final letter; any
    /// earlier stage gives the same letter marked as an unsigned draft on every page.
    /// Audited (`opinion.document`) with the format.
    pub async fn reply_document(
        &self,
        actor: &crate::Actor,
        id: i64,
        format: ReplyFormat,
    ) -> Result<ReplyFile, AppError> {
        let file = self.reply_file(id, format).await?;
        let mut e = actor.entry("opinion.document", format!("opinion_request:{id}"), "ok");
        e.detail = format.extension().to_string();
        self.meta.audit(&e).await?;
        Ok(file)
    }

    async fn reply_file(&self, id: i64, format: ReplyFormat) -> Result<ReplyFile, AppError> {
        let (req, persons) = self
            .meta
            .opinion_request(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("opinion request {id}")))?;
        let template = self.reply_template().await?;
        let commission = self
            .meta
            .org_tree()
            .await?
            .into_iter()
            .find(|o| o.kind == "commission")
            .map(|o| o.name)
            .unwrap_or_default();
        let users = self.meta.users().await?;
        let person = |username: &str| {
            users
                .iter()
                .find(|u| u.username == username)
                .map_or_else(|| username.to_string(), |u| u.display_name.clone())
        };
        let count = persons.len().to_string();
        let first_name = persons.first().map(|p| p.name.clone()).unwrap_or_default();
        let reply_date = chinese_date(&req.reply_date);
        let values = [
            ("requesting_org", req.requesting_org.as_str()),
            ("purpose", req.purpose.as_str()),
            ("reference", req.reference.as_str()),
            ("count", count.as_str()),
            ("first_name", first_name.as_str()),
            ("reply_date", reply_date.as_str()),
            ("commission", commission.as_str()),
        ];
        let mut signoff = vec![(
            "起草".to_string(),
            format!(
                "{} {}",
                person(&req.drafted_by),
                req.drafted_at.get(..10).unwrap_or("")
            ),
        )];
        for (role, who, at) in [
            ("审核", &req.reviewed_by, &req.reviewed_at),
            ("签发", &req.approved_by, &req.approved_at),
        ] {
            if let Some(who) = who {
                let at = at.as_deref().unwrap_or("");
                signoff.push((
                    role.to_string(),
                    format!("{} {}", person(who), at.get(..10).unwrap_or("")),
                ));
            }
        }
        let rows = persons
            .iter()
            .map(|p| {
                let findings: Vec<String> =
                    serde_json::from_str::<Vec<serde_json::Value>>(&p.findings)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|f| f["text"].as_str().map(str::to_string))
                        .collect();
                ReplyRow {
                    seq: p.seq as u32,
                    name: p.name.clone(),
                    post: [p.org.as_str(), p.position.as_str()]
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(" "),
                    findings,
                    opinion: p.opinion.clone(),
                }
            })
            .collect();
        let reply = Reply {
            title: fill(&template.title, &values),
            reference: format!("（{}）", req.reference),
            addressee: fill(&template.addressee, &values),
            opening: fill(&template.opening, &values),
            rows,
            closing: fill(&template.closing, &values),
            issuer: fill(&template.issuer, &values),
            date: reply_date.clone(),
            signoff,
            draft_mark: (req.stage != "approved").then(|| {
                format!(
                    "草稿（{}，未签发）",
                    crate::opinions::stage_label(&req.stage)
                )
            }),
            title_font: template.title_font.clone(),
            body_font: template.body_font.clone(),
        };
        // Layout and font subsetting take CPU: off the async runtime.
        let bytes = tokio::task::spawn_blocking(move || match format {
            ReplyFormat::Docx => mingjing_render::docx(&reply),
            ReplyFormat::Pdf => mingjing_render::pdf(&reply),
        })
        .await
        .map_err(|e| mingjing_render::RenderError::Pdf(format!("render task: {e}")))??;
        Ok(ReplyFile {
            file_name: format!("{}_廉政意见回复.{}", req.reference, format.extension()),
            bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_print_without_leading_zeros() {
        assert_eq!(super::chinese_date("2026-01-05"), "2026年1月5日");
        assert_eq!(
            super::chinese_date("2026-11-26T08:00:00Z"),
            "2026年11月26日"
        );
    }
}
