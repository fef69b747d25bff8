//! `Get-PpCmkRolloutPlan`: in what order to add environments to a policy.
//! Every rule the pre-flight checks give (`readiness::test`) decides who is
//! blocked and by what; then the documented limits shape the waves: BYOK
//! environments first (their keys are re-wrapped, no downtime), the
//! tenant's limit of customer-key environments, at most `max_per_wave`
//! environments and `max_downtime` of expected downtime per wave.

use crate::crypto::SymmetricKey;
use crate::environment::{self, dek, Environment};
use crate::error::{Error, ErrorCode, Result};
use crate::flows;
use crate::identity::Caller;
use crate::lifecycle::operations as ops;
use crate::policy;
use crate::readiness::{self, FAIL, PASS, WARN};
use crate::store::{Db, Store};
use chrono::{DateTime, Utc};
use std::time::Instant;

pub const DEFAULT_MAX_PER_WAVE: i64 = 5;

/// One environment's place in the plan.
#[derive(Debug, Clone)]
pub struct PlanRow {
    /// None: blocked, not in any wave yet.
    pub wave: Option<i64>,
    pub environment_name: String,
    pub display_name: String,
    pub blockers: Vec<String>,
    pub flows_staying: Vec<String>,
    pub expected_downtime: String,
    pub downtime_seconds: f64,
    pub notes: Vec<String>,
    pub status: &'static str,
    pub byok: bool,
}

/// Parses a -MaxDowntime: `hh:mm:ss`, `d.hh:mm:ss` (a .NET TimeSpan) or an ISO 8601 duration (`PT2H`).
pub fn parse_timespan(s: &str) -> Result<f64> {
    let bad = || {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("-MaxDowntime '{s}' is not a timespan: use hh:mm:ss (02:00:00) or an ISO 8601 duration (PT2H)."),
        )
    };
    let t = s.trim();
    if let Some(iso) = t.strip_prefix("PT").or_else(|| t.strip_prefix("pt")) {
        let mut total = 0.0;
        let mut number = String::new();
        for c in iso.chars() {
            match c.to_ascii_uppercase() {
                d if d.is_ascii_digit() || d == '.' => number.push(d),
                'H' | 'M' | 'S' => {
                    let n: f64 = number.parse().map_err(|_| bad())?;
                    total += n * match c.to_ascii_uppercase() {
                        'H' => 3600.0,
                        'M' => 60.0,
                        _ => 1.0,
                    };
                    number.clear();
                }
                _ => return Err(bad()),
            }
        }
        return if number.is_empty() && total > 0.0 { Ok(total) } else { Err(bad()) };
    }
    let (days, rest) = match t.split_once('.') {
        Some((d, r)) if r.contains(':') && !d.contains(':') => (d.parse::<f64>().map_err(|_| bad())?, r),
        _ => (0.0, t),
    };
    let parts: Vec<f64> = rest.split(':').map(|p| p.parse::<f64>().map_err(|_| bad())).collect::<Result<_>>()?;
    let seconds = match parts.as_slice() {
        [h, m, s] if *m < 60.0 && *s < 60.0 => h * 3600.0 + m * 60.0 + s,
        [h, m] if *m < 60.0 => h * 3600.0 + m * 60.0,
        _ => return Err(bad()),
    };
    if seconds + days <= 0.0 {
        return Err(bad());
    }
    Ok(days * 86400.0 + seconds)
}

pub fn human_duration(seconds: f64) -> String {
    match seconds {
        s if s < 1.0 => "Less than a second".into(),
        s if s < 90.0 => format!("About {s:.0} seconds"),
        s if s < 5400.0 => format!("About {:.0} minutes", s / 60.0),
        s => format!("About {:.1} hours", s / 3600.0),
    }
}

/// The re-encryption rate of this machine in bytes per second, measured on
/// a sample of the environments' own records (as the pre-flight check does).
fn measured_rate(store: &Store, db: &Db, envs: &[Environment], now: DateTime<Utc>) -> Result<Option<f64>> {
    for env in envs {
        let sample = db.records_page(env.row.env_key, None, 0, 500)?;
        if sample.is_empty() {
            continue;
        }
        let scratch = SymmetricKey::generate();
        let started = Instant::now();
        let mut bytes = 0usize;
        let mut sealed = Vec::with_capacity(sample.len());
        for r in &sample {
            let key = dek::dek(store, db, env, r.generation, now)?;
            let plain = key.open(&r.sealed, &dek::record_aad(env, &r.table_name, &r.record_id, r.generation))?;
            bytes += r.sealed.len();
            sealed.push(scratch.seal(&plain, b"ppcmk/plan/scratch"));
        }
        crate::store::scratch::write_like_a_batch(store.home(), &sealed)?;
        return Ok(Some(bytes as f64 / started.elapsed().as_secs_f64().max(1e-6)));
    }
    Ok(None)
}

/// The bytes an add would re-encrypt: the database size the snapshot
/// reported, else the environment's sealed records.
pub fn data_bytes(db: &Db, env: &Environment) -> Result<(f64, bool)> {
    if let Some(Some(detail)) = db.snapshot_object("Environment", env.id())? {
        if let Some(mb) = serde_json::from_str::<serde_json::Value>(&detail).ok().and_then(|v| v["DatabaseMB"].as_f64())
        {
            return Ok((mb * 1024.0 * 1024.0, true));
        }
    }
    Ok((environment::data_stats(db, env)?.sealed_bytes as f64, false))
}

#[allow(clippy::too_many_arguments)]
pub fn plan(
    store: &Store,
    db: &Db,
    caller: &Caller,
    policy_arm_id: &str,
    environment_ids: Option<&[String]>,
    max_downtime: Option<f64>,
    max_per_wave: i64,
    now: DateTime<Utc>,
) -> Result<Vec<PlanRow>> {
    environment::require_admin(caller, "plan a rollout")?;
    let p = policy::find(db, policy_arm_id)?;
    let envs: Vec<Environment> = match environment_ids {
        Some(ids) => ids.iter().map(|id| environment::find(db, id)).collect::<Result<_>>()?,
        None => db.environments()?.into_iter().map(|row| Environment { row }).collect(),
    };
    let ids: Vec<String> = envs.iter().map(|e| e.id().to_string()).collect();
    let checks = readiness::test(store, db, caller, &ids, policy_arm_id, now)?;
    // Rows about the policy, its vault and key, the caller: they block every environment.
    let env_target = |target: &str| envs.iter().any(|e| target.ends_with(&format!("({})", e.id())));
    let tenant_blockers: Vec<String> = checks
        .iter()
        .filter(|r| r.status == FAIL && r.check != "TenantCmkLimit" && !env_target(&r.target))
        .map(|r| format!("{}: {} Remedy: {}", r.check, r.detail, r.remedy.clone().unwrap_or_default()))
        .collect();
    let rate = measured_rate(store, db, &envs, now)?;
    let mut rows = Vec::new();
    for env in &envs {
        let suffix = format!("({})", env.id());
        let mine: Vec<&readiness::Row> = checks.iter().filter(|r| r.target.ends_with(&suffix)).collect();
        let mut row = PlanRow {
            wave: None,
            environment_name: env.id().to_string(),
            display_name: env.name().to_string(),
            blockers: tenant_blockers.clone(),
            flows_staying: Vec::new(),
            expected_downtime: String::new(),
            downtime_seconds: 0.0,
            notes: Vec::new(),
            status: PASS,
            byok: env.row.protector == "BYOK",
        };
        if env.row.policy_id.as_deref() == Some(p.row.policy_id.as_str()) && env.is_linked() {
            row.wave = Some(0);
            row.expected_downtime = "None: already protected".into();
            row.notes.push(format!("Already protected by enterprise policy '{}'.", p.row.name));
            rows.push(row);
            continue;
        }
        for r in &mine {
            if r.status == FAIL {
                row.blockers.push(format!(
                    "{}: {} Remedy: {}",
                    r.check,
                    r.detail,
                    r.remedy.clone().unwrap_or_default()
                ));
            }
        }
        if env.row.state != environment::LOCKED {
            if let Ok((_, staying)) = flows::on_microsoft_key(store, db, caller, env.id(), true, now) {
                row.flows_staying = staying
                    .iter()
                    .map(|f| format!("{} ({})", f.display_name, f.reason.as_deref().unwrap_or_default()))
                    .collect();
            }
        }
        if !row.flows_staying.is_empty() {
            row.notes.push(format!(
                "{} flow(s) stay on the Microsoft-managed key: protect them afterwards with Save As (Copy-PpCmkFlow) and update their callers.",
                row.flows_staying.len()
            ));
        }
        if row.byok {
            row.expected_downtime = "None: a BYOK environment's keys are re-wrapped, not re-encrypted".into();
            row.notes.push("BYOK: migrate first; keep the tenant key 28 days after.".into());
        } else {
            let (bytes, from_snapshot) = data_bytes(db, env)?;
            match rate {
                Some(rate) if bytes > 0.0 => {
                    row.downtime_seconds = bytes / rate;
                    row.expected_downtime = format!(
                        "{} (estimate: {:.1} MB{} at {:.2} MB/s measured on this machine)",
                        human_duration(row.downtime_seconds),
                        bytes / 1e6,
                        if from_snapshot { " as the snapshot reports" } else { "" },
                        rate / 1e6
                    );
                }
                _ => row.expected_downtime = "Less than a second (no data to re-encrypt)".into(),
            }
        }
        if let Some(max) = max_downtime {
            if row.downtime_seconds > max {
                row.notes.push(format!(
                    "The expected downtime exceeds -MaxDowntime ({}): it gets a wave of its own.",
                    human_duration(max)
                ));
            }
        }
        rows.push(row);
    }

    // Waves: BYOK first, then the shortest downtime first (a small pilot),
    // within the tenant's limit of customer-key environments.
    let limit = ops::cmk_environment_limit(db)?;
    let mut in_use = ops::cmk_environments_in_use(db)?;
    let mut order: Vec<usize> =
        (0..rows.len()).filter(|i| rows[*i].wave.is_none() && rows[*i].blockers.is_empty()).collect();
    order.sort_by(|a, b| {
        let (ra, rb) = (&rows[*a], &rows[*b]);
        rb.byok
            .cmp(&ra.byok)
            .then(ra.downtime_seconds.total_cmp(&rb.downtime_seconds))
            .then(ra.display_name.cmp(&rb.display_name))
    });
    let mut wave = 0i64;
    let mut in_wave = 0i64;
    let mut wave_seconds = 0.0;
    let mut wave_byok = false;
    for i in order {
        if in_use >= limit {
            rows[i].blockers.push(format!(
                "TenantCmkLimit: the tenant's limit of {limit} customer-key Power Automate environments is reached by the waves before. Remedy: ask Microsoft Support to raise it (here: Set-PpCmkTenantSetting -CmkEnvironmentLimit), or remove another environment from its policy."
            ));
            continue;
        }
        let seconds = rows[i].downtime_seconds;
        let over_budget = max_downtime.is_some_and(|m| in_wave > 0 && wave_seconds + seconds > m);
        let byok_boundary = in_wave > 0 && wave_byok && !rows[i].byok;
        if wave == 0 || in_wave >= max_per_wave || over_budget || byok_boundary {
            wave += 1;
            in_wave = 0;
            wave_seconds = 0.0;
            wave_byok = rows[i].byok;
        }
        rows[i].wave = Some(wave);
        in_wave += 1;
        wave_seconds += seconds;
        in_use += 1;
        if max_downtime.is_some_and(|m| seconds > m) {
            // Its own wave: close this one.
            in_wave = max_per_wave;
        }
    }
    for r in &mut rows {
        r.status = if !r.blockers.is_empty() {
            FAIL
        } else if !r.flows_staying.is_empty() || max_downtime.is_some_and(|m| r.downtime_seconds > m) {
            WARN
        } else {
            PASS
        };
    }
    rows.sort_by_key(|r| (r.wave.is_none(), r.wave.unwrap_or(i64::MAX)));
    Ok(rows)
}
