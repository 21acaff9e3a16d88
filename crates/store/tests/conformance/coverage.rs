//! Every public store operation is exercised by this suite: a new operation without a
//! conformance scenario fails here.

use std::fs;
use std::path::Path;

fn sources(dir: &Path, out: &mut String) {
    for entry in fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&fs::read_to_string(&path).expect("read source"));
        }
    }
}

#[test]
fn every_store_operation_has_a_conformance_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut src = String::new();
    sources(&root.join("src"), &mut src);
    let mut tests = String::new();
    sources(&root.join("tests/conformance"), &mut tests);
    let mut missing = Vec::new();
    let mut count = 0;
    for line in src.lines() {
        let Some(rest) = line.trim_start().strip_prefix("pub async fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        count += 1;
        if !tests.contains(&format!(".{name}(")) && !tests.contains(&format!("::{name}(")) {
            missing.push(name);
        }
    }
    assert!(
        count > 40,
        "found only {count} operations: is the scan still right?"
    );
    assert!(
        missing.is_empty(),
        "store operations without a conformance scenario: {missing:?}"
    );
}
