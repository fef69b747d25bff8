//! Rendering output objects as PowerShell-like tables and lists, JSON and CSV.
//! The CLI uses all four; the PowerShell module formats with its own format
//! data (generated from the same table columns) and `Export-Csv`.

use super::bind::OutputFormat;
use super::{Objects, OutputSpec};
use serde_json::Value;

/// Renders `objects` in `format`. Table and List follow PowerShell's layout;
/// JSON is always an array; CSV quotes every field as `Export-Csv` does.
pub fn render(objects: &Objects, spec: &OutputSpec, format: OutputFormat) -> String {
    match format {
        OutputFormat::Table => table(objects, spec),
        OutputFormat::List => list(objects),
        OutputFormat::Json => json(objects),
        OutputFormat::Csv => csv(objects),
    }
}

pub fn json(objects: &Objects) -> String {
    let mut s = serde_json::to_string_pretty(objects).expect("JSON values always serialise");
    s.push('\n');
    s
}

/// [`render`] written to `out`. JSON is serialised straight into it, so that
/// a listing of every flow never holds its whole text in memory as well.
pub fn write(
    objects: &Objects,
    spec: &OutputSpec,
    format: OutputFormat,
    out: &mut impl std::io::Write,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Json => {
            match objects {
                // A listing's rows are JSON already: indented as they are copied.
                Objects::Rows(rows) => write_indented(rows.text().as_bytes(), &mut *out)?,
                Objects::Maps(maps) => serde_json::to_writer_pretty(&mut *out, maps)?,
            }
            out.write_all(b"\n")
        }
        _ => out.write_all(render(objects, spec, format).as_bytes()),
    }
}

/// Writes compact JSON (serde_json's, with no space outside strings) as
/// `serde_json::to_writer_pretty` would have written the same value: two
/// spaces per level, `": "` after a key, `[]` and `{}` when empty.
fn write_indented(compact: &[u8], out: &mut impl std::io::Write) -> std::io::Result<()> {
    fn newline(buf: &mut Vec<u8>, depth: usize) {
        const INDENTED: &[u8; 33] = b"\n                                ";
        match INDENTED.get(..1 + 2 * depth) {
            Some(indented) => buf.extend_from_slice(indented),
            None => {
                buf.push(b'\n');
                buf.resize(buf.len() + 2 * depth, b' ');
            }
        }
    }
    let mut buf = Vec::with_capacity(1 << 16);
    // Per open array or object: whether it has had a value yet.
    let mut open: Vec<bool> = Vec::new();
    let mut after_colon = false;
    let mut i = 0;
    while i < compact.len() {
        let c = compact[i];
        match c {
            b']' | b'}' => {
                if open.pop() == Some(true) {
                    newline(&mut buf, open.len());
                }
                buf.push(c);
                i += 1;
            }
            b',' => i += 1, // written before the next value
            b':' => {
                buf.extend_from_slice(b": ");
                after_colon = true;
                i += 1;
            }
            _ => {
                // The start of a value or a key: its place in its container first.
                if !after_colon {
                    if let Some(has_value) = open.last_mut() {
                        if *has_value {
                            buf.push(b',');
                        }
                        *has_value = true;
                        newline(&mut buf, open.len());
                    }
                }
                after_colon = false;
                // Then the token itself: a bracket, a string, or a scalar.
                let end = match c {
                    b'[' | b'{' => {
                        open.push(false);
                        i + 1
                    }
                    b'"' => {
                        // To the closing quote: the next quote not escaped by a backslash.
                        let mut j = i + 1;
                        loop {
                            j += memchr::memchr2(b'"', b'\\', &compact[j..]).expect("a string ends");
                            if compact[j] == b'"' {
                                break j + 1;
                            }
                            j += 2;
                        }
                    }
                    _ => {
                        i + compact[i..]
                            .iter()
                            .position(|b| matches!(b, b',' | b']' | b'}'))
                            .unwrap_or(compact.len() - i)
                    }
                };
                buf.extend_from_slice(&compact[i..end]);
                i = end;
            }
        }
        if buf.len() >= 1 << 16 {
            out.write_all(&buf)?;
            buf.clear();
        }
    }
    out.write_all(&buf)
}

/// One cell as PowerShell displays it: `True`/`False`, `{a, b}` for arrays,
/// `@{k=v}` for objects, empty for null.
pub fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.replace(['\r', '\n'], " "),
        Value::Array(items) => format!("{{{}}}", items.iter().map(cell).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            format!("@{{{}}}", map.iter().map(|(k, v)| format!("{k}={}", cell(v))).collect::<Vec<_>>().join("; "))
        }
    }
}

fn columns_of(objects: &Objects, spec: &OutputSpec) -> Vec<String> {
    if !spec.table.is_empty() {
        return spec.table.iter().map(|c| c.to_string()).collect();
    }
    objects.properties()
}

/// One property of each object, one per line (a command's `yields` switch).
pub fn values(objects: &Objects, property: &str) -> String {
    (0..objects.len()).map(|i| format!("{}\n", objects.get(i, property).map(cell).unwrap_or_default())).collect()
}

fn table(objects: &Objects, spec: &OutputSpec) -> String {
    if objects.is_empty() {
        return String::new();
    }
    let columns = columns_of(objects, spec);
    let n = objects.len();
    let rows: Vec<Vec<String>> =
        (0..n).map(|r| columns.iter().map(|c| objects.get(r, c).map(cell).unwrap_or_default()).collect()).collect();
    let numeric: Vec<bool> = columns
        .iter()
        .map(|c| (0..n).all(|r| objects.get(r, c).is_none_or(|v| v.is_number() || v.is_null())))
        .collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([columns[i].chars().count()]).max().unwrap_or(0))
        .collect();
    let line = |out: &mut String, cells: &[String]| {
        let start = out.len();
        for (i, text) in cells.iter().enumerate() {
            let pad = widths[i] - text.chars().count();
            let last = i + 1 == cells.len();
            if numeric[i] {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(text);
            } else {
                out.push_str(text);
                if !last {
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            if !last {
                out.push(' ');
            }
        }
        let kept = out[start..].trim_end().len();
        out.truncate(start + kept);
        out.push('\n');
    };
    let mut out = String::from("\n");
    line(&mut out, &columns);
    let dashes: Vec<String> = columns.iter().map(|c| "-".repeat(c.chars().count())).collect();
    line(&mut out, &dashes);
    for r in &rows {
        line(&mut out, r);
    }
    out.push('\n');
    out
}

fn list(objects: &Objects) -> String {
    let mut out = String::new();
    for i in 0..objects.len() {
        out.push('\n');
        let row = objects.row(i);
        let width = row.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (k, v) in row {
            let text = cell(v);
            out.push_str(format!("{k:width$} : {text}").trim_end());
            out.push('\n');
        }
    }
    if !objects.is_empty() {
        out.push('\n');
    }
    out
}

/// CSV with every field quoted. Nested values are written as JSON. Text that
/// a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, tab
/// or carriage return, and not a plain number) gets a leading `'`, the
/// neutralisation spreadsheet tools expect.
pub fn csv(objects: &Objects) -> String {
    let columns = objects.properties();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    csv_with_columns(objects, &columns)
}

/// [`csv`] with a fixed header, written even when there are no objects.
pub fn csv_with_columns(objects: &Objects, columns: &[&str]) -> String {
    let mut writer = csv::WriterBuilder::new().quote_style(csv::QuoteStyle::Always).from_writer(Vec::new());
    if !columns.is_empty() {
        writer.write_record(columns).expect("writing to memory");
    }
    for i in 0..objects.len() {
        let record: Vec<String> =
            columns.iter().map(|c| csv_field(objects.get(i, c).unwrap_or(&Value::Null))).collect();
        writer.write_record(&record).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("writing to memory")).expect("fields are UTF-8")
}

fn csv_field(value: &Value) -> String {
    match value {
        Value::String(s) => neutralise_formula(s),
        Value::Array(_) | Value::Object(_) => neutralise_formula(&value.to_string()),
        other => cell(other),
    }
}

/// Prefixes `'` to text a spreadsheet would evaluate as a formula: text
/// starting with `=`, `+`, `-`, `@`, tab or carriage return (OWASP's CSV
/// Injection list) or NUL (ASVS 5.0, 1.2.10), unless it is a plain decimal
/// number such as `-5` or `+1.5e3`. Only numbers written exactly so are
/// exempt: `-inf`, `NaN` or ` -5` are text to a spreadsheet, and Rust's
/// float parser would let them through.
pub fn neutralise_formula(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r', '\0']);
    if risky && !is_plain_number(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `[+-]digits[.digits][e[+-]digits]` and nothing else.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn compact_json_is_indented_as_serde_json_would() {
        let values = [
            json!([]),
            json!({}),
            json!([{"a": [1, [], {}, [null, true]], "b": {"c": null, "d": "x\"],{:\\"}, "e": -1.5e10, "f": {}}]),
            json!([{"Name": "quote \" back \\ nul \u{0} é 🙂", "N": 0}, {"Name": "", "N": 12}]),
            json!("top"),
            // Deeper than the indentation kept ready.
            (0..20).fold(json!({"leaf": "\\\""}), |inner, _| json!([{"k": [inner]}, 1])),
        ];
        for v in values {
            let mut out = Vec::new();
            write_indented(serde_json::to_string(&v).unwrap().as_bytes(), &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string_pretty(&v).unwrap());
        }
    }

    #[test]
    fn json_rows_and_maps_write_the_same_cli_json() {
        use crate::registry::{Cell, JsonRowsWriter};
        let mut writer = JsonRowsWriter::new(&["Name", "Reason"]);
        writer.push(&[Cell::Text("a \"b\""), Cell::Null]);
        writer.push(&[Cell::Text("c"), Cell::Text("Http")]);
        let rows = Objects::Rows(writer.finish());
        let maps = Objects::Maps(rows.clone().into_maps());
        let spec = OutputSpec { type_name: "T", properties: &["Name", "Reason"], table: &["Name"] };
        let cli = |o: &Objects, f| {
            let mut out = Vec::new();
            write(o, &spec, f, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        for f in [OutputFormat::Json, OutputFormat::Table, OutputFormat::Csv, OutputFormat::List] {
            assert_eq!(cli(&rows, f), cli(&maps, f));
        }
        assert_eq!(cli(&rows, OutputFormat::Json), json(&maps));
    }

    fn objs(v: Value) -> Objects {
        Objects::Maps(v.as_array().unwrap().iter().map(|o| o.as_object().unwrap().clone()).collect())
    }

    #[test]
    fn table_looks_like_powershell() {
        let spec = OutputSpec { type_name: "T", properties: &["Name", "Count", "On"], table: &["Name", "Count", "On"] };
        let out =
            table(&objs(json!([{"Name":"alpha","Count":5,"On":true},{"Name":"b","Count":123,"On":false}])), &spec);
        assert_eq!(out, "\nName  Count On\n----  ----- --\nalpha     5 True\nb       123 False\n\n");
    }

    #[test]
    fn list_aligns_names() {
        let out = list(&objs(json!([{"A":"x","Longer":[1,2]}])));
        assert_eq!(out, "\nA      : x\nLonger : {1, 2}\n\n");
    }

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let out = csv(&objs(json!([{"N":"=cmd|' /C calc'!A0","V":-5,"S":"-5","T":"@SUM(1)","L":["a"]}])));
        assert_eq!(
            out,
            "\"N\",\"V\",\"S\",\"T\",\"L\"\n\"'=cmd|' /C calc'!A0\",\"-5\",\"-5\",\"'@SUM(1)\",\"[\"\"a\"\"]\"\n"
        );
    }

    #[test]
    fn only_plain_numbers_escape_neutralisation() {
        for kept in ["-5", "+1.5e3", "-0.25", "abc", "", "'=x"] {
            assert_eq!(neutralise_formula(kept), kept);
        }
        for risky in ["-inf", "-NaN", "+infinity", "\t5", "\r-5", "\0=1", "-5 ", "-1+1", "-"] {
            assert_eq!(neutralise_formula(risky), format!("'{risky}"), "{risky:?}");
        }
    }
}
