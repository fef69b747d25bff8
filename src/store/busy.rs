//! Waiting for a busy store. Many processes share one store: SQLite's busy
//! handler waits up to [`BUSY_TIMEOUT`] for a lock, and [`retry_busy`]
//! re-runs a whole unit of work while SQLite still reports busy, for up to
//! [`RETRY_BUDGET`], so callers never see "database is locked".
//!
//! An invocation may set a deadline instead ([`BusyDeadline`], from the
//! engine's `InvokeOptions::busy_deadline`), so that a server can answer 503
//! with `Retry-After` rather than hold a request for minutes. While a
//! deadline is set on a thread, the connections that thread checks out wait
//! for a lock only until it passes, and [`retry_busy`] gives up at it with
//! the usual `StoreBusy` error. Without one, nothing changes.

use super::{store_error, Db};
use crate::error::{ErrorCode, Result};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// How long one SQLite call waits for a lock before reporting busy.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How long [`retry_busy`] keeps re-running a unit of work that stays busy.
const RETRY_BUDGET: Duration = Duration::from_secs(300);

thread_local! {
    /// The deadline of the invocation running on this thread, if it set one.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Sets the busy deadline of the current thread until dropped (the previous
/// one, normally none, comes back).
pub(crate) struct BusyDeadline {
    previous: Option<Instant>,
}

impl BusyDeadline {
    /// Work on this thread that waits for a busy store gives up at `deadline`
    /// (None: at the store's own budget).
    pub(crate) fn enter(deadline: Option<Instant>) -> BusyDeadline {
        BusyDeadline { previous: DEADLINE.with(|d| d.replace(deadline)) }
    }
}

impl Drop for BusyDeadline {
    fn drop(&mut self) {
        DEADLINE.with(|d| d.set(self.previous));
    }
}

fn deadline() -> Option<Instant> {
    DEADLINE.with(Cell::get)
}

fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// Re-runs `work` while it fails with `StoreBusy`, with a growing pause,
/// up to a generous budget (or the thread's deadline). Each attempt must be
/// a complete unit of work (a transaction that rolled back leaves nothing behind).
pub(crate) fn retry_busy<T>(mut work: impl FnMut() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(2);
    loop {
        match work() {
            Err(e) if e.code == ErrorCode::StoreBusy && started.elapsed() < RETRY_BUDGET && !passed(deadline()) => {
                let mut sleep = pause + jitter();
                if let Some(deadline) = deadline() {
                    sleep = sleep.min(deadline.saturating_duration_since(Instant::now()));
                }
                std::thread::sleep(sleep);
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            other => return other,
        }
    }
}

fn jitter() -> Duration {
    let mut b = [0u8; 1];
    let _ = getrandom::fill(&mut b);
    Duration::from_micros(u64::from(b[0]) * 20)
}

impl Db {
    /// Makes this connection wait for locks as the current thread asks:
    /// SQLite's own `busy_timeout` without a deadline, [`wait_until_deadline`]
    /// with one. Called whenever a store hands out a connection.
    pub(super) fn wait_as_thread_asks(&mut self) -> Result<()> {
        let bounded = deadline().is_some();
        if bounded != self.bounded_wait.get() {
            if bounded {
                self.conn.busy_handler(Some(wait_until_deadline as fn(i32) -> bool)).map_err(store_error)?;
            } else {
                self.conn.busy_timeout(BUSY_TIMEOUT).map_err(store_error)?;
            }
            self.bounded_wait.set(bounded);
        }
        Ok(())
    }
}

/// SQLite's busy handler while a deadline is set: sleeps as `busy_timeout`
/// does (1, 2, 5, … 100 ms), for at most [`BUSY_TIMEOUT`] per call, and
/// never past the deadline. Returning false makes SQLite report busy.
fn wait_until_deadline(attempt: i32) -> bool {
    const DELAYS_MS: [u64; 12] = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];
    let attempt = usize::try_from(attempt).unwrap_or(0);
    let waited: u64 =
        DELAYS_MS.iter().take(attempt).sum::<u64>() + 100 * attempt.saturating_sub(DELAYS_MS.len()) as u64;
    let delay = Duration::from_millis(DELAYS_MS[attempt.min(DELAYS_MS.len() - 1)]);
    if Duration::from_millis(waited) >= BUSY_TIMEOUT {
        return false;
    }
    match deadline() {
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            std::thread::sleep(delay.min(left));
        }
        None => std::thread::sleep(delay),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_busy_gives_up_at_the_deadline() {
        let busy = || Err::<(), _>(crate::error::Error::new(ErrorCode::StoreBusy, "busy"));
        let _deadline = BusyDeadline::enter(Some(Instant::now() + Duration::from_millis(50)));
        let started = Instant::now();
        assert_eq!(retry_busy(busy).unwrap_err().code, ErrorCode::StoreBusy);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }

    #[test]
    fn the_deadline_is_the_threads_and_ends_with_its_guard() {
        assert_eq!(deadline(), None);
        let at = Instant::now() + Duration::from_secs(60);
        {
            let _guard = BusyDeadline::enter(Some(at));
            assert_eq!(deadline(), Some(at));
            std::thread::spawn(|| assert_eq!(deadline(), None)).join().unwrap();
        }
        assert_eq!(deadline(), None);
    }
}
