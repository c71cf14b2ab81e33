//! The join's algebra, checked over random documents drawn from small pools
//! of ids (so that documents overlap and every attribute collides often):
//! commutative, associative, idempotent, with the empty document neutral,
//! and stable through its JSON form.

use std::collections::BTreeSet;
use std::path::Path;

use proptest::collection::{btree_set, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::*;
use crate::model::{ComponentKind, EvidenceKind, Scope, Sensitivity, VendorCategory};

const REPOS: &[&str] = &["a", "b", "acme/c"];
const IDS: &[&str] = &["a/web", "b/web", "a/code", "mixpanel", "segment"];
const TEXT: &[&str] = &["x", "y", "Zed", ""];

/// The JSON form a merged map is written in (pretty, sorted); the CLI adds
/// `report::json`'s escaping of invisible characters on top, which reads
/// back to the same values.
fn to_json(m: &Merged) -> String {
    serde_json::to_string_pretty(m).unwrap()
}

fn text() -> impl Strategy<Value = String> {
    select(TEXT).prop_map(String::from)
}

fn repos() -> impl Strategy<Value = BTreeSet<String>> {
    btree_set(select(REPOS).prop_map(String::from), 0..3)
}

fn origin() -> impl Strategy<Value = MOrigin> {
    select(&[MOrigin::Declared, MOrigin::Discovered, MOrigin::Both][..])
}

fn sensitivity() -> impl Strategy<Value = Sensitivity> {
    select(&Sensitivity::ALL[..])
}

fn evidence() -> impl Strategy<Value = MEvidence> {
    (
        select(REPOS),
        select(
            &[
                EvidenceKind::Import,
                EvidenceKind::Call,
                EvidenceKind::Declared,
            ][..],
        ),
        text(),
        0u32..3,
        text(),
        select(&[Scope::Production, Scope::Test][..]),
    )
        .prop_map(|(repo, kind, file, line, text, scope)| MEvidence {
            repo: repo.into(),
            kind,
            file,
            line,
            text,
            scope,
        })
}

/// Every strategy of one section yields one-entry documents, joined in
/// order by [`doc`].
fn one(fill: impl FnOnce(&mut Merged)) -> Merged {
    let mut one = Merged::empty();
    fill(&mut one);
    one
}

fn repo_docs() -> impl Strategy<Value = Vec<Merged>> {
    vec(
        (
            select(REPOS),
            btree_set(text(), 0..2),
            btree_set(text(), 0..2),
        ),
        0..3,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(r, systems, inputs)| {
                one(|d| {
                    d.repos.insert(r.into(), RepoInfo { systems, inputs });
                })
            })
            .collect()
    })
}

fn subject_docs() -> impl Strategy<Value = Vec<Merged>> {
    vec(
        (
            select(&["customer", "employee"][..]),
            option::of(text()),
            option::of(0u64..5),
            btree_set(select(&["eu", "us"][..]).prop_map(String::from), 0..2),
            repos(),
        ),
        0..3,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(id, description, count, regions, repos)| {
                one(|d| {
                    d.subjects.insert(
                        id.into(),
                        MSubject {
                            description,
                            count,
                            count_by_region: regions
                                .iter()
                                .filter_map(|r| count.map(|c| (r.clone(), c / 2)))
                                .collect(),
                            regions: regions.into_iter().collect(),
                            repos,
                        },
                    );
                })
            })
            .collect()
    })
}

fn category_docs() -> impl Strategy<Value = Vec<Merged>> {
    vec(
        (
            select(&["user.content.prompts", "user.content.files"][..]),
            text(),
            select(&["user.content", "user"][..]),
            sensitivity(),
            option::of(text()),
            repos(),
        ),
        0..2,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(k, name, parent, sensitivity, plain, repos)| {
                one(|d| {
                    d.taxonomy.insert(
                        k.into(),
                        MCategory {
                            name,
                            parent: parent.into(),
                            sensitivity,
                            plain,
                            repos,
                        },
                    );
                })
            })
            .collect()
    })
}

fn field_docs() -> impl Strategy<Value = Vec<Merged>> {
    vec(
        (
            select(&["a/email", "b/email", "a/user.name"][..]),
            select(&["user.contact.email", "user.name"][..]),
            option::of(select(&["customer", "employee"][..])),
            sensitivity(),
            option::of(text()),
            any::<bool>(),
            repos(),
        ),
        0..4,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(
                |(id, category, subject, sensitivity, description, implicit, repos)| {
                    one(|d| {
                        d.fields.insert(
                            id.into(),
                            MField {
                                category: category.into(),
                                subject: subject.map(String::from),
                                sensitivity,
                                description,
                                implicit,
                                repos,
                            },
                        );
                    })
                },
            )
            .collect()
    })
}

fn component_docs() -> impl Strategy<Value = Vec<Merged>> {
    vec(
        (
            select(&IDS[..3]),
            option::of(text()),
            select(&ComponentKind::ALL[..]),
            btree_set(text(), 0..2),
            btree_set(
                select(&["a/email", "b/email"][..]).prop_map(String::from),
                0..2,
            ),
            origin(),
            repos(),
        ),
        0..4,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(id, name, kind, paths, holds, origin, repos)| {
                one(|d| {
                    d.components.insert(
                        id.into(),
                        MComponent {
                            name,
                            kind,
                            paths,
                            holds,
                            origin,
                            repos,
                        },
                    );
                })
            })
            .collect()
    })
}

fn vendor_docs() -> impl Strategy<Value = Vec<Merged>> {
    vec(
        (
            select(&IDS[3..]),
            text(),
            select(&VendorCategory::ALL[..]),
            btree_set(select(IDS).prop_map(String::from), 0..2),
            origin(),
            repos(),
        ),
        0..3,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(id, name, category, access, origin, repos)| {
                one(|d| {
                    d.vendors.insert(
                        id.into(),
                        MVendor {
                            name,
                            category,
                            access,
                            origin,
                            repos,
                        },
                    );
                })
            })
            .collect()
    })
}

fn flow_docs() -> impl Strategy<Value = Vec<Merged>> {
    vec(
        (
            select(IDS),
            select(IDS),
            option::of(btree_set(
                select(&["a/email", "b/email", "a/user.name"][..]).prop_map(String::from),
                0..3,
            )),
            btree_set(text(), 0..2),
            origin(),
            btree_set(evidence(), 0..3),
            repos(),
        ),
        0..5,
    )
    .prop_map(|v| {
        v.into_iter()
            .map(|(from, to, fields, purposes, origin, evidence, repos)| {
                one(|d| {
                    d.flows.insert(
                        (from.into(), to.into()),
                        MFlow {
                            from: from.into(),
                            to: to.into(),
                            fields: match fields {
                                None => MFields::All(AllTag::All),
                                Some(s) => MFields::List(s),
                            },
                            purposes,
                            origin,
                            evidence,
                            repos,
                        },
                    );
                })
            })
            .collect()
    })
}

/// A merged document built through `join` of one-entry documents, as the
/// real inputs would arrive (duplicates within a document collide too),
/// with non-production uses, skipped files and a system name.
fn doc() -> impl Strategy<Value = Merged> {
    let others = (
        btree_set(
            (
                select(REPOS),
                select(IDS),
                select(&[Scope::Test, Scope::Dev][..]),
            ),
            0..2,
        ),
        btree_set((select(REPOS), text(), text()), 0..2),
        option::of(select(&["acme", "beta"][..])),
    );
    (
        repo_docs(),
        subject_docs(),
        category_docs(),
        field_docs(),
        component_docs(),
        vendor_docs(),
        flow_docs(),
        others,
    )
        .prop_map(|(ri, su, ta, fi, co, ve, fl, (np, sk, system))| {
            let mut d = Merged::empty();
            d.system = system.map(String::from);
            for one in [ri, su, ta, fi, co, ve, fl].into_iter().flatten() {
                d.join(one);
            }
            d.not_production = np
                .into_iter()
                .map(|(repo, vendor, scope)| NonProduction {
                    repo: repo.into(),
                    vendor: vendor.into(),
                    component: None,
                    scope,
                })
                .collect();
            d.skipped = sk
                .into_iter()
                .map(|(repo, path, reason)| MSkipped {
                    repo: repo.into(),
                    path,
                    reason,
                })
                .collect();
            d
        })
}

fn join(a: &Merged, b: &Merged) -> Merged {
    let mut x = a.clone();
    x.join(b.clone());
    x
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn join_is_commutative(a in doc(), b in doc()) {
        prop_assert_eq!(join(&a, &b), join(&b, &a));
    }

    #[test]
    fn join_is_associative(a in doc(), b in doc(), c in doc()) {
        prop_assert_eq!(join(&join(&a, &b), &c), join(&a, &join(&b, &c)));
    }

    #[test]
    fn join_is_idempotent_with_empty_neutral(a in doc()) {
        prop_assert_eq!(join(&a, &a), a.clone());
        prop_assert_eq!(join(&a, &Merged::empty()), a.clone());
        prop_assert_eq!(join(&Merged::empty(), &a), a);
    }

    #[test]
    fn json_round_trip_is_exact(a in doc()) {
        let text = to_json(&a);
        let back = load(&text, "m.json").map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(to_json(&back), text);
        prop_assert_eq!(back, a);
    }

    #[test]
    fn any_order_and_grouping_of_inputs_gives_the_same_bytes(
        docs in vec(doc(), 1..6),
        seed in any::<u64>(),
    ) {
        let all = Merged::join_all(docs.clone());
        // A deterministic shuffle, then a split into two batches merged
        // separately (the CI-fleet shape), then merged together.
        let mut shuffled = docs.clone();
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        let cut = (seed as usize) % (shuffled.len() + 1);
        let left = Merged::join_all(shuffled[..cut].to_vec());
        let right = Merged::join_all(shuffled[cut..].to_vec());
        prop_assert_eq!(to_json(&join(&right, &left)), to_json(&all));
    }
}

#[test]
fn repository_names_from_file_names_and_ci_artifact_folders() {
    let r = |p: &str| repo_from_path(Path::new(p));
    assert_eq!(
        r("out/payments-api.scan.json").as_deref(),
        Some("payments-api")
    );
    assert_eq!(r("out/payments-api.json").as_deref(), Some("payments-api"));
    assert_eq!(
        r("artifacts/payments-api/scan.json").as_deref(),
        Some("payments-api")
    );
    assert_eq!(r("repos/web/blastmap.yaml").as_deref(), Some("web"));
    assert_eq!(r("infra.blastmap.yml").as_deref(), Some("infra"));
    assert!(valid_repo_name("acme/payments-api"));
    for bad in [
        "", "/abs", "../up", "a//b", "a b", "a:b", ".hidden", "a/./b",
    ] {
        assert!(!valid_repo_name(bad), "{bad:?} accepted");
    }
}

#[test]
fn a_scan_category_stands_for_the_one_declared_field_of_that_category() {
    let mut doc = Merged::empty();
    let repos = BTreeSet::from(["shop".to_string()]);
    doc.subjects.insert(
        "customer".into(),
        MSubject {
            repos: repos.clone(),
            ..Default::default()
        },
    );
    for (id, cat, implicit) in [
        ("shop/email", "user.contact.email", false),
        ("shop/user.contact.email", "user.contact.email", true),
        ("shop/user.unique_id", "user.unique_id", true),
        ("shop/home_phone", "user.contact.phone_number", false),
        ("shop/work_phone", "user.contact.phone_number", false),
        (
            "shop/user.contact.phone_number",
            "user.contact.phone_number",
            true,
        ),
    ] {
        doc.fields.insert(
            id.into(),
            MField {
                category: cat.into(),
                subject: None,
                sensitivity: Sensitivity::Medium,
                description: None,
                implicit,
                repos: repos.clone(),
            },
        );
    }
    doc.components.insert(
        "shop/code".into(),
        MComponent {
            name: None,
            kind: ComponentKind::Other,
            paths: BTreeSet::new(),
            holds: BTreeSet::new(),
            origin: MOrigin::Discovered,
            repos: repos.clone(),
        },
    );
    doc.vendors.insert(
        "sentry".into(),
        MVendor {
            name: "Sentry".into(),
            category: VendorCategory::ErrorMonitoring,
            access: BTreeSet::new(),
            origin: MOrigin::Discovered,
            repos: repos.clone(),
        },
    );
    let fields: BTreeSet<String> = [
        "shop/user.contact.email",
        "shop/user.unique_id",
        "shop/user.contact.phone_number",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    doc.flows.insert(
        ("shop/code".into(), "sentry".into()),
        MFlow {
            from: "shop/code".into(),
            to: "sentry".into(),
            fields: MFields::List(fields),
            purposes: BTreeSet::new(),
            origin: MOrigin::Discovered,
            evidence: BTreeSet::new(),
            repos,
        },
    );
    let (map, _) = to_map(&doc, "m.json").unwrap();
    let crate::model::FlowFields::List(sent) = &map.flows[0].fields else {
        panic!("a list")
    };
    // email resolves to the declared field; two phone fields are ambiguous,
    // so the category stays as it is.
    assert_eq!(
        sent,
        &[
            "shop/email",
            "shop/user.contact.phone_number",
            "shop/user.unique_id"
        ]
    );
    assert!(!map.fields.contains_key("shop/user.contact.email"));
    // The repository's only subject owns the categories the scan saw.
    assert_eq!(
        map.fields["shop/user.unique_id"].subject.as_deref(),
        Some("customer")
    );
}
