//! Sign-in throttling: a sliding window of unsuccessful attempts per source address and per
//! account name, checked before any password is. An attempt counts from the moment it is
//! admitted (so a parallel burst is counted as it arrives) and is forgotten when it succeeds,
//! so a legitimate user signing in is never throttled by their own sign-ins.

use chrono::{DateTime, Duration, Utc};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// Unsuccessful attempts one source address may make per window, whatever the accounts.
pub const PER_SOURCE: usize = 30;
/// Unsuccessful attempts on one account name per window, whatever the sources.
pub const PER_ACCOUNT: usize = 10;
/// The window.
pub const WINDOW_SECONDS: i64 = 60;
/// Keys kept before the idle ones are swept (an attacker spraying names costs memory only
/// within this bound plus what one window holds).
const SWEEP_AT: usize = 10_000;

#[derive(Default)]
struct Windows {
    by_source: HashMap<String, VecDeque<DateTime<Utc>>>,
    by_account: HashMap<String, VecDeque<DateTime<Utc>>>,
}

#[derive(Default)]
pub struct SignInThrottle(Mutex<Windows>);

fn trim(q: &mut VecDeque<DateTime<Utc>>, now: DateTime<Utc>) {
    while q
        .front()
        .is_some_and(|t| now - *t >= Duration::seconds(WINDOW_SECONDS))
    {
        q.pop_front();
    }
}

/// Seconds until the oldest attempt of a full window leaves it.
fn wait(q: &VecDeque<DateTime<Utc>>, now: DateTime<Utc>) -> u64 {
    q.front()
        .map(|t| {
            (Duration::seconds(WINDOW_SECONDS) - (now - *t))
                .num_seconds()
                .max(1)
        })
        .map_or(1, |s| s as u64)
}

impl SignInThrottle {
    /// Admits an attempt, or says how many seconds to wait.
    pub fn admit(&self, source: &str, account: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let w = &mut *guard;
        let account = account.to_lowercase();
        for map in [&mut w.by_source, &mut w.by_account] {
            if map.len() > SWEEP_AT {
                map.retain(|_, q| {
                    trim(q, now);
                    !q.is_empty()
                });
            }
        }
        let s = w.by_source.entry(source.to_string()).or_default();
        trim(s, now);
        if s.len() >= PER_SOURCE {
            return Err(wait(s, now));
        }
        let a = w.by_account.entry(account.clone()).or_default();
        trim(a, now);
        if a.len() >= PER_ACCOUNT {
            return Err(wait(a, now));
        }
        a.push_back(now);
        w.by_source
            .entry(source.to_string())
            .or_default()
            .push_back(now);
        Ok(())
    }

    /// Forgets an admitted attempt that succeeded.
    pub fn succeeded(&self, source: &str, account: &str, admitted: DateTime<Utc>) {
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let w = &mut *guard;
        let account = account.to_lowercase();
        for (map, key) in [
            (&mut w.by_source, source),
            (&mut w.by_account, account.as_str()),
        ] {
            if let Some(q) = map.get_mut(key)
                && let Some(i) = q.iter().position(|t| *t == admitted)
            {
                q.remove(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsuccessful_attempts_are_throttled_per_account_and_per_source() {
        let t = SignInThrottle::default();
        let t0 = DateTime::parse_from_rfc3339("2026-12-01T01:00:00Z")
            .unwrap()
            .to_utc();
        for i in 0..PER_ACCOUNT {
            assert!(
                t.admit("10.0.0.1", "alice", t0 + Duration::seconds(i as i64))
                    .is_ok()
            );
        }
        let wait = t
            .admit("10.0.0.2", "Alice", t0 + Duration::seconds(20))
            .unwrap_err();
        assert_eq!(wait, 40, "until the first attempt leaves the window");
        // Another account from the same source is still admitted, up to the source's limit.
        for i in PER_ACCOUNT..PER_SOURCE {
            assert!(
                t.admit("10.0.0.1", &format!("u{i}"), t0 + Duration::seconds(30))
                    .is_ok()
            );
        }
        assert!(
            t.admit("10.0.0.1", "bob", t0 + Duration::seconds(30))
                .is_err()
        );
        // A legitimate user elsewhere signs in; successes are forgotten.
        for _ in 0..3 * PER_ACCOUNT {
            let at = t0 + Duration::seconds(31);
            assert!(t.admit("10.0.0.9", "carol", at).is_ok());
            t.succeeded("10.0.0.9", "carol", at);
        }
        // A minute later the window has moved on.
        assert!(
            t.admit("10.0.0.1", "alice", t0 + Duration::seconds(91))
                .is_ok()
        );
    }
}
