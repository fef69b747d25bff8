//! The registered commands, one file per area. Each command declares its
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

use crate::registry::{Command, Object};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Every area's commands; `registry::all` flattens and sorts them.
pub static ALL: &[&[Command]] = &[
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
];

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
