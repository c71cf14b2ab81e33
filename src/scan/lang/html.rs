//! Not parsed yet: gives no facts.
use std::time::Instant;

use super::{ExtractError, FileFacts, Lang, Limits};

/// Gives no facts.
pub(crate) fn extract(
    _lang: Lang,
    _src: &str,
    _limits: &Limits,
    _deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    Ok(FileFacts::default())
}
