//! A twin of a real tenant: a snapshot exported with Microsoft's own
//! cmdlets (`powershell/examples/Export-PpCmkTenantSnapshot.ps1`, shapes in
//! `docs/twin.md`) imported into a store (`snapshot`, `import`), and what
//! an administrator asks of it before and long after a rollout: the plan
//! (`plan`), whether a key version is still needed (`key_use`), and the
//! report to hand over (`report`). It sits above the pre-flight checks,
//! which the plan and the report reuse.

pub mod import;
pub mod key_use;
pub mod plan;
pub mod report;
pub mod snapshot;

use crate::error::Result;
use crate::store::Db;

/// Where an object came from, as every surface shows it (`Origin`):
/// `Snapshot` for what `Import-PpCmkTenantSnapshot` created, else `Local`.
pub fn origin(db: &Db, kind: &str, id: &str) -> Result<&'static str> {
    Ok(if db.snapshot_object(kind, id)?.is_some() { import::ORIGIN } else { "Local" })
}
