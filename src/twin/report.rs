//! `Export-PpCmkReport`: one self-contained HTML page for a change ticket or
//! an auditor — no script, no request to anywhere, charts as inline SVG.
//! Every value that comes from the store goes through [`esc`].

use super::{key_use, plan};
use crate::audit;
use crate::environment::{self, Environment};
use crate::error::Result;
use crate::flows;
use crate::identity::Caller;
use crate::keyvault::{self, keys, VaultKind};
use crate::lifecycle::health::PREVIOUS_VERSION_DAYS;
use crate::readiness;
use crate::store::{Db, Store};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::fmt::Write;

/// HTML-escapes text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const COLORS: &[&str] = &["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b7791f", "#c53030", "#319795", "#718096"];

/// A horizontal bar chart: one bar per (label, value).
fn bar_chart(id: &str, title: &str, bars: &[(String, f64)]) -> String {
    let width = 640.0;
    let label_w = 260.0;
    let row_h = 22.0;
    let height = 30.0 + row_h * bars.len().max(1) as f64;
    let max = bars.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
    let mut svg = format!(
        r#"<svg class="chart" id="{id}" data-points="{}" role="img" aria-label="{}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">"#,
        bars.len(),
        esc(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let w = (width - label_w - 60.0) * value / max;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text><rect class="bar" x="{label_w}" y="{}" width="{w:.1}" height="{}" fill="{}"><title>{}: {value}</title></rect><text x="{}" y="{}" font-size="12">{value}</text>"#,
            label_w - 6.0,
            y + 13.0,
            esc(label),
            y + 2.0,
            row_h - 6.0,
            COLORS[i % COLORS.len()],
            esc(label),
            label_w + w + 4.0,
            y + 13.0
        );
    }
    if bars.is_empty() {
        svg.push_str(r#"<text x="10" y="20" font-size="12">No data</text>"#);
    }
    svg.push_str("</svg>");
    svg
}

/// Stacked bars: one bar per environment, one segment per key version.
fn stacked_chart(id: &str, title: &str, rows: &[(String, Vec<(String, i64)>)]) -> String {
    let mut series: Vec<String> = Vec::new();
    for (_, parts) in rows {
        for (k, _) in parts {
            if !series.contains(k) {
                series.push(k.clone());
            }
        }
    }
    let width = 760.0;
    let label_w = 260.0;
    let row_h = 22.0;
    let legend_h = 18.0 * series.len() as f64;
    let height = 30.0 + row_h * rows.len().max(1) as f64 + legend_h;
    let max = rows.iter().map(|(_, p)| p.iter().map(|(_, n)| *n).sum::<i64>()).max().unwrap_or(0).max(1) as f64;
    let points = rows.iter().filter(|(_, p)| !p.is_empty()).count();
    let mut svg = format!(
        r#"<svg class="chart" id="{id}" data-points="{points}" role="img" aria-label="{}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    for (i, (label, parts)) in rows.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="12">{}</text>"#,
            label_w - 6.0,
            y + 13.0,
            esc(label)
        );
        let mut x = label_w;
        for (key, n) in parts {
            let w = (width - label_w - 80.0) * *n as f64 / max;
            let color = COLORS[series.iter().position(|s| s == key).unwrap_or(0) % COLORS.len()];
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{x:.1}" y="{}" width="{w:.1}" height="{}" fill="{color}"><title>{}: {n}</title></rect>"#,
                y + 2.0,
                row_h - 6.0,
                esc(key)
            );
            x += w;
        }
    }
    let top = 30.0 + row_h * rows.len().max(1) as f64;
    for (i, s) in series.iter().enumerate() {
        let y = top + 18.0 * i as f64;
        let _ = write!(
            svg,
            r#"<rect x="10" y="{}" width="12" height="12" fill="{}"/><text x="28" y="{}" font-size="11">{}</text>"#,
            y,
            COLORS[i % COLORS.len()],
            y + 10.0,
            esc(s)
        );
    }
    svg.push_str("</svg>");
    svg
}

struct Span {
    label: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    kind: &'static str,
}

/// Key versions over time, their 28-day and 30-day windows, and today.
fn timeline(id: &str, spans: &[Span], today: DateTime<Utc>) -> String {
    let width = 860.0;
    let label_w = 300.0;
    let row_h = 22.0;
    let height = 50.0 + row_h * spans.len().max(1) as f64;
    let start = spans.iter().map(|s| s.from).min().unwrap_or(today) - Duration::days(2);
    let end = spans.iter().map(|s| s.to).max().unwrap_or(today).max(today) + Duration::days(2);
    let range = (end - start).num_seconds().max(1) as f64;
    let x_of = |t: DateTime<Utc>| label_w + (width - label_w - 20.0) * (t - start).num_seconds() as f64 / range;
    let mut svg = format!(
        r#"<svg class="chart" id="{id}" data-points="{}" role="img" aria-label="Key versions over time" width="{width}" height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">"#,
        spans.len()
    );
    for (i, s) in spans.iter().enumerate() {
        let y = 20.0 + row_h * i as f64;
        let color = match s.kind {
            "Version" => "#2b6cb0",
            "28-day rule" => "#b7791f",
            "30-day rule" => "#c53030",
            _ => "#718096",
        };
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="11">{}</text><rect class="bar" x="{:.1}" y="{}" width="{:.1}" height="{}" fill="{color}"><title>{} {}: {} – {}</title></rect>"#,
            label_w - 6.0,
            y + 13.0,
            esc(&format!("{} ({})", s.label, s.kind)),
            x_of(s.from),
            y + 2.0,
            (x_of(s.to) - x_of(s.from)).max(2.0),
            row_h - 6.0,
            esc(&s.label),
            esc(s.kind),
            esc(&crate::time::to_display(s.from)),
            esc(&crate::time::to_display(s.to))
        );
    }
    let tx = x_of(today);
    let _ = write!(
        svg,
        r#"<line x1="{tx:.1}" y1="10" x2="{tx:.1}" y2="{}" stroke="black" stroke-dasharray="4 3"/><text x="{tx:.1}" y="{}" font-size="11" text-anchor="middle">Today (virtual clock): {}</text>"#,
        height - 20.0,
        height - 6.0,
        esc(&crate::time::to_display(today))
    );
    svg.push_str("</svg>");
    svg
}

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut html = String::from("<table><thead><tr>");
    for h in headers {
        let _ = write!(html, "<th>{}</th>", esc(h));
    }
    html.push_str("</tr></thead><tbody>");
    for r in rows {
        html.push_str("<tr>");
        for (i, cell) in r.iter().enumerate() {
            let class = match cell.as_str() {
                "Pass" => " class=\"pass\"",
                "Warn" => " class=\"warn\"",
                "Fail" => " class=\"fail\"",
                _ => "",
            };
            let _ = i;
            let _ = write!(html, "<td{class}>{}</td>", esc(cell));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}

/// Builds the page.
pub fn render(
    store: &Store,
    db: &Db,
    caller: &Caller,
    environment_ids: Option<&[String]>,
    now: DateTime<Utc>,
) -> Result<String> {
    environment::require_admin(caller, "export the report")?;
    let envs: Vec<Environment> = match environment_ids {
        Some(ids) => ids.iter().map(|id| environment::find(db, id)).collect::<Result<_>>()?,
        None => db.environments()?.into_iter().map(|row| Environment { row }).collect(),
    };
    let ids: Vec<String> = envs.iter().map(|e| e.id().to_string()).collect();
    let twin = db.meta_get(super::import::META_KEY)?.and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());

    // Environments by state and key owner.
    let mut by_state: BTreeMap<String, f64> = BTreeMap::new();
    for e in &envs {
        *by_state.entry(format!("{} / key managed by {}", e.row.state, e.key_managed_by())).or_default() += 1.0;
    }
    // Records by key version per environment (the post-flight report's counts).
    let reports = readiness::report(db, caller, Some(&ids), now)?;
    let records: Vec<(String, Vec<(String, i64)>)> = reports
        .iter()
        .map(|r| {
            let short = |k: &str| match keys::parse_key_id(k) {
                Ok((_, vault, name, Some(version))) => format!("{vault}/{name}/{}", &version[..version.len().min(8)]),
                _ => k.to_string(),
            };
            (r.env.name().to_string(), r.records_by_key.iter().map(|(k, n)| (short(k), *n)).collect())
        })
        .collect();
    // Flows on the Microsoft key by reason.
    let mut by_reason: BTreeMap<String, f64> = BTreeMap::new();
    for e in &envs {
        if e.row.state == environment::LOCKED {
            continue;
        }
        if let Ok((_, staying)) = flows::on_microsoft_key(store, db, caller, e.id(), true, now) {
            for f in staying {
                *by_reason.entry(f.reason.unwrap_or_else(|| "None".into())).or_default() += 1.0;
            }
        }
    }
    // Key versions of every policy's key, with their windows.
    let mut spans = Vec::new();
    let mut key_rows = Vec::new();
    let policies = db.policies()?;
    let mut seen_keys = std::collections::BTreeSet::new();
    for p in &policies {
        let Ok(Some(vault)) = keyvault::vault_by_resource_id(db, &p.key_vault_id) else { continue };
        if vault.kind() != VaultKind::Vault
            || !seen_keys.insert((vault.row.vault_id.clone(), p.key_name.to_ascii_lowercase()))
        {
            continue;
        }
        let Ok(uses) = key_use::test(db, &vault, &p.key_name, None, now) else { continue };
        let versions = match db.key_by_name(&vault.row.vault_id, &p.key_name)? {
            Some(k) => db.key_versions(&k.key_id)?,
            None => vec![],
        };
        for u in &uses {
            let created = versions.iter().find(|v| v.version == u.version).map(|v| v.created_time).unwrap_or(now);
            let label = format!("{}/{}/{}", vault.name(), p.key_name, &u.version[..u.version.len().min(8)]);
            spans.push(Span { label: label.clone(), from: created, to: now, kind: "Version" });
            for d in &u.dependents {
                match (d.kind, d.until) {
                    ("PreviousVersion", Some(until)) => spans.push(Span {
                        label: label.clone(),
                        from: until - Duration::days(PREVIOUS_VERSION_DAYS),
                        to: until,
                        kind: "28-day rule",
                    }),
                    ("RemovedFromPolicy", Some(until)) => spans.push(Span {
                        label: label.clone(),
                        from: until - Duration::days(key_use::REMOVED_POLICY_DAYS),
                        to: until,
                        kind: "30-day rule",
                    }),
                    _ => {}
                }
            }
            key_rows.push(vec![
                label,
                if u.enabled { "Enabled".into() } else { "Disabled".into() },
                if u.in_use() { "In use".into() } else { "Not in use".into() },
                u.dependents
                    .iter()
                    .map(|d| format!("{} ({}): {}", d.target, d.kind, d.reason))
                    .collect::<Vec<_>>()
                    .join("; "),
                u.needed_until().map(crate::time::to_display).unwrap_or_else(|| {
                    if u.in_use() {
                        "Open-ended".into()
                    } else {
                        String::new()
                    }
                }),
            ]);
        }
    }

    // Pre-flight rows and the rollout plan, per encryption policy.
    let mut readiness_rows = Vec::new();
    let mut plan_rows = Vec::new();
    for p in &policies {
        let mine: Vec<String> = envs
            .iter()
            .filter(|e| {
                e.row.location.eq_ignore_ascii_case(&p.location)
                    && e.row.policy_id.as_deref().is_none_or(|id| id == p.policy_id)
            })
            .map(|e| e.id().to_string())
            .collect();
        if mine.is_empty() {
            continue;
        }
        for r in readiness::test(store, db, caller, &mine, &p.resource_id, now)? {
            readiness_rows.push(vec![
                p.name.clone(),
                r.check.to_string(),
                r.target,
                r.status.to_string(),
                r.detail,
                r.remedy.unwrap_or_default(),
            ]);
        }
        for r in plan::plan(store, db, caller, &p.resource_id, Some(&mine), None, plan::DEFAULT_MAX_PER_WAVE, now)? {
            plan_rows.push(vec![
                p.name.clone(),
                r.wave.map(|w| w.to_string()).unwrap_or_else(|| "Blocked".into()),
                r.display_name,
                r.status.to_string(),
                r.blockers.join("; "),
                r.flows_staying.join("; "),
                r.expected_downtime,
                r.notes.join(" "),
            ]);
        }
    }
    let postflight: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            vec![
                r.env.name().to_string(),
                r.status.to_string(),
                r.env.key_managed_by().to_string(),
                r.key_version.clone().unwrap_or_default(),
                r.records.to_string(),
                r.flows_on_microsoft_key.to_string(),
                r.findings.join(" "),
            ]
        })
        .collect();
    let (entries, broken) = audit::verify_chain(db)?;
    let verdict = match broken {
        None => format!("Intact: {entries} entries verified."),
        Some(b) => format!("Broken at entry {}: {}", b.seq, b.reason),
    };

    let mut html = String::new();
    html.push_str("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
    html.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
    html.push_str("<title>ppcmk customer-managed key report</title><style>");
    html.push_str("body{font-family:Segoe UI,Arial,sans-serif;margin:24px;color:#1a202c}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #cbd5e0}table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #cbd5e0;padding:3px 6px;vertical-align:top;text-align:left}th{background:#edf2f7}.pass{background:#c6f6d5}.warn{background:#fefcbf}.fail{background:#fed7d7}.meta{color:#4a5568;font-size:13px}");
    html.push_str("</style></head><body>");
    html.push_str("<h1>Customer-managed key report</h1>");
    let _ = write!(
        html,
        "<p class=\"meta\">Generated {} (virtual clock) by ppcmk {}. {}</p>",
        esc(&crate::time::to_display(now)),
        esc(env!("CARGO_PKG_VERSION")),
        esc(&match &twin {
            Some(t) => format!(
                "A twin of tenant {} from the snapshot taken {}; data volumes are synthetic, durations are estimates.",
                t["TenantId"].as_str().unwrap_or_default(),
                t["ExportedTime"].as_str().unwrap_or_default()
            ),
            None => "A rehearsal store (not imported from a snapshot).".to_string(),
        })
    );
    let _ = write!(
        html,
        "<h2>Environments by state and key owner</h2>{}",
        bar_chart(
            "chart-environments",
            "Environments by state and key owner",
            &by_state.into_iter().collect::<Vec<_>>()
        )
    );
    let _ = write!(
        html,
        "<h2>Records by key version</h2>{}",
        stacked_chart("chart-records", "Records by key version per environment", &records)
    );
    let _ = write!(
        html,
        "<h2>Key versions, the 28-day and 30-day windows, and today</h2>{}",
        timeline("chart-timeline", &spans, now)
    );
    html.push_str(&table(&["Key version", "State", "Use", "Dependents", "Needed until"], &key_rows));
    let _ = write!(
        html,
        "<h2>Flows on the Microsoft-managed key, by reason</h2>{}",
        bar_chart("chart-flows", "Flows on the Microsoft key by reason", &by_reason.into_iter().collect::<Vec<_>>())
    );
    let _ = write!(
        html,
        "<h2>Pre-flight checks</h2>{}",
        table(&["Policy", "Check", "Target", "Status", "Detail", "Remedy"], &readiness_rows)
    );
    let _ = write!(
        html,
        "<h2>Post-flight</h2>{}",
        table(
            &[
                "Environment",
                "Status",
                "Key managed by",
                "Key version",
                "Records",
                "Flows on Microsoft key",
                "Findings"
            ],
            &postflight
        )
    );
    let _ = write!(
        html,
        "<h2>Rollout plan</h2>{}",
        table(
            &[
                "Policy",
                "Wave",
                "Environment",
                "Status",
                "Blockers",
                "Flows staying on Microsoft key",
                "Expected downtime",
                "Notes"
            ],
            &plan_rows
        )
    );
    let _ = write!(html, "<h2>Audit chain</h2><p id=\"audit-verdict\">{}</p>", esc(&verdict));
    html.push_str("</body></html>\n");
    Ok(html)
}
