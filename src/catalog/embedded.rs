//! The built-in vendors as `build.rs` compiled them: every file under
//! `vendors/` was parsed at build time with the types of [`super::vendors`]
//! (a bad file fails the build, naming it) and written as one line of
//! compact JSON each, sorted by id. Loading that JSON is several times
//! faster than parsing the YAML was (30-48 ms of CPU at the start of every
//! scan, issue #18); a test checks that both give the same vendors.

use super::vendors::CatalogVendor;

include!(concat!(env!("OUT_DIR"), "/vendor_files.rs"));

/// A built-in vendor that failed to load.
#[derive(Debug, thiserror::Error)]
#[error("catalog file {file}: {message}")]
pub struct CatalogError {
    /// The file name.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

/// The ids of the built-in vendors, sorted.
pub fn ids() -> impl Iterator<Item = &'static str> + Clone {
    VENDOR_SPANS.iter().map(|(id, _, _)| *id)
}

/// The position of a vendor in [`ids`].
pub fn position(id: &str) -> Option<usize> {
    VENDOR_SPANS.binary_search_by(|(x, _, _)| (*x).cmp(id)).ok()
}

/// The vendor at position `i` of [`ids`].
pub fn load(i: usize) -> Result<CatalogVendor, CatalogError> {
    let (id, start, end) = VENDOR_SPANS[i];
    serde_json::from_str(&VENDOR_JSON[start as usize..end as usize]).map_err(|e| CatalogError {
        file: format!("{id}.yaml"),
        message: e.to_string(),
    })
}

/// Loads every built-in vendor. Used once by [`super::Catalog::builtin`]
/// and directly by the tests, which want every error (there can be none
/// but a bug: `build.rs` checked each file).
///
/// The vendors are loaded on all threads and gathered in id order, so the
/// list and its errors do not depend on the scheduling.
pub fn parse_all() -> (Vec<CatalogVendor>, Vec<CatalogError>) {
    use rayon::prelude::*;
    let parsed: Vec<Result<CatalogVendor, CatalogError>> =
        (0..VENDOR_SPANS.len()).into_par_iter().map(load).collect();
    let mut vendors = Vec::with_capacity(parsed.len());
    let mut errors = Vec::new();
    for p in parsed {
        match p {
            Ok(v) => vendors.push(v),
            Err(e) => errors.push(e),
        }
    }
    (vendors, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON `build.rs` wrote gives exactly the vendors the YAML files
    /// give, file by file.
    #[test]
    fn the_json_is_the_yaml() {
        assert_eq!(VENDOR_FILES.len(), VENDOR_SPANS.len());
        for (i, (file, text)) in VENDOR_FILES.iter().enumerate() {
            let yaml: CatalogVendor = serde_yaml::from_str(text).expect(file);
            assert_eq!(format!("{}.yaml", VENDOR_SPANS[i].0), *file);
            assert_eq!(load(i).expect(file), yaml, "{file}");
        }
    }
}
