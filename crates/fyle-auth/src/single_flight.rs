//! [`SingleFlight`]: one spawned task per flight, whose result every waiter shares.

use std::future::Future;
use std::sync::{Mutex, PoisonError};

use tokio::sync::watch;

/// Why a waiter got no result from a flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlightError {
    /// The shared task ended without a result (it panicked, or the runtime is shutting down).
    #[error("the shared task ended without a result")]
    Aborted,
}

/// Runs at most one task at a time and hands its result to every caller that waited for it.
///
/// The work runs in a task of its own (`tokio::spawn`), not inside a caller's future. So a
/// caller that is cancelled (a `timeout`, a `select!`, a dropped stream) only stops waiting:
/// the work finishes, and its side effects (a rotated refresh token saved, a cache filled)
/// happen anyway. A caller arriving while a flight runs joins it; one arriving after it
/// finished starts the next one. The work bounds itself (each step with its own deadline):
/// this type never cancels it.
///
/// Used by the token provider and by the cluster resolver.
pub struct SingleFlight<T> {
    current: Mutex<Option<watch::Receiver<Option<T>>>>,
}

impl<T> Default for SingleFlight<T> {
    fn default() -> Self {
        Self {
            current: Mutex::new(None),
        }
    }
}

impl<T> std::fmt::Debug for SingleFlight<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SingleFlight").finish_non_exhaustive()
    }
}

impl<T: Clone + Send + Sync + 'static> SingleFlight<T> {
    /// No flight yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Joins the running flight, or starts one with `start()` in a spawned task, and waits for
    /// its result. `start` is called only when a new flight begins.
    ///
    /// Needs a Tokio runtime.
    pub async fn run<F, Fut>(&self, start: F) -> Result<T, FlightError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        let mut receiver = {
            let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
            match current.as_ref() {
                // Running: no result yet and the task still holds its sender.
                Some(running) if running.borrow().is_none() && running.has_changed().is_ok() => {
                    running.clone()
                }
                _ => {
                    let (sender, receiver) = watch::channel(None);
                    let work = start();
                    tokio::spawn(async move {
                        let outcome = work.await;
                        // A receiver is kept in `current`, so the send always lands.
                        let _ = sender.send(Some(outcome));
                    });
                    *current = Some(receiver.clone());
                    receiver
                }
            }
        };
        let outcome = receiver
            .wait_for(Option::is_some)
            .await
            .map_err(|_| FlightError::Aborted)?;
        outcome.as_ref().cloned().ok_or(FlightError::Aborted)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waiters_share_one_run_and_a_cancelled_waiter_does_not_stop_it() {
        let flight = Arc::new(SingleFlight::<usize>::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let start = |runs: Arc<AtomicUsize>, finished: Arc<AtomicUsize>| {
            move || async move {
                let n = runs.fetch_add(1, Ordering::SeqCst) + 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                finished.fetch_add(1, Ordering::SeqCst);
                n
            }
        };
        // The first caller gives up mid-flight; the work still completes.
        let cancelled = tokio::time::timeout(
            Duration::from_millis(10),
            flight.run(start(runs.clone(), finished.clone())),
        )
        .await;
        assert!(cancelled.is_err());
        // A caller arriving while it runs joins it.
        let joined = flight
            .run(start(runs.clone(), finished.clone()))
            .await
            .expect("result");
        assert_eq!((joined, runs.load(Ordering::SeqCst)), (1, 1));
        assert_eq!(finished.load(Ordering::SeqCst), 1);
        // After it finished, the next caller starts a new flight.
        let next = flight
            .run(start(runs.clone(), finished.clone()))
            .await
            .expect("result");
        assert_eq!(next, 2);
    }

    #[tokio::test]
    async fn a_panicking_flight_is_reported_and_the_next_one_runs() {
        let flight = SingleFlight::<u8>::new();
        let error = flight
            .run(|| async { panic!("boom") })
            .await
            .expect_err("aborted");
        assert_eq!(error, FlightError::Aborted);
        assert_eq!(flight.run(|| async { 7 }).await, Ok(7));
    }
}
