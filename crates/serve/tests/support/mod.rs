//! What the server's test files share: the engine on the same store, and a
//! server on ephemeral ports whose managed-identity endpoint speaks for the admin.

use ppcmk_serve::{Config, Running};
use serde_json::{json, Value};

pub const ADMIN: &str = "admin@contoso.onmicrosoft.com";

/// Runs a registry command on the store in `home`, as `account` (or the signed-in one).
pub fn engine(
    home: &std::path::Path,
    account: Option<&str>,
    command: &str,
    params: Value,
) -> Result<Vec<Value>, ppcmk::Error> {
    let store = ppcmk::Store::open(home).unwrap();
    let mut request = json!({"command": command, "parameters": params});
    if let Some(a) = account {
        request["account"] = json!(a);
    }
    ppcmk::invoke_json(&store, &request, Default::default()).map(|o| o.objects.into_iter().map(Value::Object).collect())
}

pub fn start(home: &std::path::Path) -> Running {
    start_with(home, |_| {})
}

pub fn start_with(home: &std::path::Path, tune: impl FnOnce(&mut Config)) -> Running {
    let mut config = Config::new(home.to_path_buf());
    config.port = 0;
    config.token_port = 0;
    config.identity = Some(ADMIN.into());
    tune(&mut config);
    ppcmk_serve::start(config).unwrap()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}
