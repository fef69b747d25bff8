//! The benchmark report: one table per area, each figure beside its reference,
//! targets judged from the numbers, and the Markdown that becomes BENCHMARKS.md.
//! Nothing here measures; it only records and formats what the sections measured.

use std::fmt::Write as _;

/// Whether a target is met, computed from this run's numbers.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    NotMet,
    /// A reference the target depends on could not be measured on this machine.
    NotMeasured,
}

impl Verdict {
    fn label(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::NotMet => "**not met**",
            Verdict::NotMeasured => "not measured",
        }
    }
}

/// A target and its verdict.
pub struct Target {
    pub text: String,
    pub verdict: Verdict,
}

impl Target {
    pub fn at_least(value: f64, limit: f64, text: impl Into<String>) -> Target {
        Target { text: text.into(), verdict: if value >= limit { Verdict::Met } else { Verdict::NotMet } }
    }

    pub fn above(value: f64, limit: f64, text: impl Into<String>) -> Target {
        Target { text: text.into(), verdict: if value > limit { Verdict::Met } else { Verdict::NotMet } }
    }

    pub fn at_most(value: f64, limit: f64, text: impl Into<String>) -> Target {
        Target { text: text.into(), verdict: if value <= limit { Verdict::Met } else { Verdict::NotMet } }
    }

    pub fn not_measured(text: impl Into<String>) -> Target {
        Target { text: text.into(), verdict: Verdict::NotMeasured }
    }
}

/// One measured figure beside its reference.
pub struct Row {
    measure: String,
    figure: String,
    reference: String,
    ratio: String,
    target: Option<Target>,
}

impl Row {
    pub fn new(measure: impl Into<String>, figure: impl Into<String>) -> Row {
        Row {
            measure: measure.into(), figure: figure.into(), reference: "—".into(), ratio: "—".into(), target: None
        }
    }

    pub fn reference(mut self, reference: impl Into<String>) -> Row {
        self.reference = reference.into();
        self
    }

    pub fn ratio(mut self, ratio: impl Into<String>) -> Row {
        self.ratio = ratio.into();
        self
    }

    pub fn target(mut self, target: Target) -> Row {
        self.target = Some(target);
        self
    }
}

/// One area's table with the paragraphs that say what was measured.
pub struct Section {
    /// A short name for the summary ("Link", "C ABI").
    area: &'static str,
    title: String,
    intro: String,
    rows: Vec<Row>,
    notes: Vec<String>,
}

impl Section {
    pub fn new(area: &'static str, title: impl Into<String>, intro: impl Into<String>) -> Section {
        Section { area, title: title.into(), intro: intro.into(), rows: Vec::new(), notes: Vec::new() }
    }

    pub fn row(&mut self, row: Row) {
        self.rows.push(row);
    }

    /// A paragraph printed under the table (method details, caveats).
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    fn markdown(&self) -> String {
        let mut out = format!("## {}\n\n{}\n\n", self.title, self.intro);
        out.push_str("| Measure | ppcmk | Reference (same run) | Ratio | Target | Met? |\n");
        out.push_str("|---|---:|---:|---:|---|---|\n");
        for r in &self.rows {
            let (target, verdict) = match &r.target {
                Some(t) => (t.text.as_str(), t.verdict.label()),
                None => ("—", "—"),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&r.measure),
                cell(&r.figure),
                cell(&r.reference),
                cell(&r.ratio),
                cell(target),
                verdict
            );
        }
        for n in &self.notes {
            let _ = write!(out, "\n{n}\n");
        }
        out
    }
}

/// Keeps a table cell on one row of the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Everything one run measured, in the order it ran.
pub struct Report {
    pub sizes: Vec<String>,
    /// Conditions that make this run's figures less representative (reduced sizes, a busy machine).
    pub caveats: Vec<String>,
    sections: Vec<Section>,
}

impl Report {
    pub fn new() -> Report {
        Report { sizes: Vec::new(), caveats: Vec::new(), sections: Vec::new() }
    }

    /// Prints the section at once (a long run shows progress) and keeps it for the file.
    pub fn add(&mut self, section: Section) {
        println!("\n{}", section.markdown());
        self.sections.push(section);
    }

    /// The rows that have a target, with their area.
    fn targets(&self) -> impl Iterator<Item = (&str, &Row, &Target)> {
        self.sections.iter().flat_map(|s| s.rows.iter().filter_map(move |r| r.target.as_ref().map(|t| (s.area, r, t))))
    }

    /// The summary of targets, as printed at the end of the run and in the file.
    pub fn summary(&self) -> String {
        let mut out = String::from("## Targets\n\n");
        for (verdict, heading) in [
            (Verdict::Met, "Met"),
            (Verdict::NotMet, "Not met"),
            (Verdict::NotMeasured, "Not measured (a reference program is missing)"),
        ] {
            let hits: Vec<_> = self.targets().filter(|(_, _, t)| t.verdict == verdict).collect();
            let _ = writeln!(out, "{heading}: {}\n", hits.len());
            for (area, row, t) in hits {
                let ratio = if row.ratio == "—" { String::new() } else { format!(", ratio {}", row.ratio) };
                let _ = writeln!(out, "- {area}: {} — {}{ratio}; target {}", row.measure, row.figure, t.text);
            }
            if self.targets().any(|(_, _, t)| t.verdict == verdict) {
                out.push('\n');
            }
        }
        out
    }

    /// The whole BENCHMARKS.md.
    pub fn markdown(&self, machine: &str, command: &str, total_secs: f64) -> String {
        let mut out = String::from("# ppcmk benchmarks\n\n");
        let _ = writeln!(
            out,
            "Generated by `{command}` in one run of {total_secs:.0} s; every figure and every verdict below \
             comes from that run, each beside a reference measured in the same run on the same machine. \
             Do not edit by hand: run the command again.\n"
        );
        let _ = writeln!(out, "Sizes of this run:\n");
        for s in &self.sizes {
            let _ = writeln!(out, "- {s}");
        }
        for c in &self.caveats {
            let _ = writeln!(out, "\n**Caveat:** {c}");
        }
        let _ = writeln!(out, "\n## Machine\n\n{machine}");
        out.push_str(&self.summary());
        for s in &self.sections {
            out.push('\n');
            out.push_str(&s.markdown());
        }
        out
    }
}

/// 1234567 → "1,234,567".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
