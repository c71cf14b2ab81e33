//! Every integration test in one binary, so that the crate and its
//! tree-sitter grammars are linked once rather than once per file. Each
//! module is one area (its file's doc says which); `common`,
//! `scan_support` and `lang_common` are helpers shared between them.
//! Run one area with `cargo test --test it reports::`.

mod common;
mod lang_common;
mod scan_support;

mod browser;
mod catalog_products;
mod check;
mod classifier;
mod cli_docs;
mod cli_errors;
mod colours;
mod cypher_engine;
mod diagram_geometry;
mod escaping;
mod export;
mod fides;
mod fintech_example;
mod fn_length;
mod hostile;
mod lang_go;
mod lang_html;
mod lang_java;
mod lang_javascript;
mod lang_kotlin;
mod lang_php;
mod lang_python;
mod lang_robustness;
mod lang_ruby;
mod lang_swift;
mod layers;
mod merge;
mod notices;
mod observe;
mod observe_record;
mod readme_recipes;
mod reports;
mod scan_cli;
mod scan_fields;
mod scan_fixtures;
mod scan_flows;
mod scan_hostile;
mod scan_isolation;
mod scan_mailers;
mod scan_model_options;
mod scan_remote_urls;
mod scan_renderers;
mod scan_request_wrappers;
mod scan_ruby_factories;
mod scan_ruby_services;
mod scan_ts_classes;
mod scan_vendor_rules;
mod schema;
mod schema_conformance;
mod seed_example;
mod whatif;
