//! How a model's hit joins what the loop already holds for its key (model, subject,
//! programme): one open alert per key gathers new evidence; a key whose alerts are all closed
//! is raised again only when a row that fires is new, since the closed alert already judged
//! the rows that merely support it. Pure: the store reads the key's history, asks here, and
//! writes what this decides.

/// An alert recorded under the key, in the order raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recorded<A> {
    pub alert: A,
    pub open: bool,
}

/// What to do with a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Merge<A> {
    /// Nothing it cites is new, or only supporting rows are new to a closed key.
    Unchanged,
    /// The key's open alert gathers the new rows.
    Extend(A),
    /// A new alert, after the key's last one (if any), with the new rows.
    Raise { previous: Option<A> },
}

/// The merge of a hit whose cited rows not yet recorded under the key are `new_rows`
/// (`true` for a row that fires), into the key's alerts `recorded` (oldest first).
pub fn merge<A: Copy>(recorded: &[Recorded<A>], new_rows: &[bool]) -> Merge<A> {
    if new_rows.is_empty() {
        return Merge::Unchanged;
    }
    if let Some(open) = recorded.iter().find(|r| r.open) {
        return Merge::Extend(open.alert);
    }
    if !recorded.is_empty() && !new_rows.iter().any(|fires| *fires) {
        return Merge::Unchanged;
    }
    Merge::Raise {
        previous: recorded.last().map(|r| r.alert),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(a: i64) -> Recorded<i64> {
        Recorded {
            alert: a,
            open: false,
        }
    }

    #[test]
    fn a_first_hit_raises_an_alert() {
        assert_eq!(merge::<i64>(&[], &[true]), Merge::Raise { previous: None });
        // A new key is raised even when its rows only support: the model fired on them.
        assert_eq!(merge::<i64>(&[], &[false]), Merge::Raise { previous: None });
    }

    #[test]
    fn nothing_new_changes_nothing() {
        assert_eq!(merge(&[closed(1)], &[]), Merge::Unchanged);
        let open = Recorded {
            alert: 2,
            open: true,
        };
        assert_eq!(merge(&[closed(1), open], &[]), Merge::Unchanged);
    }

    #[test]
    fn the_open_alert_gathers_new_rows() {
        let open = Recorded {
            alert: 2,
            open: true,
        };
        assert_eq!(merge(&[closed(1), open], &[false]), Merge::Extend(2));
    }

    #[test]
    fn a_closed_key_is_raised_again_only_by_a_new_firing_row() {
        assert_eq!(merge(&[closed(1)], &[false, false]), Merge::Unchanged);
        assert_eq!(
            merge(&[closed(1), closed(5)], &[false, true]),
            Merge::Raise { previous: Some(5) }
        );
    }
}
