//! The `ppcmk` command line's parts beside `main.rs`: the guided demo
//! (`ppcmk demo`), a library so that its test runs it in-process. The CLI
//! is a surface over the ppcmk library: it imports the contract (registry,
//! catalogue, engine, surface), never the store or an area.

pub mod demo;
