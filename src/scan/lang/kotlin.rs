//! Not parsed yet: gives no facts (the walker still finds manifests).
use std::time::Instant;

use super::{ExtractError, FileFacts, Limits};

/// Gives no facts.
pub(crate) fn extract(
    _src: &str,
    _limits: &Limits,
    _deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    Ok(FileFacts::default())
}
