//! Every PowerShell file of the repository parses with the tree-sitter-pwsh
//! grammar (PowerShell cannot be installed on the build machines, so this is
//! the syntax check), and the check itself rejects broken PowerShell.

use crate::support;

use std::path::{Path, PathBuf};

fn parse_errors(source: &str) -> Vec<String> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&tree_sitter_pwsh::LANGUAGE.into()).expect("grammar loads");
    let tree = parser.parse(source, None).expect("parser returns a tree");
    let mut errors = Vec::new();
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            let p = node.start_position();
            let text: String = source[node.byte_range()].chars().take(60).collect();
            errors.push(format!("line {} column {}: {} `{}`", p.row + 1, p.column + 1, node.kind(), text));
        }
        if node.has_error() {
            stack.extend(node.children(&mut cursor));
        }
    }
    errors
}

fn powershell_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            powershell_files(&path, out);
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("ps1" | "psm1" | "psd1")) {
            out.push(path);
        }
    }
}

#[test]
fn every_powershell_file_parses() {
    let mut files = Vec::new();
    powershell_files(&support::repo_root().join("powershell"), &mut files);
    assert!(files.len() >= 3, "expected the module's .psm1, .psd1 and generated .ps1, found {files:?}");
    let mut problems = Vec::new();
    for f in &files {
        let source = std::fs::read_to_string(f).unwrap();
        for e in parse_errors(&source) {
            problems.push(format!("{}: {e}", f.display()));
        }
    }
    assert!(problems.is_empty(), "PowerShell syntax errors:\n{}", problems.join("\n"));
}

#[test]
fn the_check_rejects_broken_powershell() {
    assert!(parse_errors("function F {\n    param([string] $a)\n    $a\n}").is_empty());
    assert!(parse_errors("$x = $a ?? 'b'; $y = $c ? 1 : 2").is_empty(), "PowerShell 7 operators parse");
    assert!(!parse_errors("function F {\n    param([string] $a\n    $a\n}").is_empty());
    assert!(!parse_errors("if ($x) { 'unclosed'").is_empty());
    assert!(!parse_errors("$h = @{ a = 1; b = }").is_empty());
}
