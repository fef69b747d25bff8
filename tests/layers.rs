//! The layer order that `src/lib.rs` documents, enforced. Between crates the
//! compiler keeps dependencies pointing one way; inside one crate it cannot,
//! so this test does: it reads the table in `lib.rs`'s "Layers" section and
//! every file under `src/`, and fails on any `crate::…` or `super::…` path
//! that names a module of a higher layer, a module of the same layer (peers
//! never import each other, so no circle can form inside a layer either), or
//! no module of the table at all (a path through the crate root's
//! re-exports hides which module it depends on). Comments, strings and
//! character literals are skipped; `use` groups are expanded; inline modules
//! (`mod tests { use super::*; }`) are followed.
//!
//! `the_check_catches_what_it_must` is the test of the test.

use std::path::{Path, PathBuf};

/// A module of the table (`arm::id` is two segments) and its layer's rank.
type Entry = (Vec<String>, usize);

/// The table of `lib.rs`: in the first ```text block after "## Layers", each
/// line `<rank> <module>, <module>  <description>`, ranks counting down to 0.
fn layer_table(lib_rs: &str) -> Result<Vec<Entry>, String> {
    let doc: Vec<&str> = lib_rs.lines().filter_map(|l| l.trim_start().strip_prefix("//!")).map(str::trim).collect();
    let start = doc.iter().position(|l| *l == "## Layers").ok_or("lib.rs has no \"## Layers\" section")?;
    let open =
        start + doc[start..].iter().position(|l| *l == "```text").ok_or("the Layers section has no ```text block")?;
    let close = open + 1 + doc[open + 1..].iter().position(|l| *l == "```").ok_or("the ```text block is not closed")?;
    let mut table = Vec::new();
    let mut ranks = Vec::new();
    for line in &doc[open + 1..close] {
        let Some((rank, rest)) = line.split_once(' ') else { continue };
        let Ok(rank) = rank.parse::<usize>() else { continue };
        let modules = rest.trim_start().split("  ").next().unwrap_or("");
        for module in modules.split(',').map(str::trim) {
            if module.is_empty() || !module.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == ':') {
                return Err(format!("layer {rank}: '{module}' is not a module path"));
            }
            table.push((module.split("::").map(str::to_string).collect(), rank));
        }
        ranks.push(rank);
    }
    let expected: Vec<usize> = (0..ranks.len()).rev().collect();
    if ranks.is_empty() || ranks != expected {
        return Err(format!("the layers must be numbered from the top down to 0, one per line: {ranks:?}"));
    }
    Ok(table)
}

/// The module a file under `src/` defines: `a/b.rs` is `a::b`, `a/mod.rs`
/// is `a`, `lib.rs` the crate root (empty).
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        parts.push(stem.to_string());
    }
    parts
}

/// `source` with comments, string and character literals blanked out
/// (newlines kept, so line numbers stay right).
fn strip(source: &str) -> String {
    let c: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, ch: char| out.push(if ch == '\n' { '\n' } else { ' ' });
    let mut i = 0;
    while i < c.len() {
        let at = |k: usize| c.get(k).copied().unwrap_or('\0');
        let ident_before = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if c[i] == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, c[i]);
                    i += 1;
                }
            }
        } else if !ident_before && (c[i] == 'r' || (c[i] == 'b' && at(i + 1) == 'r')) && {
            let mut k = i + if c[i] == 'b' { 2 } else { 1 };
            while at(k) == '#' {
                k += 1;
            }
            at(k) == '"'
        } {
            // A raw string: r"…", r#"…"#, br"…".
            let mut k = i + if c[i] == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(k) == '#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            loop {
                if k >= c.len() {
                    break;
                }
                if c[k] == '"' && (1..=hashes).all(|h| at(k + h) == '#') {
                    k += 1 + hashes;
                    break;
                }
                blank(&mut out, c[k]);
                k += 1;
            }
            i = k;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                if i < c.len() {
                    blank(&mut out, c[i]);
                }
                i += 1;
            }
            i += 1;
        } else if c[i] == '\'' && (at(i + 1) == '\\' || (at(i + 1) != '\'' && at(i + 2) == '\'')) {
            // A character literal; a lifetime ('a) has no closing quote.
            i += 1;
            while i < c.len() && c[i] != '\'' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Path, // ::
    Open,
    Close,
    Comma,
    Other(char),
    Newline,
}

fn tokens(text: &str) -> Vec<Token> {
    let c: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Token::Ident(c[start..i].iter().collect()));
            continue;
        }
        out.push(match ch {
            ':' if c.get(i + 1) == Some(&':') => {
                i += 1;
                Token::Path
            }
            '{' => Token::Open,
            '}' => Token::Close,
            ',' => Token::Comma,
            '\n' => Token::Newline,
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            c => Token::Other(c),
        });
        i += 1;
    }
    out
}

/// Reads a path's segments from `t[*i]` (after a `::`): identifiers joined by
/// `::`, and `{…}` groups, which branch. Appends every complete path, with
/// the index of the token it ends at.
fn read_tree(t: &[Token], i: &mut usize, prefix: Vec<String>, out: &mut Vec<(usize, Vec<String>)>) {
    let mut path = prefix;
    loop {
        match t.get(*i) {
            Some(Token::Ident(name)) => {
                path.push(name.clone());
                *i += 1;
                if t.get(*i) == Some(&Token::Path) {
                    *i += 1;
                    continue;
                }
                out.push((*i - 1, path));
                return;
            }
            Some(Token::Open) => {
                *i += 1;
                loop {
                    while t.get(*i) == Some(&Token::Newline) {
                        *i += 1;
                    }
                    match t.get(*i) {
                        Some(Token::Close) => {
                            *i += 1;
                            return;
                        }
                        None => return,
                        Some(Token::Comma) => *i += 1,
                        _ => {
                            read_tree(t, i, path.clone(), out);
                            // Skip `as alias` and anything else up to the next item.
                            while !matches!(t.get(*i), Some(Token::Comma | Token::Close) | None) {
                                *i += 1;
                            }
                        }
                    }
                }
            }
            _ => {
                // `*`, or the path ended at `::` (a turbofish): the path so far.
                out.push((*i, path));
                return;
            }
        }
    }
}

/// Every `crate::…` and `super::…` path in `source`, resolved to a module
/// path from the crate root, with its line number.
fn references(module: &[String], source: &str) -> Vec<(usize, Vec<String>)> {
    let t = tokens(&strip(source));
    let mut out = Vec::new();
    let mut line = 1;
    let mut depth = 0usize;
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        match &t[i] {
            Token::Newline => line += 1,
            Token::Open => depth += 1,
            Token::Close => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Token::Ident(kw) if kw == "mod" => {
                if let (Some(Token::Ident(name)), Some(Token::Open)) = (t.get(i + 1), t.get(i + 2)) {
                    inline.push((name.clone(), depth));
                }
            }
            Token::Ident(kw)
                if (kw == "crate" || kw == "super")
                    && t.get(i + 1) == Some(&Token::Path)
                    && !matches!(i.checked_sub(1).map(|p| &t[p]), Some(Token::Path | Token::Other('$'))) =>
            {
                let mut base: Vec<String> = module.to_vec();
                base.extend(inline.iter().map(|(n, _)| n.clone()));
                let mut j = i;
                if kw == "crate" {
                    base.clear();
                    j += 2;
                } else {
                    while matches!(&t.get(j), Some(Token::Ident(s)) if s == "super")
                        && t.get(j + 1) == Some(&Token::Path)
                    {
                        base.pop();
                        j += 2;
                    }
                }
                let mut paths = Vec::new();
                read_tree(&t, &mut j, base, &mut paths);
                let lines_to = |end: usize| t[i..end.min(t.len())].iter().filter(|x| **x == Token::Newline).count();
                out.extend(paths.into_iter().map(|(end, p)| (line + lines_to(end), p)));
                // Count the newlines a multi-line `use` group spanned.
                line += lines_to(j);
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// The table entry a module path belongs to: the longest one that prefixes it.
fn unit_of<'a>(path: &[String], table: &'a [Entry]) -> Option<&'a Entry> {
    table.iter().filter(|(m, _)| path.starts_with(m)).max_by_key(|(m, _)| m.len())
}

/// Every import in `files` (paths under `src/`, and their text) that runs
/// up the layers of `lib_rs`, joins two peers of one layer, or names no
/// module of the table; and every file and table entry that do not match.
fn violations(lib_rs: &str, files: &[(PathBuf, String)]) -> Vec<String> {
    let table = match layer_table(lib_rs) {
        Ok(t) => t,
        Err(e) => return vec![e],
    };
    let name = |m: &[String]| m.join("::");
    let mut found = std::collections::BTreeSet::new();
    for (entry, _) in &table {
        let defined = files.iter().any(|(p, _)| module_of(p).starts_with(entry));
        if !defined {
            found.insert(format!("the layer table names '{}', which no file under src/ defines", name(entry)));
        }
    }
    for (path, source) in files {
        let module = module_of(path);
        if module.is_empty() {
            continue; // lib.rs: the facade declares the modules and re-exports the contract.
        }
        let Some((own, rank)) = unit_of(&module, &table) else {
            found.insert(format!("src/{}: module {} is in no layer of lib.rs's table", path.display(), name(&module)));
            continue;
        };
        for (line, target) in references(&module, source) {
            let at = format!("src/{}:{line}", path.display());
            match unit_of(&target, &table) {
                None => found.insert(format!(
                    "{at}: crate::{} names no module of the layer table (name the module, not a re-export of the root)",
                    name(&target)
                )),
                Some((other, _)) if other == own => false,
                Some((other, other_rank)) if other_rank > rank => found.insert(format!(
                    "{at}: {} (layer {rank}) imports {} (layer {other_rank}), which runs up the layers",
                    name(own),
                    name(other)
                )),
                Some((other, other_rank)) if other_rank == rank => found.insert(format!(
                    "{at}: {} imports {}, a peer in layer {rank}: modules of one layer do not import each other",
                    name(own),
                    name(other)
                )),
                Some(_) => false,
            };
        }
    }
    found.into_iter().collect()
}

fn rust_files(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.strip_prefix(root).unwrap().to_path_buf(), text));
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &src, &mut files);
    files.sort();
    let lib_rs = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    assert!(files.len() > 50, "read {} files", files.len());
    let found = violations(&lib_rs, &files);
    assert!(found.is_empty(), "imports against the layers of src/lib.rs:\n{}", found.join("\n"));
}

/// The test of the test: a small table and files with one import of each
/// kind the check must report, beside ones it must let through.
#[test]
fn the_check_catches_what_it_must() {
    let lib_rs = "//! Text.\n//!\n//! ## Layers\n//!\n//! ```text\n\
                  //! top\n\
                  //!   2 engine, arm                runs commands; the resource manager\n\
                  //!   1 environment, flows         the areas\n\
                  //!   0 store, arm::id             the bottom; ARM ids\n\
                  //! bottom\n//! ```\n";
    let file = |path: &str, text: &str| (PathBuf::from(path), text.to_string());
    let files = vec![
        file("lib.rs", "pub mod store;\npub use store::Store;\n"),
        // Upward, in a use and in an expression.
        file(
            "store/mod.rs",
            "use crate::error;\nuse crate::engine::invoke;\nfn f() {\n    crate::flows::apply();\n}\n",
        ),
        // A peer inside a multi-line group, beside a lower module.
        file("environment/mod.rs", "use crate::{\n    store::Db,\n    flows::{self, Flow},\n};\n"),
        // super::super from an inline test module, three modules down.
        file("flows/runs.rs", "fn f() {}\nmod tests {\n    use super::super::super::engine::Outcome;\n}\n"),
        // Comments, strings, characters and lifetimes are not imports; lower ones pass.
        file(
            "engine.rs",
            "// use crate::nowhere;\n/* crate::nowhere */\nconst S: &str = \"crate::nowhere\";\n\
             const R: &str = r#\"super::nowhere\"#;\nfn f<'a>(x: &'a str) -> char { let _ = '\"'; 'c' }\n\
             use crate::store::Db;\nuse crate::environment::Environment;\n",
        ),
        // Through the root's re-export, which hides the module.
        file("flows/mod.rs", "use crate::Store;\n"),
        // A submodule can be its own, lower entry; its parent is then above it.
        file("arm/mod.rs", "pub mod id;\nuse crate::arm::id::ArmId;\n"),
        file("arm/id.rs", "use super::resource_groups;\n"),
        // A module of no layer.
        file("stray.rs", "fn f() {}\n"),
    ];
    let mut found = violations(lib_rs, &files);
    found.sort();
    let mut expected = vec![
        "src/store/mod.rs:1: crate::error names no module of the layer table (name the module, not a re-export of the root)",
        "src/store/mod.rs:2: store (layer 0) imports engine (layer 2), which runs up the layers",
        "src/store/mod.rs:4: store (layer 0) imports flows (layer 1), which runs up the layers",
        "src/environment/mod.rs:3: environment imports flows, a peer in layer 1: modules of one layer do not import each other",
        "src/flows/runs.rs:3: flows (layer 1) imports engine (layer 2), which runs up the layers",
        "src/flows/mod.rs:1: crate::Store names no module of the layer table (name the module, not a re-export of the root)",
        "src/arm/id.rs:1: arm::id (layer 0) imports arm (layer 2), which runs up the layers",
        "src/stray.rs: module stray is in no layer of lib.rs's table",
    ];
    expected.sort();
    assert_eq!(found, expected);
    // A table out of order, or one that names a module no file defines, is refused too.
    let shuffled = lib_rs.replace("  2 engine", "  3 engine");
    assert!(violations(&shuffled, &files)[0].contains("numbered from the top down to 0"));
    let typo = lib_rs.replace("  2 engine,", "  2 engien,");
    assert!(violations(&typo, &files).iter().any(|v| v.contains("'engien', which no file under src/ defines")));
}
