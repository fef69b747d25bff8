//! "Is it safe to disable key version N?" (`Test-PpCmkKeyVersionInUse`):
//! everything in the tenant that still needs a customer key version, each
//! with its reason and until when. Key Vault itself would let you disable
//! or delete a version in use; Power Platform would then lock the
//! environments that need it.

use crate::environment::{self, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::keyvault::{keys, Vault};
use crate::lifecycle::health::PREVIOUS_VERSION_DAYS;
use crate::store::Db;
use chrono::{DateTime, Duration, Utc};

/// Days a backup stays restorable (the longest system-backup retention of a
/// Managed Environment), during which its key version is needed.
pub const BACKUP_RETENTION_DAYS: i64 = 28;
/// Days a key must stay available after an environment left its policy.
pub const REMOVED_POLICY_DAYS: i64 = 30;

/// Why a key version is still needed.
#[derive(Debug, Clone)]
pub struct Dependent {
    pub kind: &'static str,
    /// The environment (display name and id) or backup that needs it.
    pub target: String,
    pub reason: String,
    /// None: until something changes (a re-wrap, a restored key).
    pub until: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
pub struct VersionUse {
    pub version: String,
    pub key_id: String,
    pub enabled: bool,
    pub dependents: Vec<Dependent>,
}

impl VersionUse {
    pub fn in_use(&self) -> bool {
        !self.dependents.is_empty()
    }

    /// The last date it is needed; None while an open-ended dependent remains.
    pub fn needed_until(&self) -> Option<DateTime<Utc>> {
        if self.dependents.iter().any(|d| d.until.is_none()) {
            return None;
        }
        self.dependents.iter().filter_map(|d| d.until).max()
    }
}

fn same_key(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.trim_end_matches('/').replace(":443/", "/").to_ascii_lowercase();
    norm(a) == norm(b)
}

fn label(env: &Environment) -> String {
    format!("{} ({})", env.name(), env.id())
}

/// The dependents of one version (`key_id`: its versioned identifier).
pub fn dependents(db: &Db, key_id: &str, now: DateTime<Utc>) -> Result<Vec<Dependent>> {
    let mut out = Vec::new();
    for row in db.environments()? {
        let env = Environment { row };
        let wraps = db.dek_wraps(env.row.env_key)?;
        let in_use = db.generations_in_use(env.row.env_key)?;
        let mut generations: Vec<i64> = Vec::new();
        for w in wraps.iter().filter(|w| w.protector == "CMK" && same_key(&w.key_id, key_id)) {
            let live = in_use.contains(&w.generation) || w.generation == env.row.current_generation;
            // Covered when a later customer-key wrap of the same generation exists.
            let covered = wraps.iter().any(|o| {
                o.generation == w.generation
                    && o.protector == "CMK"
                    && !same_key(&o.key_id, key_id)
                    && o.created_time >= w.created_time
            });
            if live && !covered && env.row.protector == "CMK" {
                generations.push(w.generation);
            }
        }
        if !generations.is_empty() {
            out.push(Dependent {
                kind: "DataKeyWrap",
                target: label(&env),
                reason: format!(
                    "It wraps the environment's data encryption key (generation {}); no later version wraps it yet.",
                    generations.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
                ),
                until: None,
            });
        }
        for v in db.env_key_versions(env.row.env_key)? {
            if !same_key(&v.key_id, key_id) {
                continue;
            }
            match v.current_until {
                None if env.row.state == environment::LOCKED => {
                    let days_kept = env.days_kept_when_locked(db)?;
                    out.push(Dependent {
                        kind: "LockedEnvironment",
                        target: label(&env),
                        reason: "The environment is locked, waiting for access to this version to be restored.".into(),
                        until: env.row.locked_since.map(|t| t + Duration::days(days_kept)),
                    })
                }
                Some(t) if env.row.policy_id.is_none() && env.row.unlinked_time.is_some() => {
                    let until = env.row.unlinked_time.unwrap_or(t) + Duration::days(REMOVED_POLICY_DAYS);
                    if until > now {
                        out.push(Dependent {
                            kind: "RemovedFromPolicy",
                            target: label(&env),
                            reason: format!(
                                "The environment left its enterprise policy; the key must stay available {REMOVED_POLICY_DAYS} days."
                            ),
                            until: Some(until),
                        });
                    }
                }
                Some(t) => {
                    let until = t + Duration::days(PREVIOUS_VERSION_DAYS);
                    if until > now {
                        out.push(Dependent {
                            kind: "PreviousVersion",
                            target: label(&env),
                            reason: format!(
                                "A rotation replaced it on {}; a version must stay enabled {PREVIOUS_VERSION_DAYS} days after.",
                                crate::time::to_display(t)
                            ),
                            until: Some(until),
                        });
                    }
                }
                None => {}
            }
        }
        for b in db.backups(env.row.env_key)? {
            if b.protector != "CMK" || !b.key_id.as_deref().is_some_and(|k| same_key(k, key_id)) {
                continue;
            }
            let until = b.created_time + Duration::days(BACKUP_RETENTION_DAYS);
            if until > now {
                out.push(Dependent {
                    kind: "Backup",
                    target: format!("{} backup '{}' ({})", env.name(), b.label, b.backup_id),
                    reason: format!("A backup taken under this version stays restorable {BACKUP_RETENTION_DAYS} days."),
                    until: Some(until),
                });
            }
        }
    }
    Ok(out)
}

/// `Test-PpCmkKeyVersionInUse`: one version, or every version of the key.
pub fn test(db: &Db, vault: &Vault, name: &str, version: Option<&str>, now: DateTime<Utc>) -> Result<Vec<VersionUse>> {
    let key = db.key_by_name(&vault.row.vault_id, name)?.ok_or_else(|| {
        Error::new(ErrorCode::NotFound, format!("Key '{name}' was not found in vault '{}'.", vault.name()))
            .with_target(name)
    })?;
    let mut versions = db.key_versions(&key.key_id)?;
    if let Some(v) = version {
        versions.retain(|r| r.version.eq_ignore_ascii_case(v));
        if versions.is_empty() {
            return Err(Error::new(ErrorCode::NotFound, format!("Key '{name}' has no version '{v}'.")).with_target(v));
        }
    }
    versions.sort_by_key(|v| std::cmp::Reverse(v.seq));
    versions
        .into_iter()
        .map(|v| {
            let key_id = keys::key_id_url(vault, name, Some(&v.version));
            Ok(VersionUse { dependents: dependents(db, &key_id, now)?, version: v.version, key_id, enabled: v.enabled })
        })
        .collect()
}

/// The warning `Update-AzKeyVaultKey -Enable $false` and `Remove-AzKeyVaultKey`
/// print for versions still in use (`version` None: every version).
pub fn warning(
    db: &Db,
    vault: &Vault,
    name: &str,
    version: Option<&str>,
    action: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>> {
    let uses = match test(db, vault, name, version, now) {
        Ok(u) => u,
        Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let busy: Vec<String> = uses
        .iter()
        .filter(|u| u.in_use())
        .map(|u| {
            format!(
                "version {} is needed by {}",
                u.version,
                u.dependents
                    .iter()
                    .map(|d| format!(
                        "{} ({}{})",
                        d.target,
                        d.kind,
                        d.until.map(|t| format!(" until {}", crate::time::to_display(t))).unwrap_or_default()
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    Ok((!busy.is_empty()).then(|| {
        format!(
            "{action} key '{name}' in '{}' while it is in use: {}. Key Vault allows it, but Power Platform locks the environments that need it (see Test-PpCmkKeyVersionInUse).",
            vault.name(),
            busy.join("; ")
        )
    }))
}
