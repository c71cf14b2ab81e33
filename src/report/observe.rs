//! `blastmap observe`: what recorded traffic sent to each vendor, as text
//! for people (every string from the recording escaped for the terminal)
//! or as JSON (the serde form of [`ObservedReport`], through
//! [`super::json::to_string`]).

use crate::observe::ObservedReport;

use super::escape::terminal;

/// `observe --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ObserveFormat {
    /// A summary per vendor and request.
    Text,
    /// The serde form of the report (readable by `--observed`).
    Json,
}

/// Renders an observation report.
pub fn render(r: &ObservedReport, format: ObserveFormat) -> String {
    match format {
        ObserveFormat::Text => text(r),
        ObserveFormat::Json => super::json::to_string(r),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The text report.
pub fn text(r: &ObservedReport) -> String {
    let mut o = String::new();
    let requests: usize = r.files.iter().map(|f| f.vendor_requests).sum();
    let other: usize = r.files.iter().map(|f| f.other_requests).sum();
    let not_read: usize = r.files.iter().map(|f| f.not_read).sum();
    o.push_str(&format!(
        "Observed traffic: {}, {} to {} ({} to other hosts, not read)\n",
        plural(r.files.len(), "recording", "recordings"),
        plural(requests, "request", "requests"),
        plural(r.vendors.len(), "vendor", "vendors"),
        other
    ));
    if not_read > 0 {
        o.push_str(&format!(
            "  {} past the limit of {} entries per file were not read\n",
            plural(not_read, "entry", "entries"),
            crate::observe::MAX_ENTRIES
        ));
    }
    if r.canaries.is_empty() {
        o.push_str("Canaries: none given (--canary FILE finds the test account's values)\n");
    } else {
        o.push_str(&format!(
            "Canaries searched: {}\n",
            terminal(&r.canaries.join(", "))
        ));
    }
    if !r.show_values {
        o.push_str("Values are hidden; --show-values shows them.\n");
    }
    for v in &r.vendors {
        o.push_str(&format!(
            "\n{} ({}): {}\n",
            terminal(&v.name),
            terminal(&v.vendor),
            plural(v.requests.len(), "request", "requests")
        ));
        if !v.categories.is_empty() {
            o.push_str(&format!(
                "  categories: {}\n",
                terminal(&v.categories.join(", "))
            ));
        }
        if !v.canaries.is_empty() {
            o.push_str(&format!(
                "  canaries received: {}\n",
                terminal(&v.canaries.join(", "))
            ));
        }
        for q in &v.requests {
            o.push_str(&format!(
                "  {} {} {}",
                terminal(&q.location()),
                terminal(&q.method),
                terminal(&q.url)
            ));
            if !q.formats.is_empty() {
                o.push_str(&format!(" [{}]", terminal(&q.formats.join(", "))));
            }
            o.push('\n');
            if let Some(i) = &q.initiator {
                o.push_str(&format!("    sent by the script {}", terminal(i)));
                if let Some(v) = &q.initiator_vendor {
                    o.push_str(&format!(" ({})", terminal(v)));
                }
                o.push('\n');
            }
            for f in &q.fields {
                o.push_str(&format!(
                    "    {} {}: {}",
                    f.part.as_str(),
                    terminal(&f.path),
                    terminal(&f.category)
                ));
                if let Some(c) = &f.canary {
                    o.push_str(&format!(" (canary: {})", terminal(c)));
                }
                if let Some(val) = &f.value {
                    o.push_str(&format!(" = {}", terminal(val)));
                }
                o.push('\n');
            }
            if q.unclassified > 0 {
                o.push_str(&format!(
                    "    and {} no category fits\n",
                    plural(q.unclassified, "key", "keys")
                ));
            }
            for h in &q.canaries {
                o.push_str(&format!(
                    "    canary {} ({}) in {}\n",
                    terminal(&h.canary),
                    h.encoding.as_str(),
                    terminal(&h.found_in)
                ));
            }
            for p in &q.problems {
                o.push_str(&format!("    not decoded: {}\n", terminal(p)));
            }
        }
    }
    if r.vendors.is_empty() {
        o.push_str("\nNo request went to a catalog vendor's host.\n");
    }
    o
}
