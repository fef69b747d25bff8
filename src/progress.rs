//! Progress of a long operation (adding an environment to a policy, loading
//! sample data, a backup): what the CLI's progress bar, the C ABI's progress
//! events and PowerShell's `Write-Progress` show. A leaf: the areas report
//! progress without knowing who listens.

use serde::Serialize;

/// Progress of a long operation, as the CLI's progress bar, the C ABI's
/// progress events and PowerShell's `Write-Progress` show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    pub activity: String,
    pub status: String,
    pub current: u64,
    pub total: u64,
    pub percent_complete: u8,
}

impl Progress {
    pub fn new(activity: impl Into<String>, status: impl Into<String>, current: u64, total: u64) -> Progress {
        let percent = (current.min(total) * 100).checked_div(total).unwrap_or(100) as u8;
        Progress { activity: activity.into(), status: status.into(), current, total, percent_complete: percent }
    }
}

/// Receives progress events; called on the invoking thread.
pub type ProgressSink<'a> = &'a mut dyn FnMut(&Progress);
