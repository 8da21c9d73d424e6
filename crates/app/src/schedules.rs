//! Upload schedules (报送计划): when each organisation's data of a type is due, who has
//! delivered, who is late, and the reminders that go with it.
//!
//! A schedule names a day of the month D. A monthly type's data of month m is due by day D of
//! month m+1; a snapshot type must be refreshed every month by day D (an upload after the
//! previous month's day D counts).

use crate::{AppError, Platform};
use chrono::{Datelike, NaiveDate};
use mingjing_domain::Month;
use mingjing_domain::access::Permission;
use mingjing_store::disposal::NewNotification;

/// Where one schedule stands today.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct ScheduleStatus {
    pub dataset_type: String,
    pub org_id: i64,
    pub due_day: i64,
    /// This month's due date.
    pub due_date: NaiveDate,
    /// The month whose data is due (`YYYY-MM`), or empty for a snapshot type.
    pub period: String,
    /// When the data that satisfies it was uploaded, if it was.
    pub delivered_at: Option<String>,
    /// Days past the due date without delivery (0 when delivered or not yet due).
    pub days_late: i64,
}

fn due_in(month: Month, day: i64) -> NaiveDate {
    month
        .first_day()
        .with_day(u32::try_from(day.clamp(1, 28)).expect("1..=28"))
        .expect("days 1..=28 exist in every month")
}

impl Platform {
    pub async fn schedule_status(&self, today: NaiveDate) -> Result<Vec<ScheduleStatus>, AppError> {
        let schedules = self.meta.schedules().await?;
        let uploads = self.meta.uploads(None).await?;
        let types = self.meta.dataset_types().await?;
        let this_month = Month::of(today);
        let mut out = Vec::new();
        for s in schedules {
            let monthly = types
                .iter()
                .find(|t| t.name == s.dataset_type)
                .is_some_and(|t| t.period);
            let due_date = due_in(this_month, s.due_day);
            let previous_due = due_in(this_month.plus(-1), s.due_day);
            let period = this_month.plus(-1);
            let delivered = uploads
                .iter()
                .filter(|u| u.dataset_type == s.dataset_type && u.org_id == s.org_id)
                .filter(|u| {
                    if monthly {
                        u.period == Some(period)
                    } else {
                        self.clock()
                            .day_of(&u.uploaded_at)
                            .is_some_and(|d| d > previous_due)
                    }
                })
                .map(|u| u.uploaded_at.clone())
                .min();
            let days_late = if delivered.is_none() && today > due_date {
                (today - due_date).num_days()
            } else {
                0
            };
            out.push(ScheduleStatus {
                dataset_type: s.dataset_type,
                org_id: s.org_id,
                due_day: s.due_day,
                due_date,
                period: if monthly {
                    period.to_string()
                } else {
                    String::new()
                },
                delivered_at: delivered,
                days_late,
            });
        }
        Ok(out)
    }

    /// Reminds the uploading units of data due within three days, and of data now late, once
    /// each. Returns how many reminders were considered.
    pub async fn sweep_schedules(&self, today: NaiveDate) -> Result<usize, AppError> {
        let types = self.meta.dataset_types().await?;
        let label = |name: &str| {
            types
                .iter()
                .find(|t| t.name == name)
                .map_or(name.to_string(), |t| t.label.clone())
        };
        let mut notices = Vec::new();
        for s in self.schedule_status(today).await? {
            if s.delivered_at.is_some() {
                continue;
            }
            let what = if s.period.is_empty() {
                label(&s.dataset_type)
            } else {
                format!("{} {}月数据", label(&s.dataset_type), s.period)
            };
            let left = (s.due_date - today).num_days();
            let (kind, message) = if s.days_late > 0 {
                (
                    "late",
                    format!(
                        "{what}应于 {} 前报送，已逾期 {} 天",
                        s.due_date, s.days_late
                    ),
                )
            } else if (0..=3).contains(&left) {
                ("soon", format!("{what}须于 {} 前报送", s.due_date))
            } else {
                continue;
            };
            notices.push(NewNotification {
                org_id: Some(s.org_id),
                permission: Permission::DataUpload.code().into(),
                kind: format!("upload.{kind}"),
                object: "data/upload".into(),
                message,
                dedup: Some(format!(
                    "upload:{}:{}:{}:{kind}",
                    s.dataset_type, s.org_id, s.due_date
                )),
            });
        }
        let n = notices.len();
        self.meta.notify(&notices).await?;
        Ok(n)
    }
}
