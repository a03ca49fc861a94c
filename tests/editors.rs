//! Integration tests: the editor grammar and the dialect docs stay in step with the
//! keyword table (`src/syntax/keywords.rs`) and the unit table (`src/units.rs`).
//!
//! The grammar is also run on the shipped policies by `editors/vscode/test/run.mjs`
//! (`cd editors/vscode && npm install && npm test`), which needs node; this test does
//! not.

use parkrules::syntax::keywords::KEYWORDS;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn read(path: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn grammar() -> serde_json::Value {
    serde_json::from_str(&read("editors/vscode/syntaxes/parkrules.tmLanguage.json")).unwrap()
}

/// The words of the first `(?:a|b|c)` group of a pattern.
fn alternatives(pattern: &str) -> Vec<String> {
    let start = pattern.find("(?:").unwrap() + 3;
    let rest = &pattern[start..];
    let end = rest.find(')').unwrap();
    rest[..end].split('|').map(str::to_string).collect()
}

fn spellings() -> BTreeSet<String> {
    KEYWORDS
        .iter()
        .flat_map(|k| k.spellings.iter().map(|s| s.to_string()))
        .collect()
}

#[test]
fn the_editor_grammar_scopes_every_keyword_of_both_dialects_once() {
    let g = grammar();
    let repo = g["repository"].as_object().unwrap();
    let mut found = Vec::new();
    for (name, rule) in repo.iter().filter(|(n, _)| n.starts_with("keywords-")) {
        let pattern = rule["match"].as_str().unwrap();
        assert!(
            rule["name"].as_str().unwrap().ends_with(".parkrules"),
            "{name}"
        );
        found.extend(alternatives(pattern));
    }
    let set: BTreeSet<String> = found.iter().cloned().collect();
    assert_eq!(set.len(), found.len(), "a keyword in two scopes: {found:?}");
    assert_eq!(
        set,
        spellings(),
        "editors/vscode keywords differ from the table"
    );
}

#[test]
fn the_editor_grammar_knows_every_unit() {
    let g = grammar();
    let quantity = g["repository"]["quantity"]["match"].as_str().unwrap();
    let units: BTreeSet<String> = alternatives(quantity.split("\\s*").nth(1).unwrap())
        .into_iter()
        .collect();
    for u in parkrules::units::UNITS {
        assert!(units.contains(u.name), "unit `{}` not highlighted", u.name);
    }
}

#[test]
fn the_extension_highlights_rules_files() {
    let pkg: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/package.json")).unwrap();
    let lang = &pkg["contributes"]["languages"][0];
    assert_eq!(lang["extensions"][0], ".rules");
    let g = &pkg["contributes"]["grammars"][0];
    assert_eq!(g["scopeName"], grammar()["scopeName"]);
    assert_eq!(g["path"], "./syntaxes/parkrules.tmLanguage.json");
    let config: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/language-configuration.json")).unwrap();
    assert_eq!(config["comments"]["lineComment"], "#");
}

#[test]
fn the_dialect_docs_list_every_spelling() {
    let doc = read("docs/dialect.md");
    for s in spellings() {
        assert!(
            doc.contains(&format!("`{s}`")),
            "docs/dialect.md lacks `{s}`"
        );
    }
}
