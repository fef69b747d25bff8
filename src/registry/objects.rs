//! A command's output rows. Most commands return a few objects, each an
//! ordered map. A large listing returns [`JsonRows`] instead: each row is
//! serialised to JSON as it is read from the store, so that listing 100,000
//! flows builds no value per cell and no map per row, and the C ABI, REST and
//! the CLI's JSON copy the text as it is (docs/performance.md, "Listings").
//! Every surface reads both forms through the same methods; a surface that
//! needs values (a table, CSV, a gate, REST) gets them parsed once, on first
//! use, into one vector of values per row (no map per row).
//! Both forms serialise to the same JSON.

use super::Object;
use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::OnceLock;

/// Bytes kept in front of a listing's JSON, so that the C ABI's response can
/// put its envelope there instead of copying the rows into a new string
/// (`surface::into_response_text`, whose start is exactly this long).
pub const HEADROOM: usize = 21;

/// Rows of the same properties, already serialised as a compact JSON array.
#[derive(Debug, Clone)]
pub struct JsonRows {
    /// The property names of every row, in order (the output spec's).
    pub columns: &'static [&'static str],
    len: usize,
    /// [`HEADROOM`] spaces, then `[{...},{...}]` as serde_json writes it.
    text: String,
    /// Each row's values in the columns' order, for a surface that reads values.
    parsed: OnceLock<Vec<Vec<Value>>>,
}

impl PartialEq for JsonRows {
    fn eq(&self, other: &JsonRows) -> bool {
        self.columns == other.columns && self.text() == other.text()
    }
}

impl JsonRows {
    /// The compact JSON array of the rows.
    pub fn text(&self) -> &str {
        &self.text[HEADROOM..]
    }

    /// `start` (exactly [`HEADROOM`] bytes) followed by the rows' JSON, in
    /// the rows' own buffer: nothing is copied.
    pub fn into_text_after(self, start: &str) -> String {
        assert_eq!(start.len(), HEADROOM, "the start fills the headroom exactly");
        let mut text = self.text;
        text.replace_range(..HEADROOM, start);
        text
    }

    fn values(&self) -> &[Vec<Value>] {
        self.parsed.get_or_init(|| parse(self.text(), self.columns.len()))
    }

    fn into_values(self) -> Vec<Vec<Value>> {
        let (text, columns) = (&self.text[HEADROOM..], self.columns.len());
        self.parsed.into_inner().unwrap_or_else(|| parse(text, columns))
    }

    fn object(&self, values: &[Value]) -> Object {
        self.columns.iter().zip(values).map(|(c, v)| (c.to_string(), v.clone())).collect()
    }
}

/// The values of each row of text a [`JsonRowsWriter`] wrote, in its
/// columns' order (each row's keys are its columns, in order, so only the
/// values are kept). serde_json's own output of text and null cells always parses.
fn parse(text: &str, columns: usize) -> Vec<Vec<Value>> {
    struct Rows(usize);
    struct Row(usize);
    impl<'de> Visitor<'de> for Rows {
        type Value = Vec<Vec<Value>>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of rows")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut rows = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(row) = seq.next_element_seed(Row(self.0))? {
                rows.push(row);
            }
            Ok(rows)
        }
    }
    impl<'de> serde::de::DeserializeSeed<'de> for Row {
        type Value = Vec<Value>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Value>, D::Error> {
            d.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Row {
        type Value = Vec<Value>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a row")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Value>, A::Error> {
            let mut values = Vec::with_capacity(self.0);
            while let Some((IgnoredAny, value)) = map.next_entry::<IgnoredAny, Value>()? {
                values.push(value);
            }
            Ok(values)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_seq(Rows(columns)).expect("rows written by JsonRowsWriter parse")
}

/// One cell of a row given to [`JsonRowsWriter::push`].
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Null,
    /// Text, escaped as it is written.
    Text(&'a str),
    /// Text escaped once with [`JsonRowsWriter::escaped`]: for a value that
    /// repeats on every row (an environment's name, a reason in words).
    Escaped(&'a EscapedText),
}

impl<'a> From<Option<&'a str>> for Cell<'a> {
    fn from(text: Option<&'a str>) -> Cell<'a> {
        text.map_or(Cell::Null, Cell::Text)
    }
}

/// A JSON string, quotes included, as serde_json writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct EscapedText(String);

/// Serialises rows one at a time into [`JsonRows`], as serde_json would
/// serialise a map per row: each row's keys are written from text
/// serialised once per listing, and so is each cell given as
/// [`Cell::Escaped`].
pub struct JsonRowsWriter {
    columns: &'static [&'static str],
    /// Per column: `{"Name":` for the first, `,"Name":` for the others.
    keys: Vec<Vec<u8>>,
    len: usize,
    text: Vec<u8>,
}

impl JsonRowsWriter {
    pub fn new(columns: &'static [&'static str]) -> JsonRowsWriter {
        let keys = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut key = vec![if i == 0 { b'{' } else { b',' }];
                write_json_string(&mut key, c);
                key.push(b':');
                key
            })
            .collect();
        let mut text = vec![b' '; HEADROOM];
        text.push(b'[');
        JsonRowsWriter { columns, keys, len: 0, text }
    }

    /// `text` as a JSON string, for [`Cell::Escaped`].
    pub fn escaped(text: &str) -> EscapedText {
        let mut out = Vec::with_capacity(text.len() + 2);
        write_json_string(&mut out, text);
        EscapedText(String::from_utf8(out).expect("serde_json writes UTF-8"))
    }

    /// Appends one row: a cell per column, in the columns' order.
    pub fn push(&mut self, cells: &[Cell<'_>]) {
        assert_eq!(cells.len(), self.columns.len(), "one cell per column");
        if self.len > 0 {
            self.text.push(b',');
        }
        if cells.is_empty() {
            self.text.extend_from_slice(b"{}");
        }
        for (key, cell) in self.keys.iter().zip(cells) {
            self.text.extend_from_slice(key);
            match cell {
                Cell::Null => self.text.extend_from_slice(b"null"),
                Cell::Text(t) => write_json_string(&mut self.text, t),
                Cell::Escaped(e) => self.text.extend_from_slice(e.0.as_bytes()),
            }
        }
        if !cells.is_empty() {
            self.text.push(b'}');
        }
        self.len += 1;
    }

    pub fn finish(mut self) -> JsonRows {
        self.text.push(b']');
        // serde_json writes UTF-8 only, and so does every other part.
        let text = String::from_utf8(self.text).expect("serde_json writes UTF-8");
        JsonRows { columns: self.columns, len: self.len, text, parsed: OnceLock::new() }
    }
}

/// `text` as a JSON string, as serde_json writes it.
fn write_json_string(out: &mut Vec<u8>, text: &str) {
    // serde_json escapes exactly the quote, the backslash and the control
    // characters below 0x20. Most text has none: one branch-free scan, which
    // the compiler vectorises, finds that, and the text is copied as it is.
    let needs_escaping = text.bytes().fold(false, |found, b| found | (b < 0x20) | (b == b'"') | (b == b'\\'));
    if needs_escaping {
        // Writing a string into a Vec cannot fail.
        serde_json::to_writer(out, text).expect("writing to a Vec");
    } else {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// The objects of an outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Objects {
    Maps(Vec<Object>),
    Rows(JsonRows),
}

impl Default for Objects {
    fn default() -> Objects {
        Objects::Maps(Vec::new())
    }
}

impl From<Vec<Object>> for Objects {
    fn from(objects: Vec<Object>) -> Objects {
        Objects::Maps(objects)
    }
}

impl Objects {
    pub fn len(&self) -> usize {
        match self {
            Objects::Maps(m) => m.len(),
            Objects::Rows(r) => r.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Property `name` of row `row`.
    pub fn get(&self, row: usize, name: &str) -> Option<&Value> {
        match self {
            Objects::Maps(m) => m.get(row)?.get(name),
            Objects::Rows(r) => r.columns.iter().position(|c| *c == name).and_then(|i| r.values().get(row)?.get(i)),
        }
    }

    /// Row `row`'s properties in order: (name, value).
    pub fn row(&self, row: usize) -> Vec<(&str, &Value)> {
        match self {
            Objects::Maps(m) => m[row].iter().map(|(k, v)| (k.as_str(), v)).collect(),
            Objects::Rows(r) => r.columns.iter().copied().zip(&r.values()[row]).collect(),
        }
    }

    /// Row `row` as an object: borrowed for maps, built for JSON rows.
    pub fn object(&self, row: usize) -> Cow<'_, Object> {
        match self {
            Objects::Maps(m) => Cow::Borrowed(&m[row]),
            Objects::Rows(r) => Cow::Owned(r.object(&r.values()[row])),
        }
    }

    pub fn first(&self) -> Option<Cow<'_, Object>> {
        (!self.is_empty()).then(|| self.object(0))
    }

    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, Object>> + '_ {
        (0..self.len()).map(|i| self.object(i))
    }

    /// The rows as objects (built for JSON rows).
    pub fn into_maps(self) -> Vec<Object> {
        match self {
            Objects::Maps(m) => m,
            Objects::Rows(r) => {
                let columns = r.columns;
                r.into_values()
                    .into_iter()
                    .map(|row| columns.iter().map(|c| c.to_string()).zip(row).collect())
                    .collect()
            }
        }
    }

    /// The property names of every row, in first-seen order.
    pub fn properties(&self) -> Vec<String> {
        match self {
            Objects::Rows(r) => r.columns.iter().map(|c| c.to_string()).collect(),
            Objects::Maps(m) => {
                let mut columns: Vec<String> = Vec::new();
                for o in m {
                    for k in o.keys() {
                        if !columns.contains(k) {
                            columns.push(k.clone());
                        }
                    }
                }
                columns
            }
        }
    }

    /// The rows as a compact JSON array, appended to `out`: the text of
    /// [`JsonRows`] as it is, without parsing it.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            // Maps of JSON values with string keys always serialise.
            Objects::Maps(m) => serde_json::to_writer(out, m).expect("JSON values always serialise"),
            Objects::Rows(r) => out.extend_from_slice(r.text().as_bytes()),
        }
    }

    /// How long [`Objects::write_json`]'s text is, when it is known without writing it.
    pub fn json_len_hint(&self) -> usize {
        match self {
            Objects::Maps(_) => 0,
            Objects::Rows(r) => r.text().len(),
        }
    }
}

impl IntoIterator for Objects {
    type Item = Object;
    type IntoIter = std::vec::IntoIter<Object>;

    fn into_iter(self) -> Self::IntoIter {
        self.into_maps().into_iter()
    }
}

impl serde::Serialize for Objects {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Objects::Maps(m) => m.serialize(serializer),
            Objects::Rows(r) => {
                let rows = r.values();
                let mut seq = serializer.serialize_seq(Some(rows.len()))?;
                for values in rows {
                    seq.serialize_element(&RowOf { columns: r.columns, values })?;
                }
                seq.end()
            }
        }
    }
}

/// One of [`JsonRows`]' rows, from its parsed values.
struct RowOf<'a> {
    columns: &'static [&'static str],
    values: &'a [Value],
}

impl serde::Serialize for RowOf<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.columns.len()))?;
        for (c, v) in self.columns.iter().zip(self.values) {
            map.serialize_entry(c, v)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows(cells: &[[Option<&str>; 3]]) -> Objects {
        let mut writer = JsonRowsWriter::new(&["Name", "Detail", "Reason"]);
        for [name, detail, reason] in cells {
            // The same text, given escaped once or escaped as it is written.
            let escaped = detail.map(JsonRowsWriter::escaped);
            let detail = escaped.as_ref().map_or(Cell::Null, Cell::Escaped);
            writer.push(&[Cell::from(*name), detail, Cell::from(*reason)]);
        }
        Objects::Rows(writer.finish())
    }

    #[test]
    fn rows_read_and_serialise_like_their_objects() {
        let tricky = "quote \" back \\ tab \t nul \u{0} bell \u{7} é 🙂 ]},";
        let written = rows(&[[Some("a"), Some(tricky), None], [Some("b"), Some(""), Some("Http")]]);
        let maps = Objects::Maps(vec![
            serde_json::from_value(json!({"Name": "a", "Detail": tricky, "Reason": null})).unwrap(),
            serde_json::from_value(json!({"Name": "b", "Detail": "", "Reason": "Http"})).unwrap(),
        ]);
        let compact = |o: &Objects| {
            let mut out = Vec::new();
            o.write_json(&mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(compact(&written), compact(&maps));
        assert_eq!(compact(&written), serde_json::to_string(&maps).unwrap());
        assert_eq!(serde_json::to_string(&written).unwrap(), serde_json::to_string(&maps).unwrap());
        assert_eq!(written.json_len_hint(), compact(&written).len());
        for o in [&written, &maps] {
            assert_eq!(o.len(), 2);
            assert_eq!(o.get(0, "Detail"), Some(&json!(tricky)));
            assert_eq!(o.get(1, "Reason"), Some(&json!("Http")));
            assert_eq!(o.get(1, "Missing"), None);
            assert_eq!(o.get(2, "Name"), None);
            assert_eq!(o.row(0).iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["Name", "Detail", "Reason"]);
            assert_eq!(o.properties(), ["Name", "Detail", "Reason"]);
            assert_eq!(o.first().unwrap()["Name"], "a");
        }
        assert_eq!(written.clone().into_maps(), maps.clone().into_maps());
    }

    #[test]
    fn text_is_escaped_as_serde_json_escapes_it() {
        let mut every_byte: String = (0u8..=0x7f).map(char::from).collect();
        every_byte.push_str("é 🙂 \u{2028} \u{ffff}");
        for text in ["", "plain", "a\"b", "back\\slash", "tab\t", "\u{1f}", "\u{7f}", &every_byte] {
            let mut out = Vec::new();
            write_json_string(&mut out, text);
            assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn no_rows_is_an_empty_array_that_keeps_its_columns() {
        let empty = rows(&[]);
        let mut out = Vec::new();
        empty.write_json(&mut out);
        assert_eq!(out, b"[]");
        assert!(empty.is_empty());
        assert_eq!(empty.properties(), ["Name", "Detail", "Reason"]);
        assert!(empty.first().is_none());
    }
}
