//! Per-account limits on concurrent heavy work: exports, dry runs, prechecks, uploads and the
//! other routes of [`HEAVY_ROUTES`]. One account cannot tie up the machine by starting many at
//! once; a request beyond its share is answered 429 with `Retry-After` before any work starts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Heavy requests one account may have in progress at once.
pub const PER_ACCOUNT: usize = 2;
/// Seconds a refused caller is told to wait.
pub const RETRY_AFTER_SECONDS: u64 = 5;

/// The routes (method, path template) whose work is heavy: each reads a whole file, a whole
/// dataset or the alert table, or runs the engine.
pub const HEAVY_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/alerts/export"),
    ("get", "/api/stats/loop/export"),
    ("post", "/api/models/dry-run"),
    ("post", "/api/models/runs"),
    ("post", "/api/uploads"),
    ("post", "/api/uploads/precheck"),
    ("post", "/api/opinions/persons-file"),
    ("post", "/api/opinions/check"),
    ("post", "/api/opinions"),
    ("get", "/api/opinions/{id}/document"),
    ("get", "/api/dataset-types/{name}/template"),
    ("get", "/api/uploads/rejections/{id}"),
];

pub fn is_heavy(method: &str, path: &str) -> bool {
    HEAVY_ROUTES
        .iter()
        .any(|(m, p)| m.eq_ignore_ascii_case(method) && *p == path)
}

/// Heavy requests in progress, by account.
#[derive(Default, Clone)]
pub struct HeavyWork(Arc<Mutex<HashMap<i64, usize>>>);

/// One heavy request in progress; its account's share is given back when it is dropped.
pub struct Permit {
    work: HeavyWork,
    user_id: i64,
}

impl HeavyWork {
    /// A permit for one more heavy request of `user_id`, or `None` if the account already has
    /// [`PER_ACCOUNT`] in progress.
    pub fn try_start(&self, user_id: i64) -> Option<Permit> {
        let mut m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let n = m.entry(user_id).or_default();
        if *n >= PER_ACCOUNT {
            return None;
        }
        *n += 1;
        Some(Permit {
            work: self.clone(),
            user_id,
        })
    }

    /// Heavy requests of `user_id` in progress.
    pub fn in_progress(&self, user_id: i64) -> usize {
        let m = self.0.lock().unwrap_or_else(|p| p.into_inner());
        m.get(&user_id).copied().unwrap_or(0)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut m = self.work.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = m.get_mut(&self.user_id) {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_gets_its_share_and_no_more_and_gets_it_back() {
        let w = HeavyWork::default();
        let a = w.try_start(1).expect("first");
        let b = w.try_start(1).expect("second");
        assert!(w.try_start(1).is_none(), "a third at once is refused");
        // Another account is not affected.
        let other = w.try_start(2).expect("another account");
        drop(a);
        let c = w.try_start(1).expect("a share given back");
        assert_eq!(w.in_progress(1), 2);
        drop((b, c, other));
        assert_eq!(w.in_progress(1), 0);
        assert!(
            w.0.lock().unwrap().is_empty(),
            "nothing is kept for idle accounts"
        );
    }

    #[test]
    fn every_heavy_route_exists() {
        for (m, p) in HEAVY_ROUTES {
            assert!(
                crate::routes::ROUTES
                    .iter()
                    .any(|r| r.method == *m && r.path == *p),
                "{m} {p} is not a route"
            );
        }
    }
}
