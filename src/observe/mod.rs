//! Observed evidence: what a running application actually sends to each
//! vendor. [`record`] drives a headless browser and writes what the page
//! sends as a HAR document, answering every request locally.

pub mod record;
