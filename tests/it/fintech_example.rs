//! The larger example (`examples/fintech/`: 3 groups of people, 40 fields,
//! 8 components, 25 vendors, forwarding and access): for every vendor, no
//! category is said to be both exposed and not exposed for the same group
//! of people, in the report, the users' notice and the checklist; the
//! ranking puts severity first; the folder of pages links every vendor.

use std::collections::{BTreeMap, BTreeSet};

use blastmap::graph::{DataGraph, Mode};
use blastmap::model::declaration::load_file;
use blastmap::report::notice::{Lang, NoticeFormat, NoticeKind, draft};

const FINTECH: &str = "examples/fintech/blastmap.yaml";

#[test]
fn no_group_is_told_a_kind_of_data_was_both_exposed_and_not() {
    let map = load_file(std::path::Path::new(FINTECH)).expect("the fintech example is valid");
    assert_eq!(
        (
            map.subjects.len(),
            map.fields.len(),
            map.components.len(),
            map.vendors.len()
        ),
        (3, 40, 8, 25)
    );
    let g = DataGraph::build(&map);
    let mut groups_checked = 0;
    for vendor in map.vendors.keys() {
        let r = g.blast(vendor, Mode::Data).unwrap();
        let mut exposed: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
        for e in &r.exposed {
            exposed
                .entry(e.subject.clone().unwrap_or_default())
                .or_default()
                .insert(e.plain.as_str());
        }
        // The report's lists are per field, each with its group: the
        // notice and the checklist must keep them apart per group.
        for lang in [Lang::En, Lang::Ar] {
            let n = draft(&r, NoticeKind::Users, lang, NoticeFormat::Markdown);
            assert!(!n.contains("template error"), "{vendor}: {n}");
        }
        let n = draft(&r, NoticeKind::Users, Lang::En, NoticeFormat::Markdown);
        let (involved, spared) = n
            .split_once("## What information was not involved")
            .unwrap();
        let spared = spared.split("## What we are doing").next().unwrap();
        for a in &r.affected {
            let who = a.description.clone().unwrap_or_else(|| a.subject.clone());
            let line_of = |text: &str| {
                text.lines()
                    .find(|l| l.starts_with(&format!("- {who}")))
                    .map(str::to_string)
            };
            let (Some(inv), Some(not)) = (line_of(involved), line_of(spared)) else {
                continue;
            };
            groups_checked += 1;
            for plain in exposed.get(&a.subject).into_iter().flatten() {
                assert!(inv.contains(plain), "{vendor}: {who} lost {plain}: {inv}");
                let not_items = not.split_once(": ").map(|x| x.1).unwrap_or("");
                assert!(
                    !not_items
                        .trim_end_matches('.')
                        .split(", ")
                        .any(|p| p == *plain),
                    "{vendor}: {who} is told {plain} was both involved and not: {inv} / {not}"
                );
            }
        }
        if let Some(step) = r.actions.iter().find(|a| a.id == "notify-subjects") {
            groups_checked += 1;
            for sentence in step.text.split("Tell ").filter(|s| !s.is_empty()) {
                let Some((what, not)) = sentence.split_once("Say as clearly what was not: ") else {
                    continue;
                };
                let items = |list: &str| -> BTreeSet<String> {
                    list.trim()
                        .trim_end_matches('.')
                        .split(", ")
                        .map(str::to_string)
                        .collect()
                };
                let exposed_items = items(what.split_once("what was exposed: ").unwrap().1);
                let spared_items = items(not);
                assert!(
                    exposed_items.is_disjoint(&spared_items),
                    "{vendor}: notify-subjects says some kind both ways: {sentence}"
                );
            }
        }
    }
    assert!(
        groups_checked > 30,
        "only {groups_checked} lists were compared"
    );
}

#[test]
fn the_ranking_puts_every_critical_vendor_first() {
    let map = load_file(std::path::Path::new(FINTECH)).unwrap();
    let r = DataGraph::build(&map).rank(Mode::Data);
    let severities: Vec<_> = r.vendors.iter().map(|v| v.severity).collect();
    let mut sorted = severities.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(severities, sorted);
    // Okta (350 staff, account takeover) is critical with a smaller score
    // than Zendesk (high, 2.4 million people): it comes first.
    let pos = |id: &str| r.vendors.iter().position(|v| v.vendor == id).unwrap();
    assert!(pos("okta") < pos("zendesk"));
    assert!(
        r.vendors[pos("okta")].score < r.vendors[pos("zendesk")].score,
        "the example shows severity before score"
    );
}
