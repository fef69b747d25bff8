//! Power Automate: `Get-AdminFlowEncryptedByMicrosoftKey` over a large
//! environment, in process and as a whole CLI process, before and after the
//! environment moves to the customer key; the full listing beside one SQLite
//! query serialised with serde, its peak memory, and its growth with the
//! number of flows.

use crate::report::{Report, Row, Section, Target};
use crate::{median, ms, n, size_from_env, step, time_it, time_paired, Tenant};
use serde_json::json;
use std::time::{Duration, Instant};

/// Targets for the documented queries of a few hundred rows.
const IN_PROCESS_MS: f64 = 50.0;
const CLI_MS: f64 = 100.0;
/// Issue 16, target 4: the full listing against its reference.
const LISTING_VS_REFERENCE: f64 = 2.0;
const CLI_VS_IN_PROCESS: f64 = 1.5;

const COMMAND: &str = "Get-AdminFlowEncryptedByMicrosoftKey";

pub fn run(report: &mut Report) {
    let flows = size_from_env("PPCMK_BENCH_FLOWS", 100_000);
    report.sizes.push(format!(
        "flows: {} flows (`PPCMK_BENCH_FLOWS`, default 100,000); listing growth at {}, {} and {} flows",
        n(flows),
        n(flows / 100),
        n(flows / 10),
        n(flows)
    ));
    let mut section = Section::new(
        "Flows",
        format!("Power Automate: `{COMMAND}` over {} flows", n(flows)),
        "Sample mix: one flow in a thousand each has an HTTP, a Teams and a non-solution Power Apps v1 \
         trigger, so three in a thousand stay on the Microsoft key. *In process*: the command through \
         `invoke_json` and its response serialised to the JSON text the C ABI returns (`into_response_text`), \
         median over at least 5 runs and 3 s. *Whole CLI process*: start-up, store opening, output to \
         /dev/null, median of 7; the default table unless the row says JSON. Peak memory: `wait4`'s peak \
         resident set of a CLI process started by a small launcher (as for the link's).",
    );
    step("flows: loading the flows");
    let t = Tenant::new("flows", 0);
    let load = Instant::now();
    t.run("New-PpCmkSampleData", json!({"EnvironmentName": t.env, "Flows": flows}));
    section.row(Row::new(
        "loading the flows (`New-PpCmkSampleData -Flows`, not a target)",
        format!("{:.1} s", load.elapsed().as_secs_f64()),
    ));
    step("flows: the queries before CMK");
    query(&mut section, &t, "before CMK, `-ListCannotMigrateToCustomerManagedKey`", true);
    let full = full_listing(&mut section, &t, flows);
    let growth = growth(flows, full);
    step("flows: the link, then the queries after CMK");
    t.link_in_child();
    query(&mut section, &t, "after CMK, `-ListCannotMigrateToCustomerManagedKey`", true);
    query(&mut section, &t, "after CMK, every flow on the Microsoft key", false);
    report.add(section);
    report.add(growth);
}

/// A documented query of a few hundred rows: in process and as a CLI process.
fn query(section: &mut Section, t: &Tenant, label: &str, switch: bool) {
    let (d, rows) = in_process(t, switch);
    let c = cli(t, switch, false);
    section.row(
        Row::new(format!("{label}, in process ({} rows)", n(rows as i64)), format!("{:.1} ms", ms(d)))
            .target(Target::at_most(ms(d), IN_PROCESS_MS, format!("≤ {IN_PROCESS_MS:.0} ms"))),
    );
    section.row(
        Row::new(format!("{label}, whole CLI process"), format!("{:.1} ms", ms(c)))
            .reference(format!("in process: {:.1} ms", ms(d)))
            .ratio(format!("{:.1}×", ms(c) / ms(d)))
            .target(Target::at_most(ms(c), CLI_MS, format!("≤ {CLI_MS:.0} ms"))),
    );
}

/// A full listing's time, its reference's, and its rows.
type Listing = (Duration, Duration, usize);

/// Every flow of the environment (before CMK, all are on the Microsoft key):
/// in process against one SQLite query serialised with serde, the CLI
/// against in process, and the CLI's peak memory.
fn full_listing(section: &mut Section, t: &Tenant, flows: i64) -> Listing {
    step("flows: the full listing and its reference");
    let (d, r, rows) = beside_reference(t);
    let ratio = ms(d) / ms(r);
    section.row(
        Row::new(
            format!("before CMK, every flow on the Microsoft key (all of them), in process ({} rows)", n(rows as i64)),
            format!("{:.1} ms", ms(d)),
        )
        .reference(format!("one SQLite query + serde to the same JSON: {:.1} ms", ms(r)))
        .ratio(format!("{ratio:.2}×"))
        .target(Target::at_most(
            ratio,
            LISTING_VS_REFERENCE,
            format!("≤ {LISTING_VS_REFERENCE}× the reference"),
        )),
    );
    // The CLI process in alternation with the listing in process, as above.
    let request = json!({"command": COMMAND, "parameters": {"EnvironmentName": t.env}});
    let (json_cli, d_beside) = time_paired(
        7,
        Duration::ZERO,
        || {
            cli_once(t, false, true);
        },
        || drop(listing(t, &request)),
    );
    let ratio = ms(json_cli) / ms(d_beside);
    section.row(
        Row::new("before CMK, every flow, whole CLI process, JSON", format!("{:.1} ms", ms(json_cli)))
            .reference(format!("in process, timed in alternation: {:.1} ms", ms(d_beside)))
            .ratio(format!("{ratio:.2}×"))
            .target(Target::at_most(ratio, CLI_VS_IN_PROCESS, format!("≤ {CLI_VS_IN_PROCESS}× in process"))),
    );
    let table_cli = cli(t, false, false);
    section.row(
        Row::new("before CMK, every flow, whole CLI process (table, not a target)", format!("{:.1} ms", ms(table_cli)))
            .reference(format!("in process: {:.1} ms", ms(d)))
            .ratio(format!("{:.2}×", ms(table_cli) / ms(d))),
    );
    let (rss, bytes) = cli_peak_memory(t);
    section.row(
        Row::new(
            format!("peak memory of the full listing, whole CLI process, JSON ({} flows)", n(flows)),
            format!("{:.1} MiB", rss as f64 / 1048576.0),
        )
        .reference(format!("its JSON output: {:.1} MiB", bytes as f64 / 1048576.0))
        .ratio(format!("{:.1}×", rss as f64 / bytes as f64)),
    );
    section.note(
        "*Reference* for the full listing: the same rows in clear, in a table of their own in a SQLite file \
         in the same folder (filled from the command's own output, so the JSON is byte for byte the same, \
         which the run checks), read by one `SELECT` on a prepared statement and serialised by serde straight \
         from each row into one JSON text, the C ABI's response envelope included. It neither decrypts the \
         display names nor checks anyone's access, so the ratio is what encryption at rest and the engine \
         cost a listing.",
    );
    (d, r, rows)
}

/// Listing time at a hundredth and a tenth of the flows, on tenants of
/// their own, and at all of them (measured by [`full_listing`]).
fn growth(flows: i64, full: Listing) -> Section {
    let mut section = Section::new(
        "Flows growth",
        "Power Automate: listing time against the number of flows",
        format!(
            "`{COMMAND}` returning every flow, in process as above, on tenants of {}, {} and {} flows, beside \
             the same reference. Growth should be linear or better: the time per flow should not rise with size.",
            n(flows / 100),
            n(flows / 10),
            n(flows)
        ),
    );
    let mut previous: Option<f64> = None;
    for size in [flows / 100, flows / 10, flows] {
        let (d, r, rows) = if size == flows {
            full
        } else {
            step(&format!("flows: growth at {size} flows"));
            let t = Tenant::new(&format!("flows-{size}"), 0);
            t.run("New-PpCmkSampleData", json!({"EnvironmentName": t.env, "Flows": size}));
            beside_reference(&t)
        };
        let per_flow = d.as_secs_f64() * 1e6 / rows.max(1) as f64;
        let versus = previous.map(|p| format!("; {:.2}× the previous size's", per_flow / p)).unwrap_or_default();
        previous = Some(per_flow);
        section.row(
            Row::new(
                format!("{} flows, in process", n(rows as i64)),
                format!("{:.1} ms ({per_flow:.2} µs per flow{versus})", ms(d)),
            )
            .reference(format!("one SQLite query + serde: {:.1} ms", ms(r)))
            .ratio(format!("{:.2}×", ms(d) / ms(r))),
        );
    }
    section
}

/// The full listing in process with its response text, timed in
/// alternation with its reference: (median time, the reference's, rows).
fn beside_reference(t: &Tenant) -> Listing {
    let reference = Reference::new(t);
    let request = json!({"command": COMMAND, "parameters": {"EnvironmentName": t.env}});
    let rows = listing(t, &request).0;
    let (d, r) = time_paired(
        5,
        Duration::from_secs(6),
        || drop(listing(t, &request)),
        || drop(std::hint::black_box(reference.json())),
    );
    (d, r, rows)
}

/// One listing in process with its response text, as the C ABI returns it: (rows, text).
fn listing(t: &Tenant, request: &serde_json::Value) -> (usize, String) {
    let outcome = ppcmk::invoke_json(&t.store, request, Default::default());
    let rows = outcome.as_ref().expect("the listing failed").objects.len();
    (rows, std::hint::black_box(ppcmk::into_response_text(outcome)))
}

/// The command in process with its response text: (median time, rows).
fn in_process(t: &Tenant, switch: bool) -> (Duration, usize) {
    let request = json!({"command": COMMAND, "parameters": {"EnvironmentName": t.env, "ListCannotMigrateToCustomerManagedKey": switch}});
    let rows = listing(t, &request).0;
    (time_it(5, Duration::from_secs(3), || drop(listing(t, &request))), rows)
}

/// The command as a whole `ppcmk` process, median of 7.
fn cli(t: &Tenant, switch: bool, json: bool) -> Duration {
    median((0..7).map(|_| cli_once(t, switch, json)).collect())
}

/// One whole `ppcmk` process running the command, its output discarded.
fn cli_once(t: &Tenant, switch: bool, json: bool) -> Duration {
    let mut cmd = cli_command(t);
    if switch {
        cmd.arg("-ListCannotMigrateToCustomerManagedKey");
    }
    if json {
        cmd.args(["-OutputFormat", "Json"]);
    }
    let started = Instant::now();
    let status = cmd.stdout(std::process::Stdio::null()).status().unwrap();
    let elapsed = started.elapsed();
    assert!(status.success());
    elapsed
}

fn cli_command(t: &Tenant) -> std::process::Command {
    let mut cmd = std::process::Command::new(crate::ppcmk_exe());
    cmd.args([COMMAND, "-EnvironmentName", &t.env]).env("PPCMK_HOME", &t.dir);
    cmd
}

/// Peak RSS of a CLI process writing the full listing as JSON, and the
/// size of what it wrote: (bytes, bytes).
fn cli_peak_memory(t: &Tenant) -> (u64, u64) {
    let out = t.dir.join("listing.json");
    let mut cmd = cli_command(t);
    cmd.args(["-OutputFormat", "Json"]);
    let (status, peak) = crate::run_with_peak_rss(&cmd, std::fs::File::create(&out).unwrap().into());
    assert_eq!(status, 0, "the listing failed");
    let bytes = std::fs::metadata(&out).unwrap().len();
    let _ = std::fs::remove_file(&out);
    (peak, bytes)
}

/// The listing's rows in clear in a SQLite file of their own.
struct Reference {
    conn: rusqlite::Connection,
    expected: String,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct ReferenceRow<'a> {
    display_name: &'a str,
    flow_name: &'a str,
    environment_name: &'a str,
    reason: Option<&'a str>,
    child_flow_name: Option<&'a str>,
    reason_detail: &'a str,
}

impl Reference {
    fn new(t: &Tenant) -> Reference {
        let outcome = ppcmk::invoke_json(
            &t.store,
            &json!({"command": COMMAND, "parameters": {"EnvironmentName": t.env}}),
            Default::default(),
        );
        let expected = ppcmk::response_text(&outcome);
        let path = t.dir.join("reference.db");
        let _ = std::fs::remove_file(&path);
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE listing (display_name TEXT NOT NULL, flow_name TEXT NOT NULL, environment_name TEXT NOT NULL,
                                   reason TEXT, child_flow_name TEXT, reason_detail TEXT NOT NULL);",
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx.prepare("INSERT INTO listing VALUES (?1, ?2, ?3, ?4, ?5, ?6)").unwrap();
            for o in outcome.unwrap().objects.iter() {
                let text = |k: &str| o[k].as_str().map(str::to_string);
                insert
                    .execute(rusqlite::params![
                        text("DisplayName"),
                        text("FlowName"),
                        text("EnvironmentName"),
                        text("Reason"),
                        text("ChildFlowName"),
                        text("ReasonDetail")
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
        let reference = Reference { conn, expected };
        assert_eq!(reference.json(), reference.expected, "the reference must write the command's JSON");
        reference
    }

    /// One query, each row serialised as it is read.
    fn json(&self) -> String {
        use serde::ser::{SerializeStruct, Serializer};
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT display_name, flow_name, environment_name, reason, child_flow_name, reason_detail
                 FROM listing ORDER BY rowid",
            )
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        // Grown as it is written, as serde_json::to_string does for the engine.
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::new(&mut out);
        let mut envelope = ser.serialize_struct("Response", 3).unwrap();
        envelope.serialize_field("ok", &true).unwrap();
        envelope.serialize_field("objects", &RowsOnce(std::cell::RefCell::new(&mut rows))).unwrap();
        envelope.serialize_field("warnings", &[] as &[String]).unwrap();
        SerializeStruct::end(envelope).unwrap();
        String::from_utf8(out).unwrap()
    }
}

/// SQLite rows serialised as they are stepped: nothing is collected first.
struct RowsOnce<'a, 'b>(std::cell::RefCell<&'a mut rusqlite::Rows<'b>>);

impl serde::Serialize for RowsOnce<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut rows = self.0.borrow_mut();
        let mut seq = serializer.serialize_seq(None)?;
        while let Some(r) = rows.next().unwrap() {
            let text = |i: usize| r.get_ref(i).unwrap().as_str_or_null().unwrap();
            seq.serialize_element(&ReferenceRow {
                display_name: text(0).unwrap(),
                flow_name: text(1).unwrap(),
                environment_name: text(2).unwrap(),
                reason: text(3),
                child_flow_name: text(4),
                reason_detail: text(5).unwrap(),
            })?;
        }
        seq.end()
    }
}
