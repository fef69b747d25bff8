//! The proof harnesses that have one-command forms and long forms: crash
//! injection (`scripts/crash-injection`), the concurrency soak
//! (`scripts/soak`) and the C ABI under valgrind
//! (`cargo test --test harness valgrind`). Their short forms are part of
//! `scripts/test-all`.
//!
//! A binary of their own, apart from `integration`, because each one loads
//! the machine for half a minute or more and measures under that load: they
//! take [`one_at_a_time`] so that the test harness never runs two together
//! (as it never did when each was its own binary), and the quick tests never
//! run beside them.

mod support;

mod crash_injection;
mod soak;
mod valgrind;

/// Held for the whole of each harness: one runs at a time.
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());
    HEAVY.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
