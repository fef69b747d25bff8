//! The registered commands, one file per area, and their catalogue ([`all`],
//! [`find`]): what every surface looks a command name up in. Each command declares its
//! parameters and output shape and translates between them and the area
//! module's functions; rules live in the area modules, not here.

mod accounts;
mod backups;
mod desktop;
mod directory;
mod engine;
mod environments;
mod flows;
mod keys;
mod keyvault;
mod operations;
mod policy;
mod rbac;
mod readiness;
mod resources;
mod twin;

use crate::registry::{Command, Object};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Every area's commands; [`all`] flattens and sorts them.
static AREAS: &[&[Command]] = &[
    accounts::COMMANDS,
    backups::COMMANDS,
    desktop::COMMANDS,
    directory::COMMANDS,
    engine::COMMANDS,
    environments::COMMANDS,
    flows::COMMANDS,
    keys::COMMANDS,
    keyvault::COMMANDS,
    operations::COMMANDS,
    policy::COMMANDS,
    rbac::COMMANDS,
    readiness::COMMANDS,
    resources::COMMANDS,
    twin::COMMANDS,
];

/// Every registered command, sorted by name.
pub fn all() -> &'static [&'static Command] {
    static ALL: once_cell::sync::Lazy<Vec<&'static Command>> = once_cell::sync::Lazy::new(|| {
        let mut all: Vec<&'static Command> = AREAS.iter().flat_map(|area| area.iter()).collect();
        all.sort_by_key(|c| c.name.to_ascii_lowercase());
        all
    });
    &ALL
}

/// Finds a command by name, case-insensitively.
pub fn find(name: &str) -> Option<&'static Command> {
    all().iter().copied().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// An output object from a `json!({...})` literal (property order is kept).
pub(crate) fn object(value: Value) -> Object {
    match value {
        Value::Object(map) => map,
        other => panic!("output objects are JSON objects, not {other}"),
    }
}

/// A time as output objects show it.
pub(crate) fn time(t: DateTime<Utc>) -> Value {
    Value::String(crate::time::to_display(t))
}

pub(crate) fn opt_time(t: Option<DateTime<Utc>>) -> Value {
    t.map(time).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::ParamType;
    use std::collections::HashSet;

    #[test]
    fn every_command_is_well_formed() {
        let mut names = HashSet::new();
        for c in all() {
            assert!(names.insert(c.name.to_ascii_lowercase()), "{} registered twice", c.name);
            assert_eq!(c.name.split('-').count(), 2, "{} is not Verb-Noun", c.name);
            assert!(!c.synopsis.is_empty(), "{} has no synopsis", c.name);
            assert!(!c.example.is_empty(), "{} has no example", c.name);
            let mut params = HashSet::new();
            for p in c.params {
                assert!(params.insert(p.name.to_ascii_lowercase()), "{}: -{} twice", c.name, p.name);
                for a in p.aliases {
                    assert!(params.insert(a.to_ascii_lowercase()), "{}: alias {a} clashes", c.name);
                }
                assert!(!p.help.is_empty(), "{} -{} has no help", c.name, p.name);
                assert!(!(p.ty == ParamType::Switch && p.mandatory), "{} -{}: mandatory switch", c.name, p.name);
                assert!(!p.name.eq_ignore_ascii_case("OutputFormat"), "{}: -OutputFormat is common", c.name);
                assert!(
                    !p.path || matches!(p.ty, ParamType::String | ParamType::StringArray),
                    "{} -{}: only a string or a list of strings can be a path",
                    c.name,
                    p.name
                );
                let looks_like_path = p.name.ends_with("Path") || p.name.ends_with("File");
                assert!(
                    !(looks_like_path && p.ty == ParamType::String) || p.path,
                    "{} -{} names a file: mark it .path() so that PowerShell resolves it against $PWD",
                    c.name,
                    p.name
                );
            }
            for g in c.groups {
                for name in g.params {
                    let p = c.param(name).unwrap_or_else(|| panic!("{}: group names unknown -{name}", c.name));
                    assert!(!p.mandatory, "{}: -{name} is in a group and mandatory", c.name);
                }
            }
            for col in c.output.table {
                assert!(c.output.properties.contains(col), "{}: table column {col} is not a property", c.name);
            }
            assert_eq!(c.output.is_none(), c.output.type_name.is_empty(), "{}: output type name", c.name);
            let mut positions: Vec<u8> = c.params.iter().filter_map(|p| p.position).collect();
            positions.sort();
            assert!(positions.iter().enumerate().all(|(i, p)| *p as usize == i), "{}: positions", c.name);
        }
    }
}
