//! The life cycle above environments and flows: what changes an
//! environment's key and keeps it healthy over time, coordinating the
//! environment, its flows, the policy and the key vault.
//!
//! * [`operations`]: adding environments to an enterprise policy and removing
//!   them (the "Update Customer Managed Key" operation), resumable after a crash;
//! * [`health`]: the service's health checks of customer-key environments
//!   (lock, unlock, re-wrap after a key rotation, deletion after too long locked);
//! * [`maintenance`]: the time-based pass run before every command and by
//!   `Invoke-PpCmkMaintenance` (purges, rotations, health checks, resumes);
//! * `tenant`: [`Store::open`](crate::store::Store::open), where a store's
//!   life begins, seeding its tenant.
//!
//! Nothing below this layer imports it: environments and flows do not know
//! about each other's part in a key change, this layer does.

pub mod health;
pub mod maintenance;
pub mod operations;
mod tenant;
