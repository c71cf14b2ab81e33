//! Compiles the vendor catalog: every file under `src/catalog/vendors/` is
//! parsed here with the crate's own types (`src/catalog/vendors.rs`, shared
//! by `#[path]`), so a bad file fails the build naming the file, and the
//! binary gets each vendor as compact JSON, which loads several times faster
//! than the YAML (the YAML was 30-48 ms of CPU at the start of every scan).
//! Adding a vendor is still adding one YAML file (no list to keep in sync).
//!
//! Written to `OUT_DIR`: `vendors.json` (one vendor per line, sorted by id)
//! and `vendor_files.rs`, which holds each vendor's id and byte span in it
//! (`VENDOR_JSON`, `VENDOR_SPANS`) and, for the tests that compare the two,
//! the YAML files themselves (`VENDOR_FILES`).
//!
//! It reads only the crate's own files.
use std::{env, fs, path::Path};

// The catalog's types, as the crate compiles them (`crate::vocab` resolves
// to this module inside `vendors.rs`).
#[allow(dead_code)]
#[path = "src/vocab.rs"]
mod vocab;

#[allow(dead_code)]
#[path = "src/catalog/vendors.rs"]
mod vendors;

fn main() {
    let dir = Path::new("src/catalog/vendors");
    println!("cargo:rerun-if-changed={}", dir.display());
    println!("cargo:rerun-if-changed=src/catalog/vendors.rs");
    println!("cargo:rerun-if-changed=src/vocab.rs");
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("src/catalog/vendors exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    // Sorted by id (not file name: `aws-bedrock` sorts after `aws`), so
    // that `catalog::lookup` can binary-search.
    names.sort_by(|a, b| a.trim_end_matches(".yaml").cmp(b.trim_end_matches(".yaml")));

    let mut json = String::new();
    let mut spans = String::from(
        "/// Every vendor: (id, start and end of its JSON in `VENDOR_JSON`), sorted by id.\n\
         pub static VENDOR_SPANS: &[(&str, u32, u32)] = &[\n",
    );
    let mut files = String::from(
        "/// Every vendor file: (file name, contents). Only the tests read it.\n\
         #[cfg(test)]\npub static VENDOR_FILES: &[(&str, &str)] = &[\n",
    );
    let mut errors = Vec::new();
    for n in &names {
        let path = dir.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let id = n.trim_end_matches(".yaml");
        match serde_yaml::from_str::<vendors::CatalogVendor>(&text) {
            Ok(v) if v.id != id => errors.push(format!(
                "catalog file {n}: id `{}` does not match the file name",
                v.id
            )),
            Ok(v) => {
                let start = json.len();
                json.push_str(&serde_json::to_string(&v).expect("a vendor serialises"));
                spans.push_str(&format!("    ({id:?}, {start}, {}),\n", json.len()));
                json.push('\n');
            }
            Err(e) => errors.push(format!("catalog file {n}: {e}")),
        }
        files.push_str(&format!(
            "    ({n:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/src/catalog/vendors/{n}\"))),\n"
        ));
    }
    if !errors.is_empty() {
        // A panic's message is what cargo shows of a failed build script.
        panic!(
            "\n{} bad file(s) in src/catalog/vendors/ (see src/catalog/vendors/README.md):\n{}\n",
            errors.len(),
            errors.join("\n")
        );
    }
    assert!(
        json.len() < u32::MAX as usize,
        "the catalog's JSON outgrew u32 spans"
    );
    spans.push_str("];\n");
    files.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    fs::write(out.join("vendors.json"), json).unwrap();
    let code = format!(
        "/// Every vendor as compact JSON, one per line (written by `build.rs`).\n\
         pub static VENDOR_JSON: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/vendors.json\"));\n\
         {spans}{files}"
    );
    fs::write(out.join("vendor_files.rs"), code).unwrap();
}
