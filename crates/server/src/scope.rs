//! The caller's data scope (`mingjing_app::scope`), resolved once per request.

use crate::AppState;
use crate::error::ApiResult;
use crate::guard::Caller;
pub use mingjing_app::scope::{Scope, mask_id};

/// What the caller sees (resolved with the session).
pub async fn of(_state: &AppState, c: &Caller) -> ApiResult<Scope> {
    Ok(c.scope.clone())
}

/// The organisations the caller acts for: its own and those below it.
pub async fn units_of(state: &AppState, c: &Caller) -> ApiResult<Vec<i64>> {
    Ok(state.platform.units_of(c.org.id).await?)
}
