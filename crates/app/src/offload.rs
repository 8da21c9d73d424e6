//! Heavy work off the request path: the engine's queries (model runs, dry runs, prechecks,
//! profiles) run on a runtime of their own whose threads run at a lower priority than the
//! server's, so that a model run never holds a thread a request needs and, on a machine of
//! few cores, the requests' threads win the processor when both want it (issue 23).

use crate::AppError;
use mingjing_engine::BoundModel;
use mingjing_engine::compile::ParamValue;
use mingjing_engine::session::{DatasetFiles, RunLimits};
use mingjing_engine::spec::ModelSpec;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::OnceLock;

/// The engine's runtime, started at its first use and kept for the life of the process (a
/// runtime may not be dropped from async code). `None` if it could not be started: the work
/// then runs where it is awaited, as it did before.
static ENGINE: OnceLock<Option<tokio::runtime::Runtime>> = OnceLock::new();

/// The niceness of the engine's threads (0 is the server's; 19 the lowest).
const ENGINE_NICENESS: i32 = 10;

fn engine_runtime() -> Option<&'static tokio::runtime::Runtime> {
    ENGINE
        .get_or_init(|| {
            let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(threads)
                .thread_name("engine")
                .on_thread_start(lower_priority)
                .enable_all()
                .build()
                .ok()
        })
        .as_ref()
}

/// Lowers the calling thread's scheduling priority (on Linux, niceness is per thread).
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads no memory of ours; `who = 0` names the calling thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, ENGINE_NICENESS);
    }
}

/// Runs `work` on the engine's runtime and waits for it there; a panic in it is an error, not
/// a crash of the request's task.
pub(crate) async fn on_engine<F>(work: F) -> Result<F::Output, AppError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match engine_runtime() {
        Some(rt) => {
            // Dropping the wait (a request gone, a time limit reached) stops the work, as it
            // would have stopped where it was awaited.
            let mut task = AbortOnDrop(rt.spawn(work));
            (&mut task.0)
                .await
                .map_err(|e| std::io::Error::other(format!("the engine's work failed: {e}")).into())
        }
        None => Ok(work.await),
    }
}

struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Models run by the engine on its runtime: each model's specification and bound
/// parameters, owned, since the work outlives no borrow of the caller's.
pub(crate) async fn run_models(
    datasets: Vec<DatasetFiles>,
    programs: Vec<mingjing_domain::Program>,
    limits: RunLimits,
    models: &[BoundModel<'_>],
) -> Result<(Vec<mingjing_engine::Hit>, mingjing_engine::Timings), AppError> {
    let owned: Vec<(ModelSpec, BTreeMap<String, ParamValue>)> = models
        .iter()
        .map(|m| (m.spec.clone(), m.params.clone()))
        .collect();
    on_engine(async move {
        let bound: Vec<BoundModel> = owned
            .iter()
            .map(|(spec, params)| BoundModel {
                spec,
                params: params.clone(),
            })
            .collect();
        mingjing_engine::run_timed(&datasets, &programs, &limits, &bound).await
    })
    .await?
    .map_err(AppError::from)
}

/// Whether the calling code runs on the engine's runtime (tests).
pub fn on_engine_thread() -> bool {
    std::thread::current()
        .name()
        .is_some_and(|n| n.starts_with("engine"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[tokio::test(flavor = "current_thread")]
    async fn engine_work_runs_on_the_engine_s_threads() {
        assert!(!on_engine_thread());
        assert!(on_engine(async { on_engine_thread() }).await.unwrap());
    }

    /// On a runtime of one thread (a loaded server's, in the small), work that holds its
    /// thread for seconds used to hold every request behind it.
    #[tokio::test(flavor = "current_thread")]
    async fn a_request_is_answered_while_engine_work_holds_its_thread() {
        let run = tokio::spawn(on_engine(async {
            std::thread::sleep(Duration::from_secs(3));
        }));
        let start = Instant::now();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let answered = start.elapsed();
        assert!(!run.is_finished());
        assert!(answered < Duration::from_millis(1500), "{answered:?}");
        run.await.unwrap().unwrap();
    }

    #[tokio::test(flavor = "current_thread")]
    async fn dropping_the_wait_stops_the_work() {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let wait = on_engine(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            let _ = tx.send(());
        });
        assert!(
            tokio::time::timeout(Duration::from_millis(50), wait)
                .await
                .is_err()
        );
        // The task was aborted: its sender is dropped unsent.
        assert!(rx.await.is_err());
    }
}
