//! Plain text: a short incident brief a person can paste into a ticket.

use std::fmt::Write;

use crate::graph::blast::{BlastReport, group_digits};
use crate::graph::rank::RankReport;

/// Strips control characters (terminal escapes) from input strings.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() && c != '\n' { '?' } else { c })
        .collect()
}

/// The blast brief.
pub fn blast(r: &BlastReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "BLAST RADIUS: {} ({}) breached, {} mode",
        clean(&r.vendor_name),
        r.vendor_category,
        r.mode.as_str()
    );
    let people = r
        .people
        .map(group_digits)
        .unwrap_or_else(|| "unknown".into());
    let _ = writeln!(
        o,
        "System {}: severity {}, score {}, {} people affected",
        clean(&r.system),
        r.severity.as_str().to_uppercase(),
        r.score,
        people
    );
    o.push('\n');

    let _ = writeln!(
        o,
        "EXPOSED ({} field{})",
        r.exposed.len(),
        if r.exposed.len() == 1 { "" } else { "s" }
    );
    if r.exposed.is_empty() {
        o.push_str("  nothing\n");
    }
    let w = r.exposed.iter().map(|e| e.field.len()).max().unwrap_or(0);
    let wc = r
        .exposed
        .iter()
        .map(|e| e.category.len())
        .max()
        .unwrap_or(0);
    for e in &r.exposed {
        let _ = writeln!(
            o,
            "  {:<8} {:<w$}  {:<wc$}  {}",
            e.sensitivity.as_str(),
            clean(&e.field),
            e.category,
            clean(e.subject.as_deref().unwrap_or("-"))
        );
        for route in &e.routes {
            let mut line = String::from("           via ");
            line.push_str(
                &route
                    .nodes
                    .iter()
                    .map(|n| clean(n))
                    .collect::<Vec<_>>()
                    .join(" → "),
            );
            let mut locs: Vec<String> = route
                .hops
                .iter()
                .flat_map(|h| h.evidence.iter().map(|ev| ev.location()))
                .collect();
            locs.dedup();
            if route.hops.iter().any(|h| h.via == "access") {
                line.push_str(" (access grant)");
            }
            if route.hops.iter().any(|h| h.via == "code") {
                line.push_str(" (SDK code runs there)");
            }
            if !locs.is_empty() {
                let _ = write!(line, "  [{}]", clean(&locs.join(", ")));
            }
            if route.more_paths > 0 {
                let _ = write!(
                    line,
                    " (+{}{} more path{})",
                    route.more_paths,
                    if route.more_paths_is_lower_bound {
                        "+"
                    } else {
                        ""
                    },
                    if route.more_paths == 1 { "" } else { "s" }
                );
            }
            o.push_str(&line);
            o.push('\n');
        }
    }
    o.push('\n');
    let _ = writeln!(
        o,
        "NOT EXPOSED (fields of medium sensitivity or above that do not reach {})",
        clean(&r.vendor_name)
    );
    if r.not_exposed.is_empty() {
        o.push_str("  none: every sensitive field reaches it\n");
    }
    let w = r
        .not_exposed
        .iter()
        .map(|e| e.field.len())
        .max()
        .unwrap_or(0);
    for e in &r.not_exposed {
        let _ = writeln!(
            o,
            "  {:<8} {:<w$}  {}",
            e.sensitivity.as_str(),
            clean(&e.field),
            e.category
        );
    }
    o.push('\n');
    o.push_str("PEOPLE AFFECTED\n");
    if r.affected.is_empty() {
        o.push_str("  none\n");
    }
    for a in &r.affected {
        let count = a
            .count
            .map(group_digits)
            .unwrap_or_else(|| "count unknown".into());
        let mut line = format!("  {}: {count}", clean(&a.subject));
        if let Some(d) = &a.description {
            let _ = write!(line, " ({})", clean(d));
        }
        if !a.regions.is_empty() {
            let _ = write!(line, ", regions {}", clean(&a.regions.join(", ")));
        }
        o.push_str(&line);
        o.push('\n');
    }
    o.push('\n');
    o.push_str("WHAT AN ATTACKER CAN DO\n");
    if r.scenarios.is_empty() {
        o.push_str("  no known attack scenario applies\n");
    }
    for s in &r.scenarios {
        let _ = writeln!(o, "  {} [{}]: {}", s.title, s.id, s.description);
        let _ = writeln!(o, "      because: {}", s.because.join(", "));
    }
    o.push('\n');
    o.push_str("RESPONSE CHECKLIST\n");
    for a in &r.actions {
        let _ = writeln!(o, "  [ ] {} [{}]", a.title, a.id);
        let _ = writeln!(o, "      {}", clean(&a.text));
        for l in &a.locations {
            let _ = writeln!(o, "        - {}", clean(l));
        }
    }
    if !r.notes.is_empty() {
        o.push('\n');
        o.push_str("NOTES\n");
        for n in &r.notes {
            let _ = writeln!(o, "  ! {}", clean(n));
        }
    }
    o.push('\n');
    let terms: Vec<String> = r
        .score_terms
        .iter()
        .map(|t| format!("{} ({})", t.what, t.points))
        .collect();
    let _ = writeln!(
        o,
        "SCORE {} = ({}) × reach {:.2} (log10 of people affected)",
        r.score,
        if terms.is_empty() {
            "0".to_string()
        } else {
            terms.join(" + ")
        },
        r.reach_factor
    );
    o
}

/// The ranking as a table.
pub fn rank(r: &RankReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Vendors of {} by blast radius ({} mode)",
        clean(&r.system),
        r.mode.as_str()
    );
    if r.vendors.is_empty() {
        o.push_str("  no vendors\n");
        return o;
    }
    let w = r
        .vendors
        .iter()
        .map(|v| v.vendor.len())
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = writeln!(
        o,
        "  {:>5}  {:<8}  {:<w$}  {:>7}  {:>13}  scenarios",
        "score", "severity", "vendor", "exposed", "people"
    );
    for v in &r.vendors {
        let people = v.people.map(group_digits).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            o,
            "  {:>5}  {:<8}  {:<w$}  {:>7}  {:>13}  {}",
            v.score,
            v.severity.as_str(),
            clean(&v.vendor),
            v.exposed,
            people,
            v.scenarios.join(", ")
        );
    }
    o
}
