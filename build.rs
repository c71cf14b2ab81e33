//! Embeds every vendor file under `src/catalog/vendors/` into the binary, so
//! that adding a vendor is adding one YAML file (no list to keep in sync).
use std::{env, fs, path::Path};

fn main() {
    let dir = Path::new("src/catalog/vendors");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("src/catalog/vendors exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    // Sorted by id (not file name: `aws-bedrock` sorts after `aws`), so
    // that `catalog::lookup` can binary-search.
    names.sort_by(|a, b| a.trim_end_matches(".yaml").cmp(b.trim_end_matches(".yaml")));
    let mut out = String::from(
        "/// Every vendor file: (file name, contents).\npub static VENDOR_FILES: &[(&str, &str)] = &[\n",
    );
    for n in &names {
        println!("cargo:rerun-if-changed={}/{}", dir.display(), n);
        out.push_str(&format!(
            "    ({n:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/src/catalog/vendors/{n}\"))),\n"
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&env::var("OUT_DIR").unwrap()).join("vendor_files.rs");
    fs::write(dest, out).unwrap();
}
