//! A driver for profiling one command's fixed cost under callgrind
//! (docs/performance.md): opens a fresh store, warms it up, then runs the
//! command N times through the engine's Rust entry.
//!
//! cargo build --release --example profile_invoke
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.out \
//!   --toggle-collect='profile_invoke::measured' target/release/examples/profile_invoke Get-AzContext 200

use std::hint::black_box;

#[inline(never)]
fn measured(store: &ppcmk::Store, request: &serde_json::Value, calls: usize) {
    for _ in 0..calls {
        let outcome = ppcmk::invoke_json(store, request, ppcmk::InvokeOptions::default());
        black_box(outcome.expect("the command failed"));
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_else(|| "Get-AzContext".into());
    let calls: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(200);
    let dir = std::env::temp_dir().join(format!("ppcmk-profile-{}", std::process::id()));
    let store = ppcmk::Store::open(&dir).expect("opening the store");
    let request = serde_json::json!({"command": command, "parameters": {}});
    measured(&store, &request, 5); // warm-up: bootstrap, caches
    let started = std::time::Instant::now();
    measured(&store, &request, calls);
    eprintln!("{command}: {:.1} µs per call", started.elapsed().as_secs_f64() * 1e6 / calls as f64);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
