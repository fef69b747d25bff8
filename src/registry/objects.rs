//! A command's output rows. Most commands return a few objects, each an
//! ordered map. A large listing returns a [`Table`] instead: its rows share
//! one list of property names, so that 100,000 flows cost 100,000 small
//! vectors rather than 100,000 maps with six owned keys each, and every
//! surface reads them without building the maps (docs/performance.md,
//! "Listings"). Both forms serialise to the same JSON.

use super::Object;
use serde::ser::{SerializeMap, SerializeSeq};
use serde_json::Value;
use std::borrow::Cow;

/// Rows of the same properties, in the output spec's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub columns: &'static [&'static str],
    pub rows: Vec<Vec<Value>>,
}

/// The objects of an outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Objects {
    Maps(Vec<Object>),
    Table(Table),
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
            Objects::Table(t) => t.rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Property `name` of row `row`.
    pub fn get(&self, row: usize, name: &str) -> Option<&Value> {
        match self {
            Objects::Maps(m) => m.get(row)?.get(name),
            Objects::Table(t) => t.columns.iter().position(|c| *c == name).and_then(|i| t.rows.get(row)?.get(i)),
        }
    }

    /// Row `row`'s properties in order: (name, value).
    pub fn row(&self, row: usize) -> Vec<(&str, &Value)> {
        match self {
            Objects::Maps(m) => m[row].iter().map(|(k, v)| (k.as_str(), v)).collect(),
            Objects::Table(t) => t.columns.iter().copied().zip(&t.rows[row]).collect(),
        }
    }

    /// Row `row` as an object: borrowed for maps, built for a table's row.
    pub fn object(&self, row: usize) -> Cow<'_, Object> {
        match self {
            Objects::Maps(m) => Cow::Borrowed(&m[row]),
            Objects::Table(t) => {
                Cow::Owned(t.columns.iter().zip(&t.rows[row]).map(|(c, v)| (c.to_string(), v.clone())).collect())
            }
        }
    }

    pub fn first(&self) -> Option<Cow<'_, Object>> {
        (!self.is_empty()).then(|| self.object(0))
    }

    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, Object>> + '_ {
        (0..self.len()).map(|i| self.object(i))
    }

    /// The rows as objects (building them for a table).
    pub fn into_maps(self) -> Vec<Object> {
        match self {
            Objects::Maps(m) => m,
            Objects::Table(t) => {
                t.rows.into_iter().map(|row| t.columns.iter().map(|c| c.to_string()).zip(row).collect()).collect()
            }
        }
    }

    /// The property names of every row, in first-seen order.
    pub fn properties(&self) -> Vec<String> {
        match self {
            Objects::Table(t) => t.columns.iter().map(|c| c.to_string()).collect(),
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
            Objects::Table(t) => {
                let mut seq = serializer.serialize_seq(Some(t.rows.len()))?;
                for row in &t.rows {
                    seq.serialize_element(&TableRow { columns: t.columns, values: row })?;
                }
                seq.end()
            }
        }
    }
}

struct TableRow<'a> {
    columns: &'static [&'static str],
    values: &'a [Value],
}

impl serde::Serialize for TableRow<'_> {
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

    #[test]
    fn a_table_reads_and_serialises_like_its_objects() {
        let table = Objects::Table(Table {
            columns: &["Name", "Size", "Reason"],
            rows: vec![vec![json!("a"), json!(1), Value::Null], vec![json!("b"), json!(2), json!("Http")]],
        });
        let maps = Objects::Maps(table.clone().into_maps());
        assert_eq!(serde_json::to_string(&table).unwrap(), serde_json::to_string(&maps).unwrap());
        assert_eq!(
            serde_json::to_string(&table).unwrap(),
            r#"[{"Name":"a","Size":1,"Reason":null},{"Name":"b","Size":2,"Reason":"Http"}]"#
        );
        for o in [&table, &maps] {
            assert_eq!(o.len(), 2);
            assert_eq!(o.get(1, "Reason"), Some(&json!("Http")));
            assert_eq!(o.get(1, "Missing"), None);
            assert_eq!(o.row(0).iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["Name", "Size", "Reason"]);
            assert_eq!(o.properties(), ["Name", "Size", "Reason"]);
            assert_eq!(o.first().unwrap()["Name"], "a");
        }
    }
}
