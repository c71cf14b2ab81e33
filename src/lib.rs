//! blastmap maps which user-data fields flow to which third-party vendors,
//! from YAML declarations and from a scan of the source code, and answers
//! "what leaks if this vendor is breached?".
//!
//! Data flows one way, and the modules follow it:
//! declarations ([`model`]), the source tree ([`scan`]) and recorded
//! traffic ([`observe`]) → the graph ([`graph`]) → queries (blast, rank) →
//! renderers ([`report`]). The
//! built-in knowledge (vendors, taxonomy, rules) is in [`catalog`]. The
//! command line ([`cli`]) is a thin layer: the library never prints or exits.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod graph;
pub mod input;
pub mod merge;
pub mod model;
pub mod observe;
pub mod report;
pub mod scan;
pub mod vocab;
