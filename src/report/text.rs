//! Plain text: a short incident brief a person can paste into a ticket.

use super::escape::terminal;
use std::fmt::Write;

use super::words::group_digits;
use crate::graph::blast::{BlastReport, HopKind, RouteReport};
use crate::graph::diff::MapDiff;
use crate::graph::rank::RankReport;
use crate::graph::whatif::{BlastWhatIf, Change, RankWhatIf, VendorDelta};
use crate::model::assume::AssumptionEffect;

/// The blast brief.
pub fn blast(r: &BlastReport) -> String {
    let r = &super::words::worded(r);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "BLAST RADIUS: {} ({}) breached, {} mode",
        terminal(&r.vendor_name),
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
        terminal(&r.system),
        r.severity.as_str().to_uppercase(),
        r.score,
        people
    );
    o.push('\n');
    if let Some(w) = &r.what_if {
        blast_what_if(&mut o, w, &r.vendor_name);
    }

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
            terminal(&e.field),
            e.category,
            terminal(e.subject.as_deref().unwrap_or("-"))
        );
        for route in &e.routes {
            o.push_str(&route_line(route));
            o.push('\n');
        }
    }
    o.push('\n');
    let _ = writeln!(
        o,
        "NOT EXPOSED (fields of medium sensitivity or above that do not reach {})",
        terminal(&r.vendor_name)
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
            terminal(&e.field),
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
        let mut line = format!("  {}: {count}", terminal(&a.subject));
        if let Some(d) = &a.description {
            let _ = write!(line, " ({})", terminal(d));
        }
        if !a.regions.is_empty() {
            let _ = write!(line, ", regions {}", terminal(&a.regions.join(", ")));
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
        let _ = writeln!(o, "      {}", terminal(&a.text));
        for l in &a.locations {
            let _ = writeln!(o, "        - {}", terminal(l));
        }
    }
    if !r.notes.is_empty() {
        o.push('\n');
        o.push_str("NOTES\n");
        for n in &r.notes {
            let _ = writeln!(o, "  ! {}", terminal(n));
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

/// One path of an exposed field: `via` the nodes, how it crosses (access,
/// SDK code), where it was seen and how many other paths there are.
fn route_line(route: &RouteReport) -> String {
    let mut line = String::from("           via ");
    line.push_str(
        &route
            .nodes
            .iter()
            .map(|n| terminal(n))
            .collect::<Vec<_>>()
            .join(" → "),
    );
    let mut locs: Vec<String> = route
        .hops
        .iter()
        .flat_map(|h| h.evidence.iter().map(|ev| ev.location()))
        .collect();
    locs.dedup();
    if route.hops.iter().any(|h| h.via == HopKind::Access) {
        line.push_str(" (access grant)");
    }
    if route.hops.iter().any(|h| h.via == HopKind::Code) {
        line.push_str(" (SDK code runs there)");
    }
    if !locs.is_empty() {
        let _ = write!(line, "  [{}]", terminal(&locs.join(", ")));
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
    line
}

/// How `rank` orders vendors, as every format says it.
pub const RANK_ORDER: &str = "Ordered by severity (the most sensitive field exposed, or the worst attack it enables), then by score ((field points + scenario weights) × log10 of the people affected); `blastmap blast VENDOR` shows how its score is made.";

/// The ranking as a table.
pub fn rank(r: &RankReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Vendors of {} by blast radius ({} mode)",
        terminal(&r.system),
        r.mode.as_str()
    );
    if let Some(w) = &r.what_if {
        rank_what_if(&mut o, w);
    }
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
    o.push_str(RANK_ORDER);
    o.push('\n');
    let _ = writeln!(
        o,
        "  {:<8}  {:>5}  {:<w$}  {:>7}  {:>13}  scenarios",
        "severity", "score", "vendor", "exposed", "people"
    );
    for v in &r.vendors {
        let people = v.people.map(group_digits).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            o,
            "  {:<8}  {:>5}  {:<w$}  {:>7}  {:>13}  {}",
            v.severity.as_str(),
            v.score,
            terminal(&v.vendor),
            v.exposed,
            people,
            v.scenarios.join(", ")
        );
    }
    o
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `before → after`, or `after (unchanged)`.
fn arrow<T: PartialEq + std::fmt::Display>(c: &Change<T>) -> String {
    if c.changed() {
        format!("{} → {}", c.before, c.after)
    } else {
        format!("{} (unchanged)", c.after)
    }
}

fn severity_arrow(c: &Change<crate::graph::blast::Severity>) -> String {
    arrow(&Change {
        before: c.before.as_str(),
        after: c.after.as_str(),
    })
}

/// The assumptions and what they did to the map, one line each, without
/// escaping (each renderer cleans them for its format).
pub fn effect_summary(e: &AssumptionEffect) -> Vec<String> {
    let mut o = Vec::new();
    for a in &e.assumptions {
        o.push(format!("assumed: {a}"));
    }
    for f in &e.flows_added {
        o.push(format!(
            "+ flow {} → {}: {}",
            f.from,
            f.to,
            f.fields.joined()
        ));
    }
    for v in &e.vendors_added {
        o.push(format!("+ vendor {v} (from the catalog)"));
    }
    for f in &e.fields_added {
        o.push(format!("+ field {f} (a category used directly)"));
    }
    for v in &e.vendors_removed {
        o.push(format!("- vendor {v}"));
    }
    for f in &e.flows_removed {
        o.push(format!(
            "- flow {} → {}: {}",
            f.from,
            f.to,
            f.fields.joined()
        ));
    }
    for g in &e.access_removed {
        o.push(format!(
            "- access grant: {} no longer reads {}",
            g.vendor, g.system
        ));
    }
    o
}

fn effect_lines(o: &mut String, e: &AssumptionEffect) {
    for l in effect_summary(e) {
        let _ = writeln!(o, "  {}", terminal(&l));
    }
}

/// The what-if section of the blast brief.
fn blast_what_if(o: &mut String, w: &BlastWhatIf, vendor_name: &str) {
    o.push_str("WHAT IF (against the map as declared)\n");
    effect_lines(o, &w.assumed);
    if !w.vendor_in_map {
        let _ = writeln!(
            o,
            "  {} is not in the map as declared: everything below is new",
            terminal(vendor_name)
        );
    }
    if !w.changed {
        let _ = writeln!(o, "  no change to {}'s blast radius", terminal(vendor_name));
        o.push('\n');
        return;
    }
    let _ = writeln!(
        o,
        "  severity {}, score {}, people {}",
        severity_arrow(&w.severity),
        arrow(&w.score),
        arrow(&Change {
            before: w
                .people
                .before
                .map(group_digits)
                .unwrap_or_else(|| "unknown".into()),
            after: w
                .people
                .after
                .map(group_digits)
                .unwrap_or_else(|| "unknown".into()),
        })
    );
    let _ = writeln!(
        o,
        "  credentials exposed: {}",
        arrow(&Change {
            before: if w.credentials_exposed.before {
                "yes"
            } else {
                "no"
            },
            after: if w.credentials_exposed.after {
                "yes"
            } else {
                "no"
            },
        })
    );
    for (label, list) in [
        ("newly exposed", &w.newly_exposed),
        ("no longer exposed", &w.no_longer_exposed),
    ] {
        if list.is_empty() {
            let _ = writeln!(o, "  {label}: none");
            continue;
        }
        let _ = writeln!(o, "  {label} ({}):", list.len());
        for f in list {
            let _ = writeln!(
                o,
                "    {:<8} {}  {} ({})",
                f.sensitivity.as_str(),
                terminal(&f.field),
                f.category,
                terminal(&f.plain)
            );
        }
    }
    for (label, list) in [
        ("scenarios added", &w.scenarios_added),
        ("scenarios removed", &w.scenarios_removed),
        ("actions added", &w.actions_added),
        ("actions removed", &w.actions_removed),
    ] {
        if !list.is_empty() {
            let _ = writeln!(o, "  {label}: {}", list.join(", "));
        }
    }
    o.push('\n');
}

/// One line per vendor delta, with its field changes below it.
fn delta_lines(o: &mut String, vendors: &[VendorDelta]) {
    let w = vendors
        .iter()
        .map(|v| v.vendor.chars().count())
        .max()
        .unwrap_or(6)
        .max(6);
    for v in vendors {
        let d = v.score_delta();
        let _ = writeln!(
            o,
            "  {:<w$}  {:<7}  score {} → {} ({}{d})  severity {}  exposed {}",
            terminal(&v.vendor),
            v.status.as_str(),
            v.score.before,
            v.score.after,
            if d >= 0 { "+" } else { "" },
            severity_arrow(&v.severity),
            arrow(&v.exposed),
        );
        if !v.newly_exposed.is_empty() {
            let _ = writeln!(
                o,
                "  {:<w$}    + {}",
                "",
                terminal(&v.newly_exposed.join(", "))
            );
        }
        if !v.no_longer_exposed.is_empty() {
            let _ = writeln!(
                o,
                "  {:<w$}    - {}",
                "",
                terminal(&v.no_longer_exposed.join(", "))
            );
        }
    }
}

/// The what-if section of the ranking.
fn rank_what_if(o: &mut String, w: &RankWhatIf) {
    o.push_str("\nWHAT IF (against the map as declared)\n");
    effect_lines(o, &w.assumed);
    if w.vendors.is_empty() {
        o.push_str("  no vendor's blast radius changes\n");
    } else {
        let _ = writeln!(
            o,
            "  {} changed, {} unchanged (+ newly exposed, - no longer exposed):",
            plural(w.vendors.len(), "vendor"),
            w.unchanged
        );
        delta_lines(o, &w.vendors);
    }
    o.push_str("\nWITH THE ASSUMPTIONS\n");
}

/// `diff A B` as a brief.
pub fn diff(d: &MapDiff) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "DIFF {} ({}) → {} ({}), {} mode",
        terminal(&d.before.file),
        terminal(&d.before.system),
        terminal(&d.after.file),
        terminal(&d.after.system),
        d.mode.as_str()
    );
    if !d.changed {
        o.push_str("  no differences\n");
        return o;
    }
    let section = |o: &mut String, title: &str, lines: Vec<String>| {
        if lines.is_empty() {
            return;
        }
        let _ = writeln!(o, "\n{title}");
        for l in lines {
            let _ = writeln!(o, "  {}", terminal(&l));
        }
    };
    let mut vendors: Vec<String> = d
        .vendors_added
        .iter()
        .map(|v| format!("+ {} ({}, {})", v.vendor, v.name, v.category))
        .collect();
    vendors.extend(
        d.vendors_removed
            .iter()
            .map(|v| format!("- {} ({}, {})", v.vendor, v.name, v.category)),
    );
    for c in &d.vendors_changed {
        if let Some(cat) = &c.category {
            vendors.push(format!(
                "~ {}: category {} → {}",
                c.vendor, cat.before, cat.after
            ));
        }
        for a in &c.access_added {
            vendors.push(format!("~ {}: now holds credentials to {a}", c.vendor));
        }
        for a in &c.access_removed {
            vendors.push(format!(
                "~ {}: no longer holds credentials to {a}",
                c.vendor
            ));
        }
    }
    section(&mut o, "VENDORS", vendors);
    let mut comps: Vec<String> = d
        .components_added
        .iter()
        .map(|c| format!("+ {c}"))
        .collect();
    comps.extend(d.components_removed.iter().map(|c| format!("- {c}")));
    section(&mut o, "COMPONENTS", comps);
    let mut fields: Vec<String> = d
        .fields_added
        .iter()
        .map(|f| format!("+ {} ({}, {})", f.field, f.category, f.sensitivity))
        .collect();
    fields.extend(
        d.fields_removed
            .iter()
            .map(|f| format!("- {} ({}, {})", f.field, f.category, f.sensitivity)),
    );
    fields.extend(d.fields_changed.iter().map(|f| {
        format!(
            "~ {}: {}, {}",
            f.field,
            arrow(&f.category),
            arrow(&f.sensitivity)
        )
    }));
    section(&mut o, "FIELDS", fields);
    let mut flows: Vec<String> = d
        .flows_added
        .iter()
        .map(|f| format!("+ {} → {}: {}", f.from, f.to, f.fields.joined()))
        .collect();
    flows.extend(
        d.flows_removed
            .iter()
            .map(|f| format!("- {} → {}: {}", f.from, f.to, f.fields.joined())),
    );
    for c in &d.flows_changed {
        let mut parts = Vec::new();
        if !c.fields_added.is_empty() {
            parts.push(format!("+ {}", c.fields_added.join(", ")));
        }
        if !c.fields_removed.is_empty() {
            parts.push(format!("- {}", c.fields_removed.join(", ")));
        }
        if parts.is_empty() {
            parts.push(format!("{} → {}", c.before.joined(), c.after.joined()));
        }
        flows.push(format!("~ {} → {}: {}", c.from, c.to, parts.join("; ")));
    }
    section(&mut o, "FLOWS", flows);
    o.push_str("\nBLAST RADIUS BY VENDOR (+ newly exposed, - no longer exposed)\n");
    if d.exposure.vendors.is_empty() {
        o.push_str("  no vendor's blast radius changes\n");
    } else {
        delta_lines(&mut o, &d.exposure.vendors);
    }
    let _ = writeln!(o, "  {} unchanged", plural(d.exposure.unchanged, "vendor"));
    o
}
