//! Where a store's life begins. [`Store::open`] creates a store on first use
//! and seeds its tenant inside the migration that creates the schema: the
//! directory's tenant, subscription and Global Administrator (signed in on
//! both sides, Owner of the subscription), then the subscription's resource
//! providers. The store takes that seed as a hook ([`Store::open_seeded`]),
//! so the bottom layer never imports the directory or the resource manager.

use crate::arm;
use crate::error::Result;
use crate::identity;
use crate::store::{default_home, Db, Store};
use std::path::Path;

impl Store {
    /// Opens the store named by `PPCMK_HOME`, or `~/.ppcmk`.
    pub fn open_default() -> Result<Store> {
        Store::open(&default_home()?)
    }

    /// Opens (creating on first use) the store in `home`.
    pub fn open(home: &Path) -> Result<Store> {
        Store::open_seeded(home, seed_new_store)
    }
}

/// A new store's tenant, then its resource providers' initial registration.
fn seed_new_store(db: &Db) -> Result<()> {
    identity::seed_new_tenant(db)?;
    arm::seed_providers(db)
}
