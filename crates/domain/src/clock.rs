//! The platform's one clock: the only place that reads the machine's time.
//!
//! Every "now" and "today" of the store, the application services, the server and the CLI
//! comes from a [`Clock`] the platform is built with: [`Clock::system`] in production, a clock
//! started at a chosen instant in tests ([`Clock::starting_at`]), which then runs forward with
//! real elapsed time (so timestamps still increase) and can be moved ([`Clock::advance`],
//! [`Clock::set`]). Pure domain code keeps taking dates as arguments; a tidy test fails when
//! the machine's time is read anywhere else.
//!
//! A clock also carries the civil time zone its days are counted in ("today", the day an
//! upload landed, the daily run's hour): the machine's local offset for the system clock, China
//! Standard Time (UTC+8, no daylight saving) for a clock set by a test or `MINGJING_CLOCK`.

use chrono::{
    DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, Offset, SecondsFormat, Utc,
};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The environment variable that starts a process's clock at a given instant (tests that run
/// the binary, and the CI runs at fixed days): RFC 3339 (`2027-02-28T09:00:00+08:00`) or a
/// day (`2027-02-28`, taken as 09:00 China Standard Time).
pub const CLOCK_ENV: &str = "MINGJING_CLOCK";

/// China Standard Time.
pub fn china_standard_time() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

#[derive(Debug)]
enum Source {
    /// The machine's wall clock.
    System,
    /// `origin` at `started`, running forward with the monotonic clock.
    Started {
        origin: Mutex<(DateTime<Utc>, Instant)>,
    },
}

#[derive(Debug)]
struct Inner {
    source: Source,
    /// Microseconds added to the source (`advance`).
    shift_us: AtomicI64,
    zone: FixedOffset,
}

/// The time the platform reads. Cheap to clone; clones share one time (moving one moves all).
#[derive(Debug, Clone)]
pub struct Clock(Arc<Inner>);

impl Clock {
    /// The machine's clock, its days counted in the machine's local time zone.
    pub fn system() -> Clock {
        let zone = chrono::Local::now().offset().fix();
        Clock(Arc::new(Inner {
            source: Source::System,
            shift_us: AtomicI64::new(0),
            zone,
        }))
    }

    /// A clock that reads `at` now and runs forward from it, its days counted in `at`'s zone.
    pub fn starting_at(at: DateTime<FixedOffset>) -> Clock {
        Clock(Arc::new(Inner {
            source: Source::Started {
                origin: Mutex::new((at.with_timezone(&Utc), Instant::now())),
            },
            shift_us: AtomicI64::new(0),
            zone: *at.offset(),
        }))
    }

    /// A clock started at 09:00 China Standard Time on `day`.
    pub fn starting_on(day: NaiveDate) -> Clock {
        let at = day.and_hms_opt(9, 0, 0).expect("09:00 exists");
        Clock::starting_at(
            at.and_local_timezone(china_standard_time())
                .single()
                .expect("a fixed offset has one local time"),
        )
    }

    /// The clock `MINGJING_CLOCK` asks for, else the system clock. `Err` names a value that is
    /// neither an RFC 3339 time nor a day.
    pub fn from_env() -> Result<Clock, String> {
        match std::env::var(CLOCK_ENV) {
            Ok(v) if !v.trim().is_empty() => Clock::parse(v.trim()),
            _ => Ok(Clock::system()),
        }
    }

    /// A started clock from `2027-02-28T09:00:00+08:00` or `2027-02-28`.
    pub fn parse(text: &str) -> Result<Clock, String> {
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Clock::starting_at(at));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .map(Clock::starting_on)
            .map_err(|_| {
                format!("{CLOCK_ENV}={text}: expected an RFC 3339 time or a day (YYYY-MM-DD)")
            })
    }

    /// Whether this is the machine's own clock (not one set by a test or `MINGJING_CLOCK`).
    pub fn is_system(&self) -> bool {
        matches!(self.0.source, Source::System)
    }

    /// Now, in UTC.
    pub fn now(&self) -> DateTime<Utc> {
        let base = match &self.0.source {
            Source::System => Utc::now(),
            Source::Started { origin } => {
                let (at, started) = *origin.lock().unwrap_or_else(|p| p.into_inner());
                at + Duration::from_std(started.elapsed()).unwrap_or(Duration::zero())
            }
        };
        base + Duration::microseconds(self.0.shift_us.load(Ordering::Relaxed))
    }

    /// Now, in this clock's civil time zone.
    pub fn now_local(&self) -> DateTime<FixedOffset> {
        self.now().with_timezone(&self.0.zone)
    }

    /// Today, in this clock's civil time zone.
    pub fn today(&self) -> NaiveDate {
        self.now_local().date_naive()
    }

    /// The civil time zone this clock counts days in.
    pub fn zone(&self) -> FixedOffset {
        self.0.zone
    }

    /// Now as the platform stores it: RFC 3339 in UTC with milliseconds.
    pub fn now_text(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Now as a `SystemTime` (file ages).
    pub fn system_time(&self) -> std::time::SystemTime {
        std::time::SystemTime::from(self.now())
    }

    /// The civil day an RFC 3339 timestamp falls on.
    pub fn day_of(&self, timestamp: &str) -> Option<NaiveDate> {
        DateTime::parse_from_rfc3339(timestamp)
            .ok()
            .map(|t| t.with_timezone(&self.0.zone).date_naive())
    }

    /// A civil time of this clock's zone as an instant.
    pub fn instant_of(&self, local: NaiveDateTime) -> DateTime<Utc> {
        (local - Duration::seconds(i64::from(self.0.zone.local_minus_utc()))).and_utc()
    }

    /// Moves this clock (and every clone of it) by `d`.
    pub fn advance(&self, d: Duration) {
        self.0
            .shift_us
            .fetch_add(d.num_microseconds().unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    /// Sets a started clock to read `at` now (a system clock is moved by the difference).
    pub fn set(&self, at: DateTime<Utc>) {
        match &self.0.source {
            Source::System => self.advance(at - self.now()),
            Source::Started { origin } => {
                *origin.lock().unwrap_or_else(|p| p.into_inner()) = (at, Instant::now());
                self.0.shift_us.store(0, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_clock_reads_its_day_in_china_standard_time() {
        let c = Clock::starting_on(NaiveDate::from_ymd_opt(2027, 2, 28).unwrap());
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2027, 2, 28).unwrap());
        // 09:00 CST is 01:00 UTC.
        assert_eq!(c.now().date_naive(), c.today());
        c.advance(Duration::hours(15));
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        assert_eq!(
            c.day_of("2027-02-28T17:00:00Z"),
            NaiveDate::from_ymd_opt(2027, 3, 1)
        );
    }

    #[test]
    fn a_started_clock_runs_forward_and_clones_share_it() {
        let c = Clock::parse("2028-02-29T23:59:59+08:00").unwrap();
        let d = c.clone();
        let a = c.now();
        d.advance(Duration::seconds(2));
        assert!(c.now() >= a + Duration::seconds(2));
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2028, 3, 1).unwrap());
        c.set(
            DateTime::parse_from_rfc3339("2026-12-31T00:00:00Z")
                .unwrap()
                .to_utc(),
        );
        assert_eq!(d.today(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    }

    #[test]
    fn a_bad_clock_setting_is_named() {
        let e = Clock::parse("tomorrow").unwrap_err();
        assert!(e.contains("MINGJING_CLOCK=tomorrow"), "{e}");
    }

    #[test]
    fn civil_times_convert_to_instants_in_the_clock_s_zone() {
        let c = Clock::starting_on(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let local = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap();
        assert_eq!(
            c.instant_of(local).to_rfc3339(),
            "2026-11-30T18:00:00+00:00"
        );
    }
}
