//! Files the user names for output: written atomically, so a reader never
//! sees half a file and a failure leaves any earlier file as it was.

use crate::crypto::{hex, random_array};
use crate::error::{Error, ErrorCode, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` through a temporary file in the same folder,
/// flushed to disk and then renamed over the target.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let shown = path.display().to_string();
    let fail = |what: String| Error::new(ErrorCode::FileError, what).with_target(shown.clone());
    let name = path.file_name().ok_or_else(|| fail(format!("'{shown}' does not name a file.")))?;
    if path.is_dir() {
        return Err(fail(format!("'{shown}' is a folder; give a file name, e.g. {shown}/runs.csv.")));
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(fail(format!("Cannot write '{shown}': the folder '{}' does not exist.", folder.display())));
    }
    let temp = folder.join(format!(".{}.{}.tmp", name.to_string_lossy(), hex(&random_array::<6>())));
    let written = (|| -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(fail(format!("Cannot write '{shown}': {e}.")));
    }
    Ok(())
}

/// Reads a file the user named as input: a regular file of at most `max`
/// bytes. A folder, a device such as `/dev/zero` or a larger file is refused
/// with `FileError` before anything is read, so a path cannot exhaust memory.
pub fn read_input(path: &str, what: &str, max: u64) -> Result<Vec<u8>> {
    let fail = |why: String| Error::new(ErrorCode::FileError, why).with_target(path);
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("Cannot read the {what} '{path}': {e}.")))?;
    if !meta.is_file() || meta.len() > max {
        return Err(fail(format!("The {what} '{path}' is not a file of at most {} KiB.", max >> 10)));
    }
    let mut bytes = Vec::new();
    // take(): the file may have grown since metadata() looked.
    std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, max + 1), &mut bytes))
        .map_err(|e| fail(format!("Cannot read the {what} '{path}': {e}.")))?;
    if bytes.len() as u64 > max {
        return Err(fail(format!("The {what} '{path}' is not a file of at most {} KiB.", max >> 10)));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replaces_and_refuses_clearly() {
        let dir = std::env::temp_dir().join(format!("ppcmk-files-{}", hex(&random_array::<6>())));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.csv");
        write_atomically(&target, b"one").unwrap();
        write_atomically(&target, b"two").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "no temporary file left");
        let e = write_atomically(&dir, b"x").unwrap_err();
        assert_eq!(e.code, ErrorCode::FileError);
        let e = write_atomically(&dir.join("missing/out.csv"), b"x").unwrap_err();
        assert!(e.message.contains("does not exist"), "{}", e.message);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
