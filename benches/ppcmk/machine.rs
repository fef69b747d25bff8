//! The machine a run measured, as a Markdown table: figures mean little
//! without the CPU, memory, disk and load they were taken on. Read from
//! /proc, /sys and /etc/os-release (Linux); anything unreadable says so.

use std::path::{Path, PathBuf};
use std::process::Command;

pub fn describe() -> String {
    let temp = std::env::temp_dir();
    let rows = [
        ("Date (UTC)", chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string()),
        ("CPU", cpu()),
        ("Memory", memory()),
        ("OS", os_release()),
        ("Kernel", read_trimmed("/proc/sys/kernel/osrelease")),
        ("Load average at start (1/5/15 min)", load_average()),
        ("Rust", program_version("rustc", &["-V"])),
        ("Build", (if cfg!(debug_assertions) { "debug" } else { "release (cargo bench profile)" }).to_string()),
        ("Temporary folder (stores, disk reference, SQLCipher file)", disk(&temp)),
    ];
    let mut out = String::from("| | |\n|---|---|\n");
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    out
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn read_trimmed(path: &str) -> String {
    read(path).map(|s| s.trim().to_string()).unwrap_or_else(|| format!("unknown ({path} unreadable)"))
}

/// First line of `program args`' output, or why there is none.
pub fn program_version(program: &str, args: &[&str]) -> String {
    match Command::new(program).args(args).output() {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).lines().next().unwrap_or("").trim().into(),
        Ok(o) => format!("unknown ({program} exited with {})", o.status),
        Err(e) => format!("unknown ({program}: {e})"),
    }
}

fn cpu() -> String {
    let Some(info) = read("/proc/cpuinfo") else { return "unknown (/proc/cpuinfo unreadable)".into() };
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "unknown model".into());
    let logical = info.lines().filter(|l| l.starts_with("processor")).count();
    let usable = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    format!("{model}, {logical} logical cores ({usable} usable by this process)")
}

fn memory() -> String {
    let Some(info) = read("/proc/meminfo") else { return "unknown (/proc/meminfo unreadable)".into() };
    let kib = |key: &str| {
        info.lines()
            .find(|l| l.starts_with(key))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
    };
    match (kib("MemTotal:"), kib("MemAvailable:")) {
        (Some(t), Some(a)) => format!("{:.1} GiB total, {:.1} GiB available at start", t / 1048576.0, a / 1048576.0),
        _ => "unknown".into(),
    }
}

fn os_release() -> String {
    read("/etc/os-release")
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("PRETTY_NAME=")).map(|v| v.trim_matches('"').to_string()))
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

/// A caveat when other work was using the CPUs as the run started (1-minute load above half the cores).
pub fn busy() -> Option<String> {
    let load: f64 = read("/proc/loadavg")?.split_whitespace().next()?.parse().ok()?;
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    (load > 0.5 * cores as f64).then(|| {
        format!(
            "the machine was busy when the run started (1-minute load average {load:.2} on {cores} cores): \
             figures are lower and noisier than on an idle machine."
        )
    })
}

fn load_average() -> String {
    read("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" / "))
        .unwrap_or_else(|| "unknown".into())
}

/// The folder, its mount (device, file system), free space and the kernel's rotational flag.
fn disk(folder: &Path) -> String {
    let folder = folder.canonicalize().unwrap_or_else(|_| folder.to_path_buf());
    // The longest mount point that contains the folder is the one it lives on.
    let mount = read("/proc/self/mounts").and_then(|mounts| {
        mounts
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.len() >= 3).then(|| (f[0].to_string(), PathBuf::from(f[1]), f[2].to_string()))
            })
            .filter(|(_, point, _)| folder.starts_with(point))
            .max_by_key(|(_, point, _)| point.as_os_str().len())
    });
    let mut out = folder.display().to_string();
    if let Some((device, point, fs)) = mount {
        out.push_str(&format!(", on {device} mounted at {} ({fs})", point.display()));
        if let Some(flag) = rotational(&device) {
            out.push_str(&format!(", kernel rotational flag {flag} (virtual disks often report 1)"));
        }
    }
    if let Some(free) = free_bytes(&folder) {
        out.push_str(&format!(", {:.0} GiB free", free as f64 / 1073741824.0));
    }
    out
}

fn rotational(device: &str) -> Option<String> {
    let name = Path::new(device).file_name()?.to_str()?;
    let sys = Path::new("/sys/class/block").join(name).canonicalize().ok()?;
    // A partition's queue is its disk's, one folder up.
    [sys.join("queue/rotational"), sys.join("../queue/rotational")]
        .iter()
        .find_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_string())
}

fn free_bytes(folder: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(folder.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is NUL-terminated and `st` is writable storage of the right type.
    (unsafe { libc::statvfs(path.as_ptr(), &mut st) } == 0).then(|| st.f_bavail as u64 * st.f_frsize as u64)
}
