//! Development tools of ppcmk, kept out of the library (and so out of
//! `libppcmk.so`): the generators of the checked-in files derived from the
//! command registry. They read only the public contract (`ppcmk::registry`,
//! `ppcmk::commands`, `ppcmk::ErrorCode`), as any other generator would.
//!
//! `tests/generated.rs` regenerates every file and fails when a checked-in
//! copy is stale; `PPCMK_BLESS=1 cargo test --test generated` rewrites them.

pub mod codegen;
