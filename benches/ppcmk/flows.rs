//! Power Automate: `Get-AdminFlowEncryptedByMicrosoftKey` over a large
//! environment, in process and as a whole CLI process, before and after the
//! environment moves to the customer key.

use crate::report::{Report, Row, Section, Target};
use crate::{median, ms, n, size_from_env, step, time_it, Tenant};
use serde_json::json;
use std::time::{Duration, Instant};

/// Targets for the documented queries.
const IN_PROCESS_MS: f64 = 50.0;
const CLI_MS: f64 = 100.0;

pub fn run(report: &mut Report) {
    let flows = size_from_env("PPCMK_BENCH_FLOWS", 100_000);
    report.sizes.push(format!("flows: {} flows (`PPCMK_BENCH_FLOWS`, default 100,000)", n(flows)));
    let mut section = Section::new(
        "Flows",
        format!("Power Automate: `Get-AdminFlowEncryptedByMicrosoftKey` over {} flows", n(flows)),
        "Sample mix: one flow in a thousand each has an HTTP, a Teams and a non-solution Power Apps v1 \
         trigger, so three in a thousand stay on the Microsoft key. *In process*: the command through \
         `invoke_json`, median over at least 5 runs and 3 s; its reference is the same query as a whole \
         `ppcmk` CLI process (start-up, store opening, output to /dev/null), median of 7.",
    );
    step("flows: loading the flows");
    let t = Tenant::new("flows", 0);
    let load = Instant::now();
    t.run("New-PpCmkSampleData", json!({"EnvironmentName": t.env, "Flows": flows}));
    section.row(Row::new(
        "loading the flows (`New-PpCmkSampleData -Flows`, not a target)",
        format!("{:.1} s", load.elapsed().as_secs_f64()),
    ));
    let in_process = |switch: bool| -> (Duration, usize) {
        let params = json!({"EnvironmentName": t.env, "ListCannotMigrateToCustomerManagedKey": switch});
        let rows = t.run("Get-AdminFlowEncryptedByMicrosoftKey", params.clone()).len();
        let d =
            time_it(5, Duration::from_secs(3), || drop(t.run("Get-AdminFlowEncryptedByMicrosoftKey", params.clone())));
        (d, rows)
    };
    let cli = |switch: bool| -> Duration {
        let mut samples = Vec::new();
        for _ in 0..7 {
            let mut cmd = std::process::Command::new(crate::ppcmk_exe());
            cmd.args(["Get-AdminFlowEncryptedByMicrosoftKey", "-EnvironmentName", &t.env]).env("PPCMK_HOME", &t.dir);
            if switch {
                cmd.arg("-ListCannotMigrateToCustomerManagedKey");
            }
            let started = Instant::now();
            let status = cmd.stdout(std::process::Stdio::null()).status().unwrap();
            samples.push(started.elapsed());
            assert!(status.success());
        }
        median(samples)
    };
    let mut query = |label: &str, switch: bool| {
        let (d, rows) = in_process(switch);
        let c = cli(switch);
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
    };
    step("flows: the queries before CMK");
    query("before CMK, `-ListCannotMigrateToCustomerManagedKey`", true);
    query("before CMK, every flow on the Microsoft key (all of them)", false);
    step("flows: the link, then the queries after CMK");
    t.link_in_child();
    query("after CMK, `-ListCannotMigrateToCustomerManagedKey`", true);
    query("after CMK, every flow on the Microsoft key", false);
    report.add(section);
}
