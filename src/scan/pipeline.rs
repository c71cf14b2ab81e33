//! The scan pipeline: walk (one task, metadata only, handing each file
//! over as it finds it, while the catalog's automata are built beside it)
//! → per file in parallel, as the walk goes on: read once, check,
//! prefilter, then only for files that mention a vendor (or are manifests)
//! parse and detect → the passes across files, on the texts the first pass
//! kept ([`texts`]) → attribute to components → group into integrations,
//! sorted.
//!
//! Invariants: every file the walk hands over ends up read, analysed or
//! listed as skipped; the result is sorted, so the same tree gives the same
//! output whatever the thread scheduling.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;

use super::component::{Components, package_id, slug};
use super::endpoint::{self, Domains};
use super::folders;
use super::http;
use super::index::Index;
use super::lang::{self, ExtractError, ImportSyntax, Lang};
use super::lines::LineIndex;
use super::mailers;
use super::manifest::{self, ManifestKind};
use super::mention;
use super::models;
use super::prefilter::{Hit, Prefilter, Role};
use super::redact::Redactor;
use super::remote;
use super::ruby_tree;
use super::texts::{self, Budget, Kept, Texts};
use super::walk::{self, WalkedFile};
use super::{
    FieldUse, Finding, Integration, ScanComponent, ScanError, ScanOptions, ScanResult, ScanStats,
    SkipReason, Skipped, SkippedFile, calls, collects, config, imports, logins, renderers, scope,
    script, secrets, wrappers,
};
use crate::catalog::{Catalog, Ecosystem};
use crate::model::{Evidence, EvidenceKind, Scope};

/// Evidence text is cut to this many characters.
const MAX_TEXT: usize = 200;

/// From this many walked files on, the name search runs on a DFA, which
/// takes about 150 ms to build and searches faster than the NFA built by
/// default: measured on `benches/scan_vs_rg.sh`'s tree (26k files) it
/// saves about a fifth of the CPU time; on the realworld applications
/// (1.3k to 6.6k files) the build costs more than it saves.
const DFA_FROM_FILES: usize = 10_000;

/// Everything built once per scan from the catalog.
struct Ctx {
    index: Index,
    prefilter: Prefilter,
    domains: Domains,
    redactor: Redactor,
    max_file_size: u64,
    /// The catalog's data-sending calls per vendor index, and the vendors
    /// that carry messages (chat, SMS, email, support) or email.
    calls: calls::Specs,
    /// The catalog's `disabled_by` and `enabled_by` texts, normalised, per vendor index.
    switches: Vec<Vec<String>>,
    /// The catalog's secret patterns.
    secrets: secrets::Secrets,
    /// Storage and CDN vendors, whose hotlinked pictures are mentions.
    asset_hosts: BTreeSet<u16>,
    /// Nango, through which provider keys name vendors (`folders`).
    nango: Option<u16>,
    /// Per vendor, the packages that make it a framework's mail transport
    /// (the catalog's `mailer_packages`, [`mailers`]).
    mailer_packages: Vec<(u16, Vec<String>)>,
    /// Per vendor, its packages that are providers of a provider-neutral
    /// model SDK ([`models`]).
    model_packages: Vec<(u16, Vec<String>)>,
}

impl Ctx {
    /// What every file's analysis reads: the catalog's index, the
    /// prefilter, the hosts and the vendor sets the detectors use.
    fn new(catalog: &Catalog, max_file_size: u64) -> Ctx {
        let index = Index::new(catalog);
        let vendor_of = |id: &String| catalog.get(id);
        let call_specs = index
            .vendors
            .iter()
            .map(|id| vendor_of(id).map(|v| v.calls.clone()).unwrap_or_default())
            .collect();
        let switches = index
            .vendors
            .iter()
            .map(|id| vendor_of(id).map(collects::switches).unwrap_or_default())
            .collect();
        // The vendors (as indexes) a catalog property picks.
        let vendors_where =
            |pick: &dyn Fn(&crate::catalog::CatalogVendor) -> bool| -> BTreeSet<u16> {
                index
                    .vendors
                    .iter()
                    .enumerate()
                    .filter(|(_, id)| vendor_of(id).is_some_and(pick))
                    .filter_map(|(i, _)| u16::try_from(i).ok())
                    .collect()
            };
        use crate::model::VendorCategory as Cat;
        // Vendors whose API carries text people wrote: messaging, email and
        // support products, AI models (prompts), and those the catalog marks.
        let messengers = vendors_where(&|v| {
            v.carries_messages
                || matches!(
                    v.category,
                    Cat::Messaging | Cat::Email | Cat::Support | Cat::Ai
                )
        });
        // Storage and CDN vendors: a picture hotlinked from one is shown, not
        // an integration (see `mention::hotlinked_asset`).
        let asset_hosts = vendors_where(&|v| matches!(v.category, Cat::Storage | Cat::Cdn));
        let mailers = vendors_where(&|v| v.category == Cat::Email);
        let nango = index.ix_of("nango");
        // The packages of each vendor a catalog property picks.
        let packages_where = |pick: &dyn Fn(&crate::catalog::CatalogVendor) -> Vec<String>| {
            index
                .vendors
                .iter()
                .enumerate()
                .filter_map(|(i, id)| {
                    let pkgs = pick(vendor_of(id)?);
                    let ix = u16::try_from(i).ok()?;
                    (!pkgs.is_empty()).then_some((ix, pkgs))
                })
                .collect::<Vec<_>>()
        };
        let mailer_packages = packages_where(&|v| v.mailer_packages.clone());
        let model_packages = packages_where(&|v| {
            v.packages
                .get(&crate::catalog::Ecosystem::Npm)
                .into_iter()
                .flatten()
                .filter(|p| models::is_provider_package(p))
                .cloned()
                .collect()
        });
        let secrets = secrets::Secrets::new(catalog);
        // The name automaton is most of the start: the hosts' automaton and
        // the redactor are built beside it.
        let (prefilter, (domains, redactor)) = rayon::join(
            || Prefilter::with_secrets(&index, &secrets.literals()),
            || (Domains::new(&index), Redactor::new(&index.secret_patterns)),
        );
        Ctx {
            calls: calls::Specs {
                calls: call_specs,
                messengers,
                mailers,
                ids: index.vendors.clone(),
            },
            switches,
            asset_hosts,
            nango,
            mailer_packages,
            model_packages,
            prefilter,
            domains,
            redactor,
            secrets,
            index,
            max_file_size,
        }
    }
}

/// One piece of evidence, resolved while the file's text is at hand.
struct Found {
    vendor: u16,
    kind: EvidenceKind,
    line: u32,
    text: String,
    scope: Scope,
}

#[derive(Default)]
struct Outcome {
    rel: String,
    skipped: Option<SkipReason>,
    read: bool,
    analysed: bool,
    manifest: Option<(ManifestKind, Option<String>)>,
    found: Vec<Found>,
    /// Fields at vendor call sites (production files only).
    fields: Vec<calls::CallField>,
    /// `disabled_by`/`enabled_by` texts (normalised) present in this file, per vendor.
    switches: Vec<(u16, String)>,
    /// First-party wrappers of vendor calls defined in this file.
    wrappers: Vec<wrappers::Wrapper>,
    /// Vendor clients this file creates for other files to use.
    handles: Vec<wrappers::Handle>,
    /// Hard-coded vendor secrets, already redacted.
    secrets: Vec<secrets::Hit>,
    /// Vendor URLs this file defines for other files ([`remote`]).
    url_defs: Vec<remote::UrlDef>,
    /// Vendor clients this file's Ruby classes make for their subclasses
    /// (see [`inherited_client_pass`]): (class, method, vendors).
    class_clients: Vec<(String, String, Vec<u16>)>,
}

impl Outcome {
    /// True when the rest of the scan reads more of this outcome than
    /// whether its file was read and analysed: most files of a large tree
    /// name no vendor, and their outcomes are only counted.
    fn holds_more_than_counts(&self) -> bool {
        self.skipped.is_some()
            || self.manifest.is_some()
            || !self.found.is_empty()
            || !self.fields.is_empty()
            || !self.switches.is_empty()
            || !self.wrappers.is_empty()
            || !self.handles.is_empty()
            || !self.secrets.is_empty()
            || !self.url_defs.is_empty()
            || !self.class_clients.is_empty()
    }
}

/// Scans `opts.root`. `catalog` gives the catalog; it is called while the
/// tree is walked, so that loading it, building the automata and walking
/// overlap (the walk is I/O, the rest CPU). Then the passes over the files,
/// the components their manifests name, and the outcomes grouped into
/// integrations.
pub(crate) fn run<'c>(
    opts: &ScanOptions,
    catalog: impl FnOnce() -> &'c Catalog + Send,
) -> Result<ScanResult, ScanError> {
    let root = canonical_root(opts)?;
    let root_name = root.file_name().map(|n| n.to_string_lossy().into_owned());
    let mut components = Components::new(&opts.components, root_name)?;

    let Some(first) = first_pass(&root, opts, catalog) else {
        // Nothing to read and nothing skipped (an empty folder): the
        // catalog was never needed.
        return Ok(ScanResult {
            version: 1,
            integrations: Vec::new(),
            skipped: Skipped {
                total: 0,
                by_reason: BTreeMap::new(),
                files: Vec::new(),
            },
            stats: ScanStats::default(),
            components: Vec::new(),
            secrets: Vec::new(),
            declarations: None,
        });
    };
    let First {
        catalog,
        ctx,
        mut skipped,
        mut outcomes,
        read,
        analysed,
        texts,
    } = first;
    let later = later_passes(&texts, &mut outcomes, &ctx, catalog);
    drop(texts);
    outcomes.extend(later);

    let mut stats = ScanStats {
        files_read: read,
        files_analysed: analysed,
        ..ScanStats::default()
    };
    let root_names = tally(&outcomes, &mut stats, &mut skipped, &mut components);
    let found_secrets = take_secrets(&mut outcomes);
    let (groups, used) = group(outcomes, &components, &ctx);
    let Groups {
        evidence,
        mut fields,
        mut switches,
    } = groups;
    let mut integrations: Vec<Integration> = evidence
        .into_iter()
        .filter_map(|(key, ev)| {
            let fields = fields.remove(&key).unwrap_or_default();
            let switches = switches.remove(&key).unwrap_or_default();
            integration(key, ev, fields, &switches, catalog, &root_names)
        })
        .collect();
    integrations.sort_by(|a, b| {
        (&a.vendor, &a.component, a.scope).cmp(&(&b.vendor, &b.component, b.scope))
    });

    let mut result = ScanResult {
        version: 1,
        integrations,
        skipped: summarise_skipped(skipped),
        stats,
        components: used.into_iter().collect(),
        secrets: found_secrets,
        declarations: None,
    };
    result.redact_paths(&ctx.redactor);
    Ok(result)
}

/// `opts.root` made canonical, if it is a folder.
fn canonical_root(opts: &ScanOptions) -> Result<std::path::PathBuf, ScanError> {
    let meta = std::fs::metadata(&opts.root).map_err(|e| ScanError::Root {
        path: opts.root.clone(),
        source: e,
    })?;
    if !meta.is_dir() {
        return Err(ScanError::NotADirectory {
            path: opts.root.clone(),
        });
    }
    std::fs::canonicalize(&opts.root).map_err(|e| ScanError::Root {
        path: opts.root.clone(),
        source: e,
    })
}

/// Counts the outcomes into `stats`, adds the skipped ones to `skipped`,
/// and gives `components` each folder's package: the best name of its
/// manifests (named before unnamed, then by kind), else the folder's.
/// Returns the names the repository's root manifests give the project
/// itself (lowercase).
fn tally(
    outcomes: &[Outcome],
    stats: &mut ScanStats,
    skipped: &mut Vec<SkippedFile>,
    components: &mut Components,
) -> BTreeSet<String> {
    let mut packages: BTreeMap<String, ((bool, ManifestKind), String)> = BTreeMap::new();
    let mut root_names: BTreeSet<String> = BTreeSet::new();
    for o in outcomes {
        stats.files_read += usize::from(o.read);
        stats.files_analysed += usize::from(o.analysed);
        if let Some(reason) = o.skipped {
            skipped.push(SkippedFile {
                path: o.rel.clone(),
                reason,
            });
        }
        if let Some((kind, name)) = &o.manifest {
            stats.manifests += 1;
            if !o.rel.contains('/')
                && let Some(n) = name
            {
                root_names.insert(n.to_ascii_lowercase());
            }
            let mut dir = o.rel.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            if *kind == ManifestKind::GradleCatalog {
                // `gradle/libs.versions.toml` belongs to the project above `gradle/`.
                dir = dir
                    .strip_suffix("gradle")
                    .unwrap_or(dir)
                    .trim_end_matches('/');
            }
            let id = name
                .as_deref()
                .and_then(|n| package_id(n, *kind == ManifestKind::GoMod))
                .or_else(|| {
                    (!dir.is_empty())
                        .then(|| slug(dir.rsplit('/').next().unwrap_or(dir)))
                        .flatten()
                });
            if let Some(id) = id {
                let rank = (name.is_none(), *kind);
                let e = packages
                    .entry(dir.to_string())
                    .or_insert((rank, id.clone()));
                if rank < e.0 {
                    *e = (rank, id);
                }
            }
        }
    }
    for (dir, (_, id)) in packages {
        components.add_package(&dir, id);
    }
    root_names
}

/// The secrets of every outcome, moved out, sorted and deduplicated.
fn take_secrets(outcomes: &mut [Outcome]) -> Vec<secrets::SecretFinding> {
    let mut found_secrets: Vec<secrets::SecretFinding> = Vec::new();
    for o in outcomes {
        for (vendor, line, text) in std::mem::take(&mut o.secrets) {
            found_secrets.push(secrets::SecretFinding {
                vendor,
                file: o.rel.clone(),
                line,
                text,
            });
        }
    }
    found_secrets.sort();
    found_secrets.dedup();
    found_secrets
}

/// A (vendor, component) pair: one integration.
type GroupKey = (String, Option<String>);

/// The outcomes' evidence, fields and switch texts per (vendor, component).
#[derive(Default)]
struct Groups {
    evidence: BTreeMap<GroupKey, BTreeSet<Evidence>>,
    fields: BTreeMap<GroupKey, BTreeSet<FieldUse>>,
    switches: BTreeMap<GroupKey, BTreeSet<String>>,
}

/// Attributes each outcome with evidence to a component and groups what
/// it found by (vendor, component); also the components used.
fn group(
    outcomes: Vec<Outcome>,
    components: &Components,
    ctx: &Ctx,
) -> (Groups, BTreeSet<ScanComponent>) {
    let mut groups = Groups::default();
    let mut used: BTreeSet<ScanComponent> = BTreeSet::new();
    for o in outcomes {
        if o.found.is_empty() {
            continue;
        }
        let attributed = components.attribute(&o.rel);
        let component = attributed.as_ref().map(|c| c.id.clone());
        used.extend(attributed);
        for f in o.fields {
            groups
                .fields
                .entry((ctx.index.id(f.vendor).to_string(), component.clone()))
                .or_default()
                .insert(FieldUse {
                    category: f.category,
                    name: f.name,
                    file: o.rel.clone(),
                    line: f.line,
                });
        }
        for (v, text) in o.switches {
            groups
                .switches
                .entry((ctx.index.id(v).to_string(), component.clone()))
                .or_default()
                .insert(text);
        }
        for f in o.found {
            groups
                .evidence
                .entry((ctx.index.id(f.vendor).to_string(), component.clone()))
                .or_default()
                .insert(Evidence {
                    kind: f.kind,
                    file: o.rel.clone(),
                    line: f.line,
                    text: f.text,
                    scope: f.scope,
                });
        }
    }
    (groups, used)
}

/// One group as an integration, with what the vendor's SDK collects by
/// itself in production; `None` for the repository's own product or a
/// self-run database or search server.
fn integration(
    (vendor, component): GroupKey,
    ev: BTreeSet<Evidence>,
    mut fields: BTreeSet<FieldUse>,
    switches: &BTreeSet<String>,
    catalog: &Catalog,
    root_names: &BTreeSet<String>,
) -> Option<Integration> {
    let mut evidence = tidy(ev);
    scope_undifferentiated_manifests(&mut evidence);
    if catalog
        .get(&vendor)
        .is_some_and(|v| is_own_project(v, root_names))
    {
        // The repository is the vendor's own product (scanning
        // umami's repository finds umami's cloud host in its own
        // config): nothing here sends data to a third party.
        return None;
    }
    if catalog.get(&vendor).is_some_and(|v| v.generic_client) && !points_at_hosted(&evidence) {
        // A self-run MongoDB or Elasticsearch is not the vendor.
        return None;
    }
    let scope = evidence
        .iter()
        .map(|e| e.scope)
        .min()
        .unwrap_or(Scope::Production);
    if scope == Scope::Production
        && let Some(cv) = catalog.get(&vendor)
    {
        let (collected, ev) = collects::collected(cv, &evidence, switches);
        fields.extend(collected);
        evidence.extend(ev);
        evidence.sort_by(|a, b| {
            (&a.file, a.line, a.kind, &a.text, a.scope)
                .cmp(&(&b.file, b.line, b.kind, &b.text, b.scope))
        });
    }
    let mut fields: Vec<FieldUse> = fields.into_iter().collect();
    fields.sort_by(|a, b| {
        (&a.file, a.line, &a.category, &a.name).cmp(&(&b.file, b.line, &b.category, &b.name))
    });
    Some(Integration {
        vendor,
        component,
        scope,
        evidence,
        fields,
    })
}

/// The skipped files sorted, deduplicated and counted by reason.
fn summarise_skipped(mut skipped: Vec<SkippedFile>) -> Skipped {
    skipped.sort();
    skipped.dedup();
    let mut by_reason = BTreeMap::new();
    for s in &skipped {
        *by_reason.entry(s.reason).or_insert(0) += 1;
    }
    Skipped {
        total: skipped.len(),
        by_reason,
        files: skipped,
    }
}

/// What the first pass gives the rest of the scan.
struct First<'c> {
    catalog: &'c Catalog,
    ctx: Ctx,
    /// The files the walk did not hand over, with the reason.
    skipped: Vec<SkippedFile>,
    /// The outcomes that hold anything the rest of the scan reads (a skip,
    /// a manifest, evidence, fields, wrappers...), in the walk's order (by
    /// path when `check --base` adds files).
    outcomes: Vec<Outcome>,
    /// Files read and files analysed among those whose outcome held
    /// nothing else, and was dropped.
    read: usize,
    analysed: usize,
    /// The walked files of a parsed language, for the later passes.
    texts: Texts,
}

/// At most this many walked files wait for a thread at once: past it, the
/// walk's thread analyses the next file itself, so that the walk goes at the
/// pace of the analysis and memory is bounded by the work in flight, not by
/// the tree (every waiting file is a task holding its path).
const MAX_IN_FLIGHT: usize = 1024;

/// Where the first pass puts what each file gave, from any thread.
#[derive(Default)]
struct Gathered {
    /// (position in the walk, outcome), for the outcomes worth keeping.
    outcomes: std::sync::Mutex<Vec<(usize, Outcome)>>,
    /// (position among the parsed-language files, what was kept).
    kept: std::sync::Mutex<Vec<(u32, Kept)>>,
    read: std::sync::atomic::AtomicUsize,
    analysed: std::sync::atomic::AtomicUsize,
}

impl Gathered {
    /// Puts one file's outcome and kept text away; an outcome with nothing
    /// but its counts is only counted.
    fn put(&self, i: usize, slot: Option<u32>, o: Outcome, k: Kept) {
        use std::sync::atomic::Ordering::Relaxed;
        if let Some(j) = slot
            && !matches!(k, Kept::No)
            && let Ok(mut kept) = self.kept.lock()
        {
            kept.push((j, k));
        }
        if o.holds_more_than_counts() {
            if let Ok(mut outs) = self.outcomes.lock() {
                outs.push((i, o));
            }
        } else {
            self.read.fetch_add(usize::from(o.read), Relaxed);
            self.analysed.fetch_add(usize::from(o.analysed), Relaxed);
        }
    }
}

/// One walked file waiting for the catalog: (position in the walk,
/// position among the parsed-language files, the file).
type Waiting = (usize, Option<u32>, WalkedFile);

/// The first pass's state, shared by its threads.
struct Pass<'a, 'c> {
    root: &'a std::path::Path,
    opts: &'a ScanOptions<'a>,
    built: std::sync::OnceLock<(&'c Catalog, Ctx)>,
    budget: Budget,
    gathered: Gathered,
    /// The files found before the catalog was built.
    waiting: std::sync::Mutex<Vec<Waiting>>,
    /// Files handed to a thread and not yet analysed.
    in_flight: std::sync::atomic::AtomicUsize,
    walked: std::sync::atomic::AtomicUsize,
    dfa_asked: std::sync::atomic::AtomicBool,
}

impl<'c> Pass<'_, 'c> {
    /// Reads and analyses one file (the catalog is built).
    fn analyse_at(&self, i: usize, slot: Option<u32>, f: &WalkedFile) {
        let Some((_, ctx)) = self.built.get() else {
            // Never: a file is handed over once the catalog is built.
            return;
        };
        let (o, k) = analyse_file(self.root, f, ctx, &self.budget);
        if let Some(p) = self.opts.progress {
            p.advance(1);
        }
        self.gathered.put(i, slot, o, k);
    }

    /// From [`DFA_FROM_FILES`] walked files on, once the catalog is built,
    /// the DFA is built as a task beside the analysis (once).
    fn dfa_if_due<'s>(&'s self, s: &rayon::Scope<'s>) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.walked.load(Relaxed) >= DFA_FROM_FILES
            && let Some((_, ctx)) = self.built.get()
            && !self.dfa_asked.swap(true, Relaxed)
        {
            s.spawn(move |_| ctx.prefilter.build_dfa());
        }
    }

    /// A file to a thread of the pool, or analysed on this one when
    /// [`MAX_IN_FLIGHT`] files already wait.
    fn hand_over<'s>(&'s self, s: &rayon::Scope<'s>, (i, slot, f): Waiting) {
        use std::sync::atomic::Ordering::Relaxed;
        if self.in_flight.load(Relaxed) >= MAX_IN_FLIGHT {
            self.analyse_at(i, slot, &f);
            return;
        }
        self.in_flight.fetch_add(1, Relaxed);
        s.spawn(move |_| {
            self.analyse_at(i, slot, &f);
            self.in_flight.fetch_sub(1, Relaxed);
        });
    }

    /// The walk, run as a task of the scope `s`: each file gets its
    /// position (and its position among the parsed-language files) and is
    /// handed over, or waits for the catalog. `first` hears of the first
    /// file. Gives the walk, the parsed-language files and the included
    /// paths (`check --base`) it found.
    fn walk<'s>(
        &'s self,
        s: &rayon::Scope<'s>,
        first: std::sync::mpsc::Sender<()>,
    ) -> (walk::Walk, texts::Files, BTreeSet<String>) {
        use std::sync::atomic::Ordering::Relaxed;
        let opts = self.opts;
        let exclude = &opts.exclude;
        let mut parsed = texts::Files::default();
        let mut have: BTreeSet<String> = BTreeSet::new();
        let mut n = 0usize;
        // Once the catalog is built (and the files that waited for it
        // handed over), files go straight to the threads.
        let mut straight = false;
        let mut send = |f: WalkedFile| {
            if walk::is_excluded(exclude, &f.rel) {
                return;
            }
            let i = n;
            n += 1;
            if i == 0 {
                // The receiver lives until the scope ends.
                let _ = first.send(());
            }
            if !opts.include.is_empty() && opts.include.contains(&f.rel) {
                have.insert(f.rel.clone());
            }
            let slot = parsed_language(&f.rel).then(|| {
                parsed.push(&f);
                u32::try_from(parsed.len() - 1).unwrap_or(u32::MAX)
            });
            if let Some(p) = opts.progress
                && i % 256 == 0
            {
                // The total grows with the walk.
                p.start(i as u64 + 256);
            }
            self.walked.store(n, Relaxed);
            self.dfa_if_due(s);
            if !straight {
                // Checked under the lock that the catalog's builder takes
                // once it is built: no file is left waiting.
                let Ok(mut w) = self.waiting.lock() else {
                    return;
                };
                if self.built.get().is_none() {
                    w.push((i, slot, f));
                    return;
                }
                straight = true;
                let before = std::mem::take(&mut *w);
                drop(w);
                for x in before {
                    self.hand_over(s, x);
                }
            }
            self.hand_over(s, (i, slot, f));
        };
        let mut w = walk::walk_each(self.root, opts.max_file_size, &mut send);
        if !exclude.is_empty() {
            w.skipped.retain(|s| !walk::is_excluded(exclude, &s.path));
        }
        parsed.shrink_to_fit();
        (w, parsed, have)
    }

    /// The files that waited for the catalog, handed over.
    fn hand_over_waiting<'s>(&'s self, s: &rayon::Scope<'s>) {
        let before = self
            .waiting
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default();
        for x in before {
            self.hand_over(s, x);
        }
    }
}

/// Phase 1: the tree walked, and every walked file read and analysed, in
/// parallel, while the walk goes on: the walk hands each file to the
/// scan's threads as it finds it (or, with [`MAX_IN_FLIGHT`] files already
/// waiting, analyses it itself), and the catalog and its automata are built
/// beside the walk, from its first file on (the files found meanwhile wait
/// for it). What is kept of each file is put back in the walk's (sorted)
/// order, whatever order the threads took them in: the outcomes that hold
/// anything beyond their counts, and the texts of the parsed-language files
/// for the later passes. `None` when the walk found no file and skipped
/// none: then the catalog is never loaded.
fn first_pass<'c>(
    root: &std::path::Path,
    opts: &ScanOptions,
    catalog: impl FnOnce() -> &'c Catalog + Send,
) -> Option<First<'c>> {
    use std::sync::atomic::Ordering::Relaxed;

    // One message when the walk hands over its first file; the walk's end
    // drops the sender.
    let (first_tx, first_rx) = std::sync::mpsc::channel::<()>();
    let pass = Pass {
        root,
        opts,
        built: std::sync::OnceLock::new(),
        budget: Budget::new(texts::KEEP_BYTES),
        gathered: Gathered::default(),
        waiting: std::sync::Mutex::new(Vec::new()),
        in_flight: Default::default(),
        walked: Default::default(),
        dfa_asked: Default::default(),
    };
    // (the walk, the parsed-language files, the included paths it gave)
    let mut walk_out: Option<(walk::Walk, texts::Files, BTreeSet<String>)> = None;
    let max_file_size = opts.max_file_size;
    let mut build = Some(|| {
        let catalog = catalog();
        (catalog, Ctx::new(catalog, max_file_size))
    });
    {
        let (walk_out, build, pass) = (&mut walk_out, &mut build, &pass);
        rayon::scope(move |s| {
            s.spawn(move |s| *walk_out = Some(pass.walk(s, first_tx)));
            if wait_for_first_file(&first_rx)
                && let Some(b) = build.take()
            {
                let _ = pass.built.set(b());
                pass.hand_over_waiting(s);
                pass.dfa_if_due(s);
            }
        });
    }
    let (mut walked, mut parsed, have) = walk_out?;
    let streamed = pass.walked.load(Relaxed);
    if streamed == 0 && walked.skipped.is_empty() && opts.include.is_empty() {
        return None;
    }
    // The included files (`check --base`) come after the walk.
    walk::add_includes_beside(
        &mut walked,
        &opts.include,
        &opts.exclude,
        opts.max_file_size,
        &have,
    );
    if let Some(b) = build.take() {
        let _ = pass.built.set(b());
    }
    if let Some(p) = opts.progress {
        p.start((streamed + walked.files.len()) as u64);
    }
    let added: Vec<Waiting> = std::mem::take(&mut walked.files)
        .into_iter()
        .enumerate()
        .map(|(j, f)| {
            let slot = parsed_language(&f.rel).then(|| {
                parsed.push(&f);
                u32::try_from(parsed.len() - 1).unwrap_or(u32::MAX)
            });
            (streamed + j, slot, f)
        })
        .collect();
    let included = !added.is_empty();
    added
        .par_iter()
        .for_each(|(i, slot, f)| pass.analyse_at(*i, *slot, f));
    if let Some(p) = opts.progress {
        p.finish();
    }
    let Pass {
        built, gathered, ..
    } = pass;
    let gathered_read = gathered.read.load(Relaxed);
    let gathered_analysed = gathered.analysed.load(Relaxed);
    let (outcomes, kept, parsed) = in_order(gathered, parsed, included);
    let (catalog, mut ctx) = built.into_inner()?;
    // The later passes search no file with it: its memory goes to them.
    ctx.prefilter.drop_dfa();
    let texts = Texts::new(walked.root, parsed, kept, ctx.max_file_size);
    Some(First {
        catalog,
        ctx,
        skipped: walked.skipped,
        outcomes,
        read: gathered_read,
        analysed: gathered_analysed,
        texts,
    })
}

/// What the first pass's threads gathered, in the walk's order: the
/// outcomes worth keeping, what was kept of the parsed-language files, and
/// those files. With `included` files (`check --base`), all of it by path,
/// as `walk::apply_overrides` orders them.
fn in_order(
    gathered: Gathered,
    mut parsed: texts::Files,
    included: bool,
) -> (Vec<Outcome>, Vec<(u32, Kept)>, texts::Files) {
    let mut outcomes = gathered
        .outcomes
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    outcomes.sort_unstable_by_key(|(i, _)| *i);
    let mut outcomes: Vec<Outcome> = outcomes.into_iter().map(|(_, o)| o).collect();
    let mut kept = gathered
        .kept
        .into_inner()
        .unwrap_or_else(|e| e.into_inner());
    if included {
        // Every path is there once.
        outcomes.sort_by(|a, b| a.rel.cmp(&b.rel));
        let mut order: Vec<usize> = (0..parsed.len()).collect();
        order.sort_by(|a, b| parsed.rel(*a).cmp(parsed.rel(*b)));
        let mut at = vec![0u32; parsed.len()];
        for (new, old) in order.iter().enumerate() {
            at[*old] = u32::try_from(new).unwrap_or(u32::MAX);
        }
        parsed = parsed.permuted(&order);
        for (j, _) in &mut kept {
            *j = at[*j as usize];
        }
    }
    (outcomes, kept, parsed)
}

/// True for a file of a language the scan parses: the only files the
/// passes after the first one read.
fn parsed_language(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    Lang::from_path(std::path::Path::new(name)).is_some()
}

/// Waits for the walk's first file: true when there is one, false when the
/// walk ended without any. It waits a moment at a time: another thread
/// takes the walk, and this one then builds the catalog beside it; on one
/// thread (or when no other thread took it) it runs the walk itself.
fn wait_for_first_file(rx: &std::sync::mpsc::Receiver<()>) -> bool {
    use std::sync::mpsc::RecvTimeoutError;
    use std::time::Duration;
    let mut wait = Duration::from_micros(200);
    loop {
        match rx.recv_timeout(wait) {
            Ok(()) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
            Err(RecvTimeoutError::Timeout) => {}
        }
        rayon::yield_now();
        wait = Duration::from_millis(1);
    }
}

/// True when a root manifest names the project after the vendor: its id
/// (`umami`) or one of its packages (`@umami/node`), compared without case.
/// A Go module path counts by its last segment
/// (`github.com/umami-software/umami`).
fn is_own_project(v: &crate::catalog::CatalogVendor, root_names: &BTreeSet<String>) -> bool {
    root_names.iter().any(|n| {
        let last = n.rsplit('/').next().unwrap_or(n);
        last == v.id
            || v.packages
                .values()
                .flatten()
                .any(|p| p.eq_ignore_ascii_case(n))
    })
}

/// Manifests with no notion of a test-only dependency (`go.mod`,
/// `Package.swift`): when the code imports the module only from tests, the
/// requirement is a test dependency too.
fn scope_undifferentiated_manifests(evidence: &mut [Evidence]) {
    let undifferentiated = |e: &Evidence| {
        e.kind == EvidenceKind::Manifest
            && matches!(
                e.file.rsplit('/').next().unwrap_or(&e.file),
                "go.mod" | "Package.swift"
            )
    };
    let imported = evidence.iter().any(|e| e.kind == EvidenceKind::Import);
    let only_tests = evidence
        .iter()
        .filter(|e| !undifferentiated(e))
        .all(|e| e.scope == Scope::Test);
    if imported && only_tests {
        for e in evidence.iter_mut().filter(|e| undifferentiated(e)) {
            e.scope = Scope::Test;
        }
    }
}

/// True when production evidence points at a vendor's hosted service (its
/// host, its own config key or its loader), not only at a generic client.
fn points_at_hosted(evidence: &[Evidence]) -> bool {
    evidence.iter().any(|e| {
        e.scope == Scope::Production
            && matches!(
                e.kind,
                EvidenceKind::Endpoint | EvidenceKind::Config | EvidenceKind::Script
            )
    })
}

/// Sorts evidence by file, line, kind, and drops an endpoint where a script
/// tag or import on the same line already says it.
fn tidy(ev: BTreeSet<Evidence>) -> Vec<Evidence> {
    let strong: BTreeSet<(String, u32)> = ev
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EvidenceKind::Script | EvidenceKind::Import | EvidenceKind::Http
            )
        })
        .map(|e| (e.file.clone(), e.line))
        .collect();
    let mut out: Vec<Evidence> = ev
        .into_iter()
        .filter(|e| e.kind != EvidenceKind::Endpoint || !strong.contains(&(e.file.clone(), e.line)))
        .collect();
    out.sort_by(|a, b| {
        (&a.file, a.line, a.kind, &a.text, a.scope)
            .cmp(&(&b.file, b.line, b.kind, &b.text, b.scope))
    });
    out
}

fn skip(rel: &str, reason: SkipReason, read: bool) -> Outcome {
    Outcome {
        rel: rel.to_string(),
        skipped: Some(reason),
        read,
        ..Default::default()
    }
}

/// A file skipped after it was read: what it already yielded that needs no
/// parsing (its secrets) is kept.
fn skip_keeping(out: Outcome, reason: SkipReason) -> Outcome {
    Outcome {
        skipped: Some(reason),
        found: Vec::new(),
        fields: Vec::new(),
        manifest: None,
        analysed: false,
        ..out
    }
}

/// True for blastmap's own JSON outputs (a scan, a merged map, an
/// observer's report) kept in the tree, such as a `check --baseline` or
/// `--observed` file: they quote the code or the requests they were made
/// from, and reading them again would report every integration a second
/// time, at lines of the output. Only JSON data is skipped this way, never
/// code.
fn is_blastmap_output(text: &str) -> bool {
    let head = text.trim_start();
    if !head.starts_with('{') {
        return false;
    }
    if text.contains("\"blastmap-observed\"") {
        // `observe --format json`, told by its `kind` (the observer's
        // module, a layer beside this one, is not consulted).
        return serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .is_some_and(|v| v.get("kind").and_then(|k| k.as_str()) == Some("blastmap-observed"));
    }
    ((text.contains("\"integrations\"") && text.contains("\"stats\""))
        || text.contains("\"blastmap-merged\""))
        && matches!(
            crate::model::kind::detect(text),
            crate::model::kind::InputKind::Scan | crate::model::kind::InputKind::Merged
        )
}

/// Why a file that is data kept in the tree, not code, is skipped: one of
/// blastmap's own JSON outputs, or recorded traffic (a HAR from `observe URL
/// --save-har` or a browser's export, evidence for `observe --har`, whose
/// URLs and bodies would otherwise read as integrations at lines of the
/// recording). A manifest is never skipped this way.
fn not_code(name: &str, text: &str, manifest: bool) -> Option<SkipReason> {
    if manifest {
        None
    } else if name.ends_with(".json") && is_blastmap_output(text) {
        Some(SkipReason::BlastmapOutput)
    } else if name.to_ascii_lowercase().ends_with(".har") {
        Some(SkipReason::RecordedTraffic)
    } else {
        None
    }
}

/// Reads one walked file and analyses it; what it keeps of the text for
/// the later passes (files of a parsed language, within `budget`).
fn analyse_file(
    root: &std::path::Path,
    f: &WalkedFile,
    ctx: &Ctx,
    budget: &Budget,
) -> (Outcome, Kept) {
    let rel = f.rel.as_str();
    let text = match texts::read(&texts::path_of(root, f), f.size, ctx.max_file_size) {
        Ok(t) => t,
        Err((reason, read)) => return (skip(rel, reason, read), Kept::Nothing),
    };
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let parsed_lang = Lang::from_path(std::path::Path::new(name)).is_some();
    let minified = texts::is_minified(&text);
    let out = analyse(rel, name, &text, minified, ctx);
    let kept = if minified {
        Kept::Nothing
    } else if parsed_lang {
        budget.keep(text)
    } else {
        Kept::No
    };
    (out, kept)
}

/// The first pass over one file's text (`minified`: a line longer than
/// [`texts::MAX_LINE`]): skip what is not code, search it, then find
/// evidence by what the file is (a manifest, a parsed language, a config
/// file, other text) and resolve it into [`Found`].
fn analyse(rel: &str, name: &str, text: &str, minified: bool, ctx: &Ctx) -> Outcome {
    let manifest_kind = ManifestKind::of_path(rel);
    if manifest_kind.is_none() && minified {
        return skip(rel, SkipReason::Minified, true);
    }
    if let Some(reason) = not_code(name, text, manifest_kind.is_some()) {
        return skip(rel, reason, true);
    }
    let mut out = Outcome {
        rel: rel.to_string(),
        read: true,
        ..Default::default()
    };
    if config::LOCK_FILES.contains(&name) {
        return out;
    }
    let path_scope = scope::of_path(rel);
    let lang = Lang::from_path(std::path::Path::new(name));
    let templated = matches!(lang, Some(Lang::Html | Lang::Vue | Lang::Svelte));
    let scan_text: Cow<str> = if templated {
        Cow::Owned(script::blank_html_comments(text))
    } else {
        Cow::Borrowed(text)
    };
    let (hits, secret_starts) = ctx.prefilter.scan_with_secrets(scan_text.as_bytes());
    // Secrets count inside HTML comments too: templated files are searched
    // again without the comments blanked.
    out.secrets = if templated {
        ctx.secrets.find(text, !hits.is_empty(), &ctx.redactor)
    } else {
        ctx.secrets
            .find_from(text, &secret_starts, !hits.is_empty(), &ctx.redactor)
    };
    // A production source file in an integration's folder is read even
    // when it names no vendor: its requests go to the vendor the folder
    // names (see `folders`).
    let folder_vendors = if path_scope == Scope::Production && lang.is_some() {
        folders::vendors_of_path(rel, &ctx.index)
    } else {
        Vec::new()
    };
    // So is one that names a webhook: its URL may be read from
    // configuration under a key that names the vendor (`http::detect`).
    let webhook = path_scope == Scope::Production
        && lang.is_some()
        && ["webhook", "Webhook", "WEBHOOK"]
            .iter()
            .any(|w| scan_text.contains(w));
    if hits.is_empty() && manifest_kind.is_none() && folder_vendors.is_empty() && !webhook {
        return out;
    }
    let lines = LineIndex::new(&scan_text);
    let file = FileText {
        rel,
        text,
        scan_text: &scan_text,
        hits: &hits,
        lines: &lines,
        path_scope,
        templated,
        webhook,
    };

    let mut findings: Vec<Finding> = if let Some(kind) = manifest_kind {
        out.analysed = true;
        match manifest::parse(kind, rel, text) {
            Err(_) => return skip_keeping(out, SkipReason::ParseError),
            Ok(m) => {
                out.manifest = Some((kind, m.name.clone()));
                manifest_findings(&m, ctx)
            }
        }
    } else if hits.is_empty() && folder_vendors.is_empty() && !webhook {
        return out;
    } else if folder_vendors.is_empty()
        && !webhook
        && lang.is_some_and(|l| !worth_parsing(l, &scan_text, &hits, ctx, &lines))
    {
        // Mentions only in comments, or as plain identifiers: no import,
        // endpoint, key or snippet can come out of parsing this file.
        return out;
    } else if let Some(lang) = lang {
        out.analysed = true;
        match source_findings(lang, &file, &folder_vendors, ctx, &mut out) {
            Ok(f) => f,
            Err(reason) => return skip_keeping(out, reason),
        }
    } else if config::is_config_file(rel) {
        out.analysed = true;
        config_file_findings(&file, ctx)
    } else {
        out.analysed = true;
        let mut findings =
            endpoint::from_lines(domain_lines(&hits, ctx, &lines), &ctx.domains, false);
        findings.extend(config::quoted_in_text(
            &scan_text,
            &hits,
            &ctx.prefilter,
            &lines,
        ));
        findings
    };

    let shadowed = shadowed_by_snippets(&hits, &ctx.prefilter, &lines);
    if !shadowed.is_empty() {
        findings.retain(|f| {
            !(matches!(f.kind, EvidenceKind::Endpoint | EvidenceKind::Script)
                && shadowed.contains(&(f.vendor, f.line)))
        });
    }
    out.found = resolve_found(findings, &file, ctx);
    let vendors: BTreeSet<u16> = out.found.iter().map(|f| f.vendor).collect();
    out.switches = collects::switches_in(text, &vendors, &ctx.switches);
    out
}

/// One file's text as [`analyse`] sees it: `scan_text` is `text` with HTML
/// comments blanked in a templated file (HTML, Vue, Svelte), `hits` the
/// prefilter's hits in it and `lines` its line index.
struct FileText<'a> {
    rel: &'a str,
    text: &'a str,
    scan_text: &'a str,
    hits: &'a [Hit],
    lines: &'a LineIndex<'a>,
    path_scope: Scope,
    templated: bool,
    /// A production source file that names a webhook (see `analyse`).
    webhook: bool,
}

/// A manifest's dependencies that are vendor packages (a Swift package
/// also by its repository's name).
fn manifest_findings(m: &manifest::Manifest, ctx: &Ctx) -> Vec<Finding> {
    let mut findings = Vec::new();
    for d in &m.dependencies {
        let vendors = ctx.index.package(d.ecosystem, &d.name);
        let vendors = if vendors.is_empty() && d.ecosystem == Ecosystem::Swiftpm {
            ctx.index
                .package(Ecosystem::Swiftpm, &crate::scan::index::swift_repo(&d.name))
        } else {
            vendors
        };
        for v in vendors {
            findings.push(Finding {
                vendor: v,
                kind: EvidenceKind::Manifest,
                line: d.line,
                text: None,
                scope: d.scope,
            });
        }
    }
    findings
}

/// A file of a parsed language: its facts, then imports, calls, logins,
/// wrappers and handles (into `out`), endpoints, requests, config keys and
/// snippets. `Err` when it does not parse in time.
fn source_findings(
    lang: Lang,
    file: &FileText<'_>,
    folder_vendors: &[u16],
    ctx: &Ctx,
    out: &mut Outcome,
) -> Result<Vec<Finding>, SkipReason> {
    let &FileText {
        rel,
        text,
        scan_text,
        hits,
        lines,
        path_scope,
        templated,
        webhook,
    } = file;
    let facts = match lang::extract(lang, text) {
        Ok(f) => f,
        Err(ExtractError::Timeout) => return Err(SkipReason::ParseTimeout),
        Err(ExtractError::Parse(_)) => return Err(SkipReason::ParseError),
    };
    let mut findings = Vec::new();
    if lang != Lang::Html {
        findings.extend(imports::detect(lang, &facts, &ctx.index));
        let (call_findings, fields) = calls::detect(lang, &facts, &ctx.index, &ctx.calls);
        findings.extend(call_findings);
        findings.extend(logins::detect(&facts, &ctx.index));
        // Fields seen in tests or dev tooling carry no user data out.
        if path_scope == Scope::Production {
            out.fields = fields;
        }
        out.wrappers = wrappers::defined(lang, &facts, &ctx.index, &ctx.calls);
        wrappers::mark_extensions(&mut out.wrappers, text);
        out.handles = wrappers::handles(
            lang,
            &facts,
            &ctx.index,
            &ctx.calls,
            text,
            &calls::Seed::default(),
        );
    }
    let has = |role: Role| {
        hits.iter()
            .any(|h| ctx.prefilter.owners(h, role).next().is_some())
    };
    if has(Role::Domain) {
        findings.extend(endpoint::from_strings(&facts.strings, &ctx.domains));
    }
    if (has(Role::Domain) || !folder_vendors.is_empty() || webhook) && lang != Lang::Html {
        let production = path_scope == Scope::Production;
        findings.extend(requests(
            &facts,
            rel,
            text,
            lines,
            folder_vendors,
            production,
            ctx,
            out,
        ));
    }
    if has(Role::ConfigKey) {
        findings.extend(config::in_code(
            scan_text,
            hits,
            &ctx.prefilter,
            &facts.strings,
            lines,
        ));
    }
    if lang != Lang::Html
        && let Some(nango) = ctx.nango
        && findings.iter().any(|f| f.vendor == nango)
    {
        findings.extend(folders::nango_keys(&facts, &ctx.index));
    }
    if templated {
        findings.extend(script::from_script_imports(&facts, &ctx.domains));
        findings.extend(script::snippets_from_hits(hits, &ctx.prefilter, lines));
        findings.extend(endpoint::from_lines(
            domain_lines(hits, ctx, lines),
            &ctx.domains,
            false,
        ));
    } else if has(Role::Snippet) {
        findings.extend(script::snippets_in_strings(
            hits,
            &ctx.prefilter,
            &facts.strings,
        ));
    }
    script::upgrade_script_tags(&mut findings, lines);
    Ok(findings)
}

/// A config file's keys, and the vendor hosts on its lines that are not
/// commented out (`# deepl_host: "https://api.deepl.com"` configures
/// nothing).
fn config_file_findings(file: &FileText<'_>, ctx: &Ctx) -> Vec<Finding> {
    let mut findings = config::in_config_file(
        file.rel,
        file.scan_text,
        file.hits,
        &ctx.prefilter,
        file.lines,
    );
    findings.extend(endpoint::from_lines(
        domain_lines(file.hits, ctx, file.lines).filter(|(_, text)| {
            let t = text.trim_start();
            !(t.starts_with('#') || t.starts_with(';') || t.starts_with("//"))
        }),
        &ctx.domains,
        true,
    ));
    findings
}

/// The findings as evidence: text from the source line (redacted and cut),
/// scope from the path, and a mention (documentation, a comment, a
/// hot-linked asset) marked as one.
fn resolve_found(findings: Vec<Finding>, file: &FileText<'_>, ctx: &Ctx) -> Vec<Found> {
    let own_lines;
    let source_lines = if file.templated {
        own_lines = LineIndex::new(file.text);
        &own_lines
    } else {
        file.lines
    };
    let path_scope = file.path_scope;
    let mention_file = mention::file_is_mention(file.rel);
    findings
        .into_iter()
        .map(|f| {
            let raw = match &f.text {
                Some(t) => t.as_str(),
                None => source_lines.text_of(f.line),
            };
            let mentioned = (matches!(
                f.kind,
                EvidenceKind::Endpoint | EvidenceKind::Script | EvidenceKind::Config
            ) && (mention_file || mention::line_is_mention(source_lines, f.line)))
                || (f.kind == EvidenceKind::Endpoint
                    && ctx.asset_hosts.contains(&f.vendor)
                    && mention::hotlinked_asset(source_lines.text_of(f.line)))
                || (f.kind == EvidenceKind::Endpoint
                    && mention::compares_url(source_lines.text_of(f.line)));
            Found {
                vendor: f.vendor,
                kind: if mentioned {
                    EvidenceKind::Mention
                } else {
                    f.kind
                },
                line: f.line,
                text: evidence_text(&ctx.redactor, raw),
                scope: if mentioned {
                    Scope::Mention
                } else if path_scope != Scope::Production {
                    path_scope
                } else {
                    f.scope
                },
            }
        })
        .collect()
}

/// The JS/TS workspace packages of the tree: each named `package.json`'s
/// name and folder, for imports between a monorepo's packages.
fn workspaces_of(outcomes: &[Outcome]) -> wrappers::Workspaces {
    let mut out: wrappers::Workspaces = outcomes
        .iter()
        .filter_map(|o| match &o.manifest {
            Some((ManifestKind::PackageJson, Some(name))) if !name.trim().is_empty() => {
                let dir = o.rel.rsplit_once('/').map_or("", |(d, _)| d);
                Some((name.trim().to_string(), dir.to_string()))
            }
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The outcome of a phase-2 file: its findings and fields (fields only in
/// production files), scoped by the file's path.
fn phase2_outcome(
    rel: &str,
    findings: Vec<Finding>,
    fields: Vec<calls::CallField>,
    ctx: &Ctx,
) -> Outcome {
    let path_scope = scope::of_path(rel);
    Outcome {
        rel: rel.to_string(),
        found: findings
            .into_iter()
            .map(|f| Found {
                vendor: f.vendor,
                kind: f.kind,
                line: f.line,
                text: evidence_text(&ctx.redactor, f.text.as_deref().unwrap_or("")),
                scope: if path_scope != Scope::Production {
                    path_scope
                } else {
                    f.scope
                },
            })
            .collect(),
        fields: if path_scope == Scope::Production {
            fields
        } else {
            Vec::new()
        },
        ..Default::default()
    }
}

/// The classes of every production Ruby file of the tree ([`ruby_tree`]).
fn ruby_classes(texts: &Texts) -> ruby_tree::RubyTree {
    let files: Vec<(usize, ruby_tree::FileClasses)> = texts
        .par_files()
        .filter_map(|(i, rel)| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            (Lang::from_path(std::path::Path::new(name))? == Lang::Ruby).then_some(())?;
            if scope::of_path(rel) != Scope::Production {
                return None;
            }
            let text = texts.get(i)?;
            Some((i, ruby_tree::read(&text)))
        })
        .collect();
    ruby_tree::RubyTree::new(files)
}

/// Ruby's family.
const RUBY: wrappers::Family = wrappers::Family::Other(Lang::Ruby);

/// The type declarations (name → what it extends or implements) of the
/// files of the families whose methods are followed through their
/// receivers' types (Java, Kotlin, Swift, PHP..., and TypeScript's
/// classes and interfaces), read by [`wrappers::type_decls`] once per
/// family for the whole pass: each level of the cross-file pass asks
/// again, for the families of its own wrappers.
#[derive(Default)]
struct TypeHierarchy {
    read: BTreeSet<wrappers::Family>,
    decls: BTreeMap<String, BTreeSet<String>>,
    /// Ruby's classes ([`ruby_tree`]), read once.
    ruby: Option<ruby_tree::RubyTree>,
}

impl TypeHierarchy {
    /// Gives the method wrappers of `w` their classes' ancestors and, in
    /// Ruby, the factories that make their classes.
    fn inform(&mut self, w: &mut wrappers::Wrappers, texts: &Texts) {
        if w.owners().is_empty() {
            return;
        }
        let families = w.families();
        w.set_types(self.of(texts, &families));
        if families.contains(&RUBY) {
            let tree = self.ruby(texts);
            w.set_factories(&tree.factories);
            w.set_enqueuers(&tree.enqueuers);
        }
    }

    /// Ruby's classes of the tree ([`ruby_tree`]), read from every
    /// production Ruby file's text the first time they are asked for.
    fn ruby(&mut self, texts: &Texts) -> &ruby_tree::RubyTree {
        self.ruby.get_or_insert_with(|| ruby_classes(texts))
    }

    /// The declarations of `families`' files, reading those of a family
    /// not read before.
    fn of(
        &mut self,
        texts: &Texts,
        families: &BTreeSet<wrappers::Family>,
    ) -> &BTreeMap<String, BTreeSet<String>> {
        let todo: BTreeSet<wrappers::Family> = families
            .iter()
            .copied()
            .filter(|fam| {
                (fam.typed() || *fam == wrappers::Family::Js)
                    // Ruby's classes are matched by their path, not by the
                    // types they extend (see `wrappers::Wrappers::fits`).
                    && *fam != wrappers::Family::Other(Lang::Ruby)
                    && !self.read.contains(fam)
            })
            .collect();
        if todo.is_empty() {
            return &self.decls;
        }
        let decls: Vec<(String, Vec<String>)> = texts
            .par_files()
            .filter_map(|(i, rel)| {
                let name = rel.rsplit('/').next().unwrap_or(rel);
                let lang = Lang::from_path(std::path::Path::new(name))?;
                wrappers::Family::of(lang).filter(|fam| todo.contains(fam))?;
                let text = texts.get(i)?;
                Some(wrappers::type_decls(&text))
            })
            .flatten()
            .collect();
        for (name, supers) in decls {
            self.decls.entry(name).or_default().extend(supers);
        }
        self.read.extend(todo);
        &self.decls
    }
}

/// The `i`-th file for phase 2: its path, language, family (one of
/// `families`) and text.
fn candidate<'t>(
    texts: &'t Texts,
    i: usize,
    families: &BTreeSet<wrappers::Family>,
) -> Option<(&'t str, Lang, wrappers::Family, Cow<'t, str>)> {
    let rel = texts.rel(i)?;
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lang = Lang::from_path(std::path::Path::new(name))?;
    let family = wrappers::Family::of(lang).filter(|fam| families.contains(fam))?;
    let text = texts.get(i)?;
    Some((rel, lang, family, text))
}

/// The facts of the files phase 2 parsed, kept for its later levels (a
/// file that calls a wrapper often calls the wrappers around it too) up to
/// `BUDGET` bytes of their source text; beyond it a file is parsed again.
struct FactsCache {
    kept: std::sync::Mutex<HashMap<usize, std::sync::Arc<lang::FileFacts>>>,
    bytes: std::sync::atomic::AtomicUsize,
}

impl FactsCache {
    const BUDGET: usize = 4 << 20;

    fn new() -> FactsCache {
        FactsCache {
            kept: std::sync::Mutex::new(HashMap::new()),
            bytes: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// File `i`'s facts, parsed now or kept from an earlier level.
    fn facts(&self, i: usize, lang: Lang, text: &str) -> Option<std::sync::Arc<lang::FileFacts>> {
        use std::sync::atomic::Ordering;
        if let Some(f) = self.kept.lock().ok().and_then(|k| k.get(&i).cloned()) {
            return Some(f);
        }
        let facts = std::sync::Arc::new(lang::extract(lang, text).ok()?);
        let len = text.len();
        if self.bytes.fetch_add(len, Ordering::Relaxed) + len <= Self::BUDGET {
            if let Ok(mut k) = self.kept.lock() {
                k.insert(i, facts.clone());
            }
        }
        Some(facts)
    }
}

/// What phase 2 looks for in a file's text: the names of other files'
/// handles used as receivers (`resend.`, `resend?.`), and the names of
/// wrappers called (`capture(`) or imported under another name (`capture
/// as`).
struct Phase2Names {
    ac: aho_corasick::AhoCorasick,
    names: Vec<String>,
    /// Per pattern: a handle's name; the wrappers called by it (the
    /// function itself, and the one it returns, `createGenerateText()`,
    /// reached through a call of it).
    handle: Vec<bool>,
    wrapper: Vec<Vec<String>>,
    /// How a job's `perform` is enqueued: [`wrappers::JOB_ENQUEUE`] and
    /// the tree's own class methods that enqueue it. Only a name that
    /// starts with `perform` (`perform_after_commit`) is found after a
    /// `perform` match; another is followed in the files phase 2 reads
    /// for other reasons only.
    enqueue: Vec<String>,
}

impl Phase2Names {
    fn new(handles: &[wrappers::Handle], wrappers: &wrappers::Wrappers) -> Option<Phase2Names> {
        let mut by: BTreeMap<String, (bool, Vec<String>)> = BTreeMap::new();
        for h in handles {
            by.entry(h.name.clone()).or_default().0 = true;
        }
        for w in wrappers.all() {
            let pattern = w.name.strip_suffix("()").unwrap_or(&w.name);
            let list = &mut by.entry(pattern.to_string()).or_default().1;
            if !list.contains(&w.name) {
                list.push(w.name.clone());
            }
        }
        if by.is_empty() {
            return None;
        }
        let names: Vec<String> = by.keys().cloned().collect();
        let handle = by.values().map(|v| v.0).collect();
        let wrapper = by.values().map(|v| v.1.clone()).collect();
        let ac = aho_corasick::AhoCorasick::new(&names).ok()?;
        let enqueue = wrappers::JOB_ENQUEUE
            .iter()
            .map(|m| m.to_string())
            .chain(wrappers.enqueuers().iter().cloned())
            .collect();
        Some(Phase2Names {
            ac,
            names,
            handle,
            wrapper,
            enqueue,
        })
    }

    /// (handle names used as receivers, wrapper names called) in `text`,
    /// of `family`: Ruby calls a method without parentheses
    /// (`StripeService.new(note).create`, `result = create_refund`), so
    /// there any name that ends at a word boundary may be a call.
    fn find<'a>(
        &'a self,
        text: &str,
        family: wrappers::Family,
    ) -> (BTreeSet<&'a str>, BTreeSet<&'a str>) {
        let bare = family == wrappers::Family::Other(Lang::Ruby);
        let b = text.as_bytes();
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
        let mut used = BTreeSet::new();
        let mut called = BTreeSet::new();
        for m in self.ac.find_overlapping_iter(text) {
            if m.start() > 0 && b.get(m.start() - 1).is_some_and(|&c| ident(c)) {
                continue;
            }
            let k = m.pattern().as_usize();
            let Some(after) = text.get(m.end()..) else {
                continue;
            };
            // A client's member (`resend.`), or a factory or a function a
            // client made, called (`getTinybird(`, `publishAiCall(`).
            if self.handle[k]
                && (after.starts_with('.') || after.starts_with("?.") || after.starts_with('('))
            {
                used.insert(self.names[k].as_str());
            }
            if !self.wrapper[k].is_empty() {
                // A job's `perform` runs when its class enqueues it
                // (`perform_later(`, `perform_async(`).
                let after = match self.names[k].as_str() {
                    "perform" => self
                        .enqueue
                        .iter()
                        .find_map(|m| {
                            m.strip_prefix("perform")
                                .and_then(|s| after.strip_prefix(s))
                        })
                        .unwrap_or(after),
                    _ => after,
                };
                let rest = after.trim_start_matches([' ', '\t']);
                // `const publish = archive ? publishArchive : publishDelete`:
                // a name given to a local that is then called.
                let chosen = family == wrappers::Family::Js && {
                    let before = text[..m.start()].trim_end_matches([' ', '\t']);
                    let mut last = before.chars().rev();
                    match (last.next(), last.next()) {
                        (Some('?'), _) => true,
                        (Some(':'), prev) => prev != Some(':'),
                        (Some('='), prev) => !matches!(prev, Some('=' | '!' | '<' | '>')),
                        _ => false,
                    }
                };
                // `enqueue<Body>({ .. })`: a call with type arguments.
                if chosen
                    || (bare && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_'))
                    || rest.starts_with('(')
                    || after.starts_with('<')
                    || (rest.starts_with("as")
                        && after.len() > rest.len()
                        && rest[2..].starts_with([' ', '\t']))
                {
                    called.extend(self.wrapper[k].iter().map(String::as_str));
                }
            }
        }
        (used, called)
    }
}

/// Phase 2, after every file was analysed once: what crosses files.
/// Re-reads, once, only the files of a family with handles or wrappers
/// whose text uses a handle's name as a receiver (`resend.`) or calls a
/// wrapper (`capture(`), where that file may see it, and parses those:
/// - calls on vendor clients that another file creates and exports
///   ([`wrappers::Handle`], [`calls::detect_seeded`]);
/// - the call sites of first-party wrappers ([`wrappers::resolve`]).
///
/// Functions that wrap a vendor through a handle, and functions around an
/// imported wrapper ([`wrappers::outer_of_imported`]), are only known then:
/// smaller passes, one per level up to `CROSS_LEVELS`, read the files that
/// call those (a file parsed once is kept for the next level, within
/// [`FactsCache::BUDGET`]). Gives one extra outcome per file and level with
/// such calls (not counted again in the stats).
fn cross_file_pass(
    texts: &Texts,
    outcomes: &mut [Outcome],
    ctx: &Ctx,
    workspaces: wrappers::Workspaces,
    mut found: Vec<wrappers::Wrapper>,
    (cache, types): (&FactsCache, &mut TypeHierarchy),
) -> Vec<Outcome> {
    let mut handles = Vec::new();
    for o in outcomes.iter_mut() {
        for mut h in std::mem::take(&mut o.handles) {
            h.file = o.rel.clone();
            handles.push(h);
        }
        for mut w in std::mem::take(&mut o.wrappers) {
            w.file = o.rel.clone();
            found.push(w);
        }
    }
    handles.sort();
    handles.dedup();
    let mut wrappers = wrappers::Wrappers::new(found, workspaces.clone());
    let mut families: BTreeSet<wrappers::Family> = wrappers.families();
    families.extend(handles.iter().map(|h| h.family));
    types.inform(&mut wrappers, texts);
    let Some(names) = Phase2Names::new(&handles, &wrappers) else {
        return Vec::new();
    };
    #[allow(clippy::type_complexity)]
    let results: Vec<(Outcome, Vec<wrappers::Wrapper>, Vec<wrappers::Handle>)> = texts
        .par_files()
        .filter_map(|(i, _)| {
            let (rel, lang, family, text) = candidate(texts, i, &families)?;
            let (used, called) = names.find(&text, family);
            let uses_handle = handles.iter().any(|h| {
                used.contains(h.name.as_str())
                    && wrappers::may_use(h, family, rel, &text, &workspaces)
            });
            let calls_wrapper = called
                .iter()
                .any(|name| wrappers.may_call(family, rel, &text, name));
            if !uses_handle && !calls_wrapper {
                return None;
            }
            let facts = cache.facts(i, lang, &text)?;
            let mut findings = Vec::new();
            let mut fields = Vec::new();
            let mut defined = Vec::new();
            let mut made = Vec::new();
            if uses_handle {
                let seen = seeded(lang, rel, &facts, &text, &handles, &workspaces, ctx);
                findings = seen.findings;
                fields = seen.fields;
                defined = seen.wrappers;
                made = seen.handles;
            }
            if calls_wrapper {
                let named = folders::named_by_path(rel, &ctx.index);
                let (f2, d2) =
                    wrappers::resolve(lang, (rel, &named), &facts, &wrappers, &ctx.calls);
                findings.extend(f2);
                fields.extend(d2);
                // This file's functions around the wrappers it imports:
                // wrappers of the next level.
                let mut outer =
                    wrappers::outer_of_imported(lang, (rel, &named), &facts, &wrappers, &ctx.calls);
                defined.append(&mut outer);
            }
            for w in &mut defined {
                w.file = rel.to_string();
            }
            if findings.is_empty() && defined.is_empty() && made.is_empty() {
                return None;
            }
            Some((phase2_outcome(rel, findings, fields, ctx), defined, made))
        })
        .collect();
    let mut extra = Vec::with_capacity(results.len());
    // Every wrapper seen so far, so that a function found again at a later
    // level (around two wrappers) is followed, and reported, once.
    let mut known: BTreeSet<(String, String, u32, u16)> = wrappers
        .all()
        .iter()
        .map(|w| (w.file.clone(), w.name.clone(), w.line, w.vendor))
        .collect();
    let mut next: Vec<wrappers::Wrapper> = Vec::new();
    let mut made: Vec<wrappers::Handle> = Vec::new();
    for (o, defined, handles) in results {
        if !o.found.is_empty() {
            extra.push(o);
        }
        next.extend(defined);
        made.extend(handles);
    }
    let (more, defined) = handle_rounds(texts, ctx, &workspaces, cache, &handles, made);
    extra.extend(more);
    next.extend(defined);
    // The call sites of wrappers only seen above (made of handles, or
    // functions around another file's wrapper), resolved alone so that
    // nothing is reported twice; the functions around those are the next
    // level's: `CROSS_LEVELS` passes at most, though the chains stop at
    // `wrappers::MAX_LEVEL` (a wrapper found here is at least level 2).
    const CROSS_LEVELS: usize = 3;
    for _ in 0..CROSS_LEVELS {
        // One function found around several wrappers is kept at its
        // shortest chain (the first of a stable sort by level).
        next.sort_by_key(|w| w.level);
        next.retain(|w| known.insert((w.file.clone(), w.name.clone(), w.line, w.vendor)));
        if next.is_empty() {
            break;
        }
        let mut more = wrappers::Wrappers::new(std::mem::take(&mut next), workspaces.clone());
        types.inform(&mut more, texts);
        let Some(names) = Phase2Names::new(&[], &more) else {
            break;
        };
        let families = more.families();
        let level: Vec<(Option<Outcome>, Vec<wrappers::Wrapper>)> = texts
            .par_files()
            .filter_map(|(i, _)| {
                let (rel, lang, family, text) = candidate(texts, i, &families)?;
                let (_, called) = names.find(&text, family);
                if !called.iter().any(|n| more.may_call(family, rel, &text, n)) {
                    return None;
                }
                let facts = cache.facts(i, lang, &text)?;
                let named = folders::named_by_path(rel, &ctx.index);
                let (findings, fields) =
                    wrappers::resolve(lang, (rel, &named), &facts, &more, &ctx.calls);
                let outer =
                    wrappers::outer_of_imported(lang, (rel, &named), &facts, &more, &ctx.calls);
                let o = (!findings.is_empty()).then(|| phase2_outcome(rel, findings, fields, ctx));
                (o.is_some() || !outer.is_empty()).then_some((o, outer))
            })
            .collect();
        for (o, outer) in level {
            extra.extend(o);
            next.extend(outer);
        }
    }
    extra.sort_by(|a, b| a.rel.cmp(&b.rel));
    extra
}

/// Handles made of other files' handles (a client a factory returns,
/// a function that client made: `const tb = getTinybird(); export const
/// publishAiCall = tb.buildIngestEndpoint(...)`), and their users, up to
/// `HANDLE_ROUNDS` steps away from the file that imports the SDK: `made`
/// are those the first round found, `known` the handles before. Gives the
/// outcomes of their users and the wrappers around their calls.
fn handle_rounds(
    texts: &Texts,
    ctx: &Ctx,
    workspaces: &wrappers::Workspaces,
    cache: &FactsCache,
    known: &[wrappers::Handle],
    mut made: Vec<wrappers::Handle>,
) -> (Vec<Outcome>, Vec<wrappers::Wrapper>) {
    const HANDLE_ROUNDS: usize = 2;
    let mut extra = Vec::new();
    let mut next = Vec::new();
    let mut seen_handles: BTreeSet<(String, String)> = known
        .iter()
        .map(|h| (h.file.clone(), h.name.clone()))
        .collect();
    let no_wrappers = wrappers::Wrappers::new(Vec::new(), workspaces.clone());
    for _ in 0..HANDLE_ROUNDS {
        made.retain(|h| seen_handles.insert((h.file.clone(), h.name.clone())));
        if made.is_empty() {
            break;
        }
        made.sort();
        let handles = std::mem::take(&mut made);
        let Some(names) = Phase2Names::new(&handles, &no_wrappers) else {
            break;
        };
        let families: BTreeSet<wrappers::Family> = handles.iter().map(|h| h.family).collect();
        let round: Vec<(Outcome, Vec<wrappers::Wrapper>, Vec<wrappers::Handle>)> = texts
            .par_files()
            .filter_map(|(i, _)| {
                let (rel, lang, family, text) = candidate(texts, i, &families)?;
                let (used, _) = names.find(&text, family);
                let uses = handles.iter().any(|h| {
                    used.contains(h.name.as_str())
                        && wrappers::may_use(h, family, rel, &text, workspaces)
                });
                if !uses {
                    return None;
                }
                let facts = cache.facts(i, lang, &text)?;
                let seen = seeded(lang, rel, &facts, &text, &handles, workspaces, ctx);
                let mut defined = seen.wrappers;
                for w in &mut defined {
                    w.file = rel.to_string();
                }
                Some((
                    phase2_outcome(rel, seen.findings, seen.fields, ctx),
                    defined,
                    seen.handles,
                ))
            })
            .collect();
        for (o, defined, handles) in round {
            if !o.found.is_empty() {
                extra.push(o);
            }
            next.extend(defined);
            made.extend(handles);
        }
    }
    (extra, next)
}

/// What a file makes of other files' handles.
struct Seeded {
    findings: Vec<Finding>,
    fields: Vec<calls::CallField>,
    /// Its functions around the handles' calls.
    wrappers: Vec<wrappers::Wrapper>,
    /// Its own handles made of them (`file` set).
    handles: Vec<wrappers::Handle>,
}

/// The calls a file at `rel` makes on the `handles` it sees
/// ([`calls::detect_seeded`]), its functions around those
/// ([`wrappers::defined_with`]), and the handles it makes of them for
/// others ([`wrappers::handles`]).
fn seeded(
    lang: Lang,
    rel: &str,
    facts: &lang::FileFacts,
    text: &str,
    handles: &[wrappers::Handle],
    workspaces: &wrappers::Workspaces,
    ctx: &Ctx,
) -> Seeded {
    let seed = wrappers::handle_seed(lang, rel, facts, handles, workspaces);
    if seed.is_empty() {
        return Seeded {
            findings: Vec::new(),
            fields: Vec::new(),
            wrappers: Vec::new(),
            handles: Vec::new(),
        };
    }
    let (findings, fields) = calls::detect_seeded(lang, facts, &ctx.index, &ctx.calls, &seed);
    let mut defined =
        wrappers::defined_with(lang, facts, &ctx.index, &ctx.calls, &seed, Vec::new());
    wrappers::mark_extensions(&mut defined, text);
    let mut made = wrappers::handles(lang, facts, &ctx.index, &ctx.calls, text, &seed);
    for h in &mut made {
        h.file = rel.to_string();
    }
    Seeded {
        findings,
        fields,
        wrappers: defined,
        handles: made,
    }
}

/// The file's HTTP requests to vendor hosts ([`http::detect`]); in
/// production, the fields they send and the vendor URLs the file defines
/// for others ([`remote`]) go into `out`.
#[allow(clippy::too_many_arguments)]
fn requests(
    facts: &lang::FileFacts,
    rel: &str,
    text: &str,
    lines: &LineIndex<'_>,
    folder_vendors: &[u16],
    production: bool,
    ctx: &Ctx,
    out: &mut Outcome,
) -> Vec<Finding> {
    let names = http::Assignments::of(text);
    let (requests, sent, made) = http::detect(
        facts,
        &names,
        lines,
        &ctx.domains,
        &ctx.calls.messengers,
        &http::Folder {
            vendors: folder_vendors,
            stem: rel
                .rsplit('/')
                .next()
                .and_then(|n| n.split('.').next())
                .unwrap_or(""),
            index: Some(&ctx.index),
        },
        &remote::Remote::default(),
    );
    if production {
        out.url_defs = http::url_defs(rel, facts, &names, &ctx.domains);
        if rel.ends_with(".rb") {
            out.class_clients = http::class_clients(facts, &names, &ctx.domains);
        }
        if let Some(lang) = Lang::from_path(std::path::Path::new(rel)) {
            out.wrappers.extend(wrappers::of_requests(
                lang, facts, &made, &names, &ctx.calls, &sent,
            ));
        }
        out.fields.extend(sent);
    }
    requests
}

/// What is only known once every file was analysed: a renderer's camera
/// ([`renderers`]), clients and wrappers across files ([`wrappers`]), URLs
/// other files define ([`remote`]) and the framework's mail transport
/// ([`mailers`]). The extra outcomes, one per file with findings.
fn later_passes(
    texts: &Texts,
    outcomes: &mut [Outcome],
    ctx: &Ctx,
    catalog: &Catalog,
) -> Vec<Outcome> {
    let workspaces = workspaces_of(outcomes);
    let hosted = hosted_renderers(outcomes, ctx, catalog);
    let (mut out, mut found) = renderer_pass(texts, &hosted, ctx);
    // Requests to URLs that other files define first: a method around one
    // is a wrapper whose call sites the cross-file pass finds.
    let (remote_out, request_wrappers) = remote_url_pass(texts, outcomes, ctx);
    found.extend(request_wrappers);
    // Sends through a provider-neutral model SDK: the functions around
    // them are wrappers of the providers.
    // Both parse files the other reads again: one budget of kept facts.
    let cache = FactsCache::new();
    let (model_out, model_wrappers) = model_pass(texts, outcomes, ctx, &cache);
    found.extend(model_wrappers);
    let mut types = TypeHierarchy::default();
    let (heir_out, heir_wrappers) = inherited_client_pass(texts, outcomes, ctx, &mut types);
    found.extend(heir_wrappers);
    out.extend(heir_out);
    out.extend(cross_file_pass(
        texts,
        outcomes,
        ctx,
        workspaces,
        found,
        (&cache, &mut types),
    ));
    out.extend(remote_out);
    out.extend(model_out);
    out.extend(mailer_pass(texts, outcomes, ctx));
    out
}

/// The framework mail transports the production manifests install
/// ([`mailers`]): vendors whose manifest evidence is one of their
/// `mailer_packages`.
fn mail_transports(outcomes: &[Outcome], ctx: &Ctx) -> Vec<u16> {
    installed(outcomes, &ctx.mailer_packages, |text, p| text.contains(p))
}

/// The providers of a provider-neutral model SDK that the production
/// manifests install ([`models`]): vendors whose manifest evidence is one
/// of their provider packages.
fn model_providers(outcomes: &[Outcome], ctx: &Ctx) -> Vec<u16> {
    installed(outcomes, &ctx.model_packages, quoted)
}

/// The vendors whose production manifest evidence `names` one of their
/// `packages`.
fn installed(
    outcomes: &[Outcome],
    packages: &[(u16, Vec<String>)],
    names: impl Fn(&str, &str) -> bool,
) -> Vec<u16> {
    let mut out: BTreeSet<u16> = BTreeSet::new();
    for f in outcomes.iter().flat_map(|o| o.found.iter()) {
        if f.kind != EvidenceKind::Manifest || f.scope != Scope::Production {
            continue;
        }
        let named = packages
            .iter()
            .filter(|(v, _)| *v == f.vendor)
            .any(|(_, pkgs)| pkgs.iter().any(|p| names(&f.text, p)));
        if named {
            out.insert(f.vendor);
        }
    }
    out.into_iter().collect()
}

/// True when `text` names the package `name` in quotes (a manifest line:
/// `"@ai-sdk/openai": "3.0.0"`), not a longer name that starts with it.
fn quoted(text: &str, name: &str) -> bool {
    text.contains(&format!("\"{name}\"")) || text.contains(&format!("'{name}'"))
}

/// The sends of a provider-neutral model SDK, as calls of the providers
/// the manifests install ([`models`]): re-reads only the production JS/TS
/// files whose text may import the SDK. Gives the extra outcomes and the
/// functions around the sends (wrappers for the cross-file pass).
fn model_pass(
    texts: &Texts,
    outcomes: &[Outcome],
    ctx: &Ctx,
    cache: &FactsCache,
) -> (Vec<Outcome>, Vec<wrappers::Wrapper>) {
    let installed = model_providers(outcomes, ctx);
    if installed.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let (providers, pinned) = pinned_providers(texts, outcomes, ctx, cache, &installed);
    let mut all = providers.clone();
    all.extend(pinned.values().flatten().copied());
    all.sort_unstable();
    all.dedup();
    let specs = models::specs_for(&ctx.calls, &all);
    let found: Vec<(Option<Outcome>, Vec<wrappers::Wrapper>)> = texts
        .par_files()
        .filter_map(|(i, rel)| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let lang = Lang::from_path(std::path::Path::new(name))
                .filter(|l| matches!(l, Lang::JavaScript | Lang::TypeScript))?;
            let text = texts.get(i)?;
            if !models::may_import(&text) {
                return None;
            }
            let facts = cache.facts(i, lang, &text)?;
            let mut here = providers.clone();
            here.extend(pinned.get(rel).into_iter().flatten().copied());
            let keys: Vec<(u16, Vec<String>)> = here
                .iter()
                .map(|v| {
                    let packages = ctx.model_packages.iter().find(|(p, _)| p == v);
                    (
                        *v,
                        packages.map_or_else(Vec::new, |(_, p)| models::entry_keys(p)),
                    )
                })
                .collect();
            let (findings, fields, mut defined) =
                models::detect(lang, &facts, &text, &ctx.index, &specs, &keys);
            wrappers::mark_extensions(&mut defined, &text);
            for w in &mut defined {
                w.file = rel.to_string();
            }
            let o = (!findings.is_empty()).then(|| phase2_outcome(rel, findings, fields, ctx));
            (o.is_some() || !defined.is_empty()).then_some((o, defined))
        })
        .collect();
    gathered(found)
}

/// `installed` split into the run-time choices and, by file, the
/// providers pinned there ([`models::pins`]): a provider each of whose
/// production importers writes its model into a call is that file's only.
fn pinned_providers(
    texts: &Texts,
    outcomes: &[Outcome],
    ctx: &Ctx,
    cache: &FactsCache,
    installed: &[u16],
) -> (Vec<u16>, BTreeMap<String, Vec<u16>>) {
    let mut importers: BTreeMap<&str, Vec<u16>> = BTreeMap::new();
    for o in outcomes {
        for f in &o.found {
            if f.kind == EvidenceKind::Import
                && f.scope == Scope::Production
                && installed.contains(&f.vendor)
            {
                let list = importers.entry(o.rel.as_str()).or_default();
                if !list.contains(&f.vendor) {
                    list.push(f.vendor);
                }
            }
        }
    }
    let pins: Vec<(&str, u16, bool)> = texts
        .par_files()
        .filter_map(|(i, rel)| {
            let vendors = importers.get(rel)?;
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let lang = Lang::from_path(std::path::Path::new(name))
                .filter(|l| matches!(l, Lang::JavaScript | Lang::TypeScript))?;
            let text = texts.get(i)?;
            let facts = cache.facts(i, lang, &text)?;
            Some(
                vendors
                    .iter()
                    .map(|&v| (rel, v, models::pins(lang, &facts, &ctx.index, v)))
                    .collect::<Vec<_>>(),
            )
        })
        .flatten()
        .collect();
    let mut pinned: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    let mut runtime = Vec::new();
    for &v in installed {
        let mine: Vec<&(&str, u16, bool)> = pins.iter().filter(|p| p.1 == v).collect();
        if mine.is_empty() || mine.iter().any(|p| !p.2) {
            runtime.push(v);
            continue;
        }
        for p in mine {
            pinned.entry(p.0.to_string()).or_default().push(v);
        }
    }
    (runtime, pinned)
}

/// The framework's own mail sends, as calls of the transports the
/// manifests install ([`mailers`]): re-reads only the production PHP, Ruby
/// and Python files whose text has a send's marker.
fn mailer_pass(texts: &Texts, outcomes: &[Outcome], ctx: &Ctx) -> Vec<Outcome> {
    let vendors = mail_transports(outcomes, ctx);
    if vendors.is_empty() {
        return Vec::new();
    }
    let mut extra: Vec<Outcome> = texts
        .par_files()
        .filter_map(|(i, rel)| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let lang = Lang::from_path(std::path::Path::new(name))
                .filter(|l| matches!(l, Lang::Php | Lang::Ruby | Lang::Python))?;
            if scope::of_path(rel) != Scope::Production {
                return None;
            }
            let text = texts.get(i)?;
            if !mailers::MARKERS.iter().any(|m| text.contains(m)) {
                return None;
            }
            let facts = lang::extract(lang, &text).ok()?;
            let (findings, fields) = mailers::detect(lang, &facts, &text, &vendors, &ctx.calls);
            (!findings.is_empty()).then(|| phase2_outcome(rel, findings, fields, ctx))
        })
        .collect();
    extra.sort_by(|a, b| a.rel.cmp(&b.rel));
    extra
}

/// Requests through a client a Ruby base class makes
/// (`Integrations::Aggregator::BaseService#http_client`, whose URL is
/// Nango's), made by its subclasses in other files
/// (`http_client.post_with_response(params, headers)`): re-reads only the
/// files of the classes that inherit such a method without defining their
/// own ([`ruby_tree::RubyTree::inherited`]) and that name it. A body
/// named by a method of the class (`params`, `payload.body`) is read from
/// that method, through the factory it calls, to the hash the chosen
/// payload classes build ([`ruby_tree::RubyTree::returned_pairs`]). The
/// methods around those requests are wrappers ([`wrappers::of_requests`]).
fn inherited_client_pass(
    texts: &Texts,
    outcomes: &mut [Outcome],
    ctx: &Ctx,
    types: &mut TypeHierarchy,
) -> (Vec<Outcome>, Vec<wrappers::Wrapper>) {
    let mut clients: BTreeMap<(String, String), Vec<u16>> = BTreeMap::new();
    for o in outcomes.iter_mut() {
        for (class, method, vendors) in std::mem::take(&mut o.class_clients) {
            clients.entry((class, method)).or_default().extend(vendors);
        }
    }
    if clients.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let tree = types.ruby(texts);
    // Per file: the clients its classes inherit, by method name.
    let mut heirs: BTreeMap<usize, BTreeMap<String, Vec<u16>>> = BTreeMap::new();
    for ((owner, method), vendors) in &clients {
        let owners: BTreeSet<String> = [owner.clone()].into();
        for (_, file, _) in tree.inherited(&owners, method) {
            heirs
                .entry(file)
                .or_default()
                .entry(method.clone())
                .or_default()
                .extend(vendors.iter().copied());
        }
    }
    let results: Vec<(Option<Outcome>, Vec<wrappers::Wrapper>)> = heirs
        .into_par_iter()
        .filter_map(|(i, inherited)| {
            let rel = texts.rel(i)?;
            let text = texts.get(i)?;
            if !inherited.keys().any(|m| text.contains(&format!("{m}."))) {
                return None;
            }
            let facts = lang::extract(Lang::Ruby, &text).ok()?;
            let mut remote = remote::Remote::default();
            remote.clients = inherited;
            Some(added_requests(
                (Lang::Ruby, rel),
                (&facts, &text),
                &remote,
                ctx,
                |made| {
                    made.iter()
                        .flat_map(|r| body_fields(r, &facts, tree, texts))
                        .collect()
                },
            ))
        })
        .collect();
    gathered(results)
}

/// What a second [`http::detect`] of a file, with what other files define
/// (`with`), adds to what the file gave alone: the outcome of its new
/// requests and fields (with `more` fields of those requests), and the
/// functions around those requests that pass their parameters on
/// ([`wrappers::of_requests`]).
fn added_requests(
    (lang, rel): (Lang, &str),
    (facts, text): (&lang::FileFacts, &str),
    with: &remote::Remote,
    ctx: &Ctx,
    more: impl Fn(&[http::Request]) -> Vec<calls::CallField>,
) -> (Option<Outcome>, Vec<wrappers::Wrapper>) {
    let lines = LineIndex::new(text);
    let names = http::Assignments::of(text);
    let detect = |r: &remote::Remote| {
        http::detect(
            facts,
            &names,
            &lines,
            &ctx.domains,
            &ctx.calls.messengers,
            &http::Folder::default(),
            r,
        )
    };
    let (findings, mut fields, made) = detect(with);
    let (alone_findings, alone_fields, alone_made) = detect(&remote::Remote::default());
    let made: Vec<http::Request> = made
        .into_iter()
        .filter(|r| !alone_made.contains(r))
        .collect();
    fields.extend(more(&made));
    let mut found = wrappers::of_requests(lang, facts, &made, &names, &ctx.calls, &fields);
    for w in &mut found {
        w.file = rel.to_string();
    }
    let seen: BTreeSet<(u16, u32)> = alone_findings.iter().map(|f| (f.vendor, f.line)).collect();
    let findings: Vec<Finding> = findings
        .into_iter()
        .filter(|f| !seen.contains(&(f.vendor, f.line)))
        .collect();
    let fields: Vec<calls::CallField> = fields
        .into_iter()
        .filter(|f| !alone_fields.contains(f))
        .collect();
    let outcome = (!findings.is_empty()).then(|| phase2_outcome(rel, findings, fields, ctx));
    (outcome, found)
}

/// The outcomes (sorted by path) and the wrappers of a pass's files.
fn gathered(
    results: Vec<(Option<Outcome>, Vec<wrappers::Wrapper>)>,
) -> (Vec<Outcome>, Vec<wrappers::Wrapper>) {
    let mut extra = Vec::new();
    let mut found = Vec::new();
    for (outcome, ws) in results {
        extra.extend(outcome);
        found.extend(ws);
    }
    extra.sort_by(|a, b| a.rel.cmp(&b.rel));
    (extra, found)
}

/// What the body of the Ruby request `r` sends when a method of its class
/// names it (`params`, `payload.body`; see
/// [`ruby_tree::RubyTree::returned_pairs`]): each pair that classifies,
/// reported at the request, named with the place it is built.
fn body_fields(
    r: &http::Request,
    facts: &lang::FileFacts,
    tree: &ruby_tree::RubyTree,
    texts: &Texts,
) -> Vec<calls::CallField> {
    let mut out = Vec::new();
    let text_of = |i: usize| texts.get(i);
    let Some((call, class)) = facts.functions.iter().find_map(|f| {
        let c = f
            .calls
            .iter()
            .find(|c| c.line == r.line && c.callee == r.callee)?;
        Some((c, f.owner.as_deref()?))
    }) else {
        return out;
    };
    // The body: the first argument given by position, or one named so.
    let body = call.args.iter().find(|a| match &a.key {
        None => a.position == Some(0),
        Some(k) => !k.contains('.') && http::is_body_key(k),
    });
    let Some(body) = body else {
        return out;
    };
    for (key, value, file, line) in tree.returned_pairs(class, &body.expr, &text_of) {
        if calls::is_literal(&value) || http::is_app_config(&value) {
            continue;
        }
        let Some(c) = super::classify::classify_arg(Some(&key), &value) else {
            continue;
        };
        if c.category.starts_with("user.authorization")
            || c.category.starts_with("system.authentication")
        {
            continue;
        }
        let place = texts.rel(file).unwrap_or("");
        for &v in &r.vendors {
            out.push(calls::CallField {
                vendor: v,
                category: c.category.clone(),
                name: format!("{key} (built at {place}:{line})"),
                line: r.line,
            });
        }
    }
    out
}

/// Requests to vendor URLs that other files define, named with their
/// class (`CashfreeProvider::BASE_URL`; see [`remote`]): re-reads only the
/// files of a parsed language whose text names one, and reports the
/// requests and fields that the names add to what the file gave alone,
/// with the functions and methods around those requests that pass their
/// parameters on ([`wrappers::of_requests`]).
fn remote_url_pass(
    texts: &Texts,
    outcomes: &mut [Outcome],
    ctx: &Ctx,
) -> (Vec<Outcome>, Vec<wrappers::Wrapper>) {
    let mut defs = Vec::new();
    for o in outcomes.iter_mut() {
        for mut d in std::mem::take(&mut o.url_defs) {
            d.file = o.rel.clone();
            defs.push(d);
        }
    }
    if defs.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let remote = remote::Remote::new(&defs);
    let patterns = remote.patterns();
    let Ok(ac) = aho_corasick::AhoCorasick::new(&patterns) else {
        return (Vec::new(), Vec::new());
    };
    // Per pattern, the files that define it: `Class::member`,
    // `Class.member`, and `.member` for a method called on an instance
    // (those `Remote::patterns` looks for; a pattern it does not look for is
    // never asked about).
    let mut defined_in: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for d in &defs {
        for w in [
            format!("{}::{}", d.class, d.member),
            format!("{}.{}", d.class, d.member),
            format!(".{}", d.member),
        ] {
            defined_in.entry(w).or_default().insert(d.file.as_str());
        }
    }
    let results: Vec<(Option<Outcome>, Vec<wrappers::Wrapper>)> = texts
        .par_files()
        .filter_map(|(i, rel)| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let lang = Lang::from_path(std::path::Path::new(name)).filter(|l| *l != Lang::Html)?;
            if scope::of_path(rel) != Scope::Production {
                return None;
            }
            let text = texts.get(i)?;
            // A name used only in its own file was resolved there.
            let named = ac.find_iter(text.as_ref()).any(|m| {
                let p = patterns[m.pattern().as_usize()].as_str();
                defined_in
                    .get(p)
                    .is_some_and(|files| files.iter().any(|f| *f != rel))
            });
            if !named {
                return None;
            }
            let facts = lang::extract(lang, &text).ok()?;
            Some(added_requests(
                (lang, rel),
                (&facts, &text),
                &remote,
                ctx,
                |_| Vec::new(),
            ))
        })
        .collect();
    gathered(results)
}

/// The renderers of the catalog (MapLibre) whose hosted vendors this
/// repository configures: a vendor that lists the renderer under
/// `renderers:` and has production endpoint, config, HTTP or script
/// evidence (a host in a comment, link, test or docs file is not
/// configuration). Renderers with none are left out: self-hosted tiles
/// send nothing to any vendor.
fn hosted_renderers(outcomes: &[Outcome], ctx: &Ctx, catalog: &Catalog) -> Vec<renderers::Hosted> {
    let configured: BTreeSet<u16> = outcomes
        .iter()
        .flat_map(|o| o.found.iter())
        .filter(|f| {
            f.scope == Scope::Production
                && matches!(
                    f.kind,
                    EvidenceKind::Endpoint
                        | EvidenceKind::Config
                        | EvidenceKind::Http
                        | EvidenceKind::Script
                )
        })
        .map(|f| f.vendor)
        .collect();
    let mut out = Vec::new();
    for r in crate::catalog::renderers::builtin() {
        let vendors: BTreeMap<u16, Vec<String>> = configured
            .iter()
            .filter_map(|&v| {
                let cv = catalog.get(ctx.index.id(v))?;
                cv.renderers
                    .iter()
                    .any(|x| x == &r.id)
                    .then(|| (v, cv.domains.clone()))
            })
            .collect();
        if !vendors.is_empty() {
            out.push(renderers::Hosted {
                renderer: r,
                vendors,
            });
        }
    }
    out
}

/// The files that import a renderer whose hosted vendor is configured
/// (found by the renderer's module names in their text, then parsed): what
/// their camera is pointed at, as calls of that vendor, and the functions
/// that pass a parameter to the camera, as wrappers for phase 2. Reads
/// nothing when no renderer has a configured vendor.
fn renderer_pass(
    texts: &Texts,
    hosted: &[renderers::Hosted],
    ctx: &Ctx,
) -> (Vec<Outcome>, Vec<wrappers::Wrapper>) {
    if hosted.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let results: Vec<(Outcome, Vec<wrappers::Wrapper>)> = texts
        .par_files()
        .filter_map(|(i, rel)| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            let lang = Lang::from_path(std::path::Path::new(name))?;
            let here: Vec<&renderers::Hosted> = hosted
                .iter()
                .filter(|h| !renderers::modules(h.renderer, lang).is_empty())
                .collect();
            if here.is_empty() {
                return None;
            }
            let text = texts.get(i)?;
            let here: Vec<&renderers::Hosted> = here
                .into_iter()
                .filter(|h| {
                    renderers::modules(h.renderer, lang)
                        .iter()
                        .any(|m| text.contains(m.as_str()))
                })
                .collect();
            if here.is_empty() {
                return None;
            }
            let facts = lang::extract(lang, &text).ok()?;
            let mut findings = Vec::new();
            let mut fields = Vec::new();
            let mut defined = Vec::new();
            for h in here {
                let d = renderers::detect(lang, &facts, &text, h);
                findings.extend(d.findings);
                fields.extend(d.fields);
                defined.extend(d.wrappers.into_iter().map(|mut w| {
                    w.file = rel.to_string();
                    w
                }));
            }
            wrappers::mark_extensions(&mut defined, &text);
            if findings.is_empty() && defined.is_empty() {
                return None;
            }
            // Test files' wrappers have no production call sites to give.
            if scope::of_path(rel) != Scope::Production {
                defined.clear();
            }
            Some((phase2_outcome(rel, findings, fields, ctx), defined))
        })
        .collect();
    let mut outs = Vec::new();
    let mut defined = Vec::new();
    for (o, d) in results {
        if !o.found.is_empty() {
            outs.push(o);
        }
        defined.extend(d);
    }
    outs.sort_by(|a, b| a.rel.cmp(&b.rel));
    (outs, defined)
}

/// (vendor, line) pairs whose only host match on the line lies inside
/// another vendor's snippet: `www.googletagmanager.com/gtag/js` is Google
/// Analytics's loader served from Tag Manager's host, so the host alone must
/// not make Tag Manager a vendor there. A vendor with a snippet of its own,
/// or another host match outside the snippet, on that line is kept.
fn shadowed_by_snippets(hits: &[Hit], pf: &Prefilter, lines: &LineIndex) -> BTreeSet<(u16, u32)> {
    let snippets: Vec<(&Hit, Vec<u16>)> = hits
        .iter()
        .map(|h| (h, pf.owners(h, Role::Snippet).collect::<Vec<_>>()))
        .filter(|(_, o)| !o.is_empty())
        .collect();
    if snippets.is_empty() {
        return BTreeSet::new();
    }
    let mut shadowed: BTreeSet<(u16, u32)> = BTreeSet::new();
    let mut kept: BTreeSet<(u16, u32)> = BTreeSet::new();
    for (h, owners) in &snippets {
        let line = lines.line_of(h.start);
        kept.extend(owners.iter().map(|v| (*v, line)));
    }
    for h in hits {
        let line = lines.line_of(h.start);
        for v in pf.owners(h, Role::Domain) {
            let inside_other = snippets
                .iter()
                .any(|(sh, owners)| h.start < sh.end && h.end > sh.start && !owners.contains(&v));
            if inside_other {
                shadowed.insert((v, line));
            } else {
                kept.insert((v, line));
            }
        }
    }
    shadowed.retain(|k| !kept.contains(k));
    shadowed
}

/// The language family of a file, as [`super::index::family`] bits.
fn family(lang: Lang) -> u8 {
    lang.spec().family
}

/// True when some hit could become evidence once the file is parsed: a
/// package name where the language writes module names (in quotes, or after
/// `import`/`from`/`use`), a host at the start of a URL or string, a config
/// key in quotes or after an env accessor, or a snippet; and not on a line
/// that is a comment. A cheap text check, so that tree-sitter only runs on
/// files that can yield something (parsing is most of a scan's cost).
fn worth_parsing(lang: Lang, text: &str, hits: &[Hit], ctx: &Ctx, lines: &LineIndex) -> bool {
    let b = text.as_bytes();
    let quote_at = |i: usize| matches!(b.get(i), Some(b'"' | b'\'' | b'`'));
    hits.iter().any(|h| {
        let n = lines.line_of(h.start);
        let line_start = lines.start_of(n);
        let before = text.get(line_start.min(h.start)..h.start).unwrap_or("");
        let lead = before.trim_start();
        let comment = lead.starts_with("//")
            || lead.starts_with("/*")
            || lead.starts_with('*')
            || (lead.starts_with('#') && lang.spec().hash_comments);
        if comment {
            return false;
        }
        let quoted = h.start > 0 && quote_at(h.start - 1);
        let owners = &ctx.prefilter.pattern(h).owners;
        owners.iter().any(|(role, _)| match role {
            Role::Snippet => true,
            Role::Login => {
                // `AddAppleProvider(`: the method names the provider.
                let method = text.get(h.start..h.end).is_some_and(|m| {
                    m.starts_with("Add") && m.ends_with("Provider") && b.get(h.end) == Some(&b'(')
                });
                method
                    || ((quoted || (h.start > 0 && b[h.start - 1] == b':'))
                        && logins::opens_registration(before))
            }
            Role::ConfigKey => {
                quoted || {
                    let t = before.trim_end();
                    t.ends_with("env.") || t.ends_with("env?.") || t.ends_with("ENV.")
                }
            }
            Role::Domain => {
                // The start of the host: after `//`, `@`, a quote, or a subdomain dot.
                let mut s = h.start;
                while s > 0 && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'.' | b'-'))
                {
                    s -= 1;
                }
                s == 0 || matches!(b[s - 1], b'/' | b'@' | b'"' | b'\'' | b'`' | b'=' | b' ')
            }
            Role::Name
                if ctx
                    .index
                    .names_nothing_in(&ctx.prefilter.pattern(h).text, family(lang)) =>
            {
                // Another language's package (`avatax`, an npm and RubyGems
                // name, on a Python import line): it names nothing here.
                false
            }
            Role::Name => {
                let prev = if n > 1 { lines.text_of(n - 1) } else { "" };
                import_position(lang, before, quoted, prev)
                    || (lang == Lang::Php && php_class_use(text, before, h))
                    || (lang == Lang::Ruby && ruby_constant_use(b, h))
            }
        })
    })
}

/// A capitalised name used as a Ruby constant (`Stripe::Customer`,
/// `Sentry.set_user`, top-level `::Stripe::Customer`): a gem Bundler
/// loaded may be used without a `require` in the file (see
/// `calls::ruby_global_constants`). A constant nested in another
/// (`Billing::Stripe`) or a member (`x.Stripe`) is not the gem's.
fn ruby_constant_use(b: &[u8], h: &Hit) -> bool {
    let top_level = |at: usize| {
        at == 0
            || match b[at - 1] {
                b'.' | b'@' => false,
                b':' => {
                    // `::Stripe` with nothing named before the `::`.
                    at >= 2
                        && b[at - 2] == b':'
                        && (at == 2 || !(b[at - 3].is_ascii_alphanumeric() || b[at - 3] == b'_'))
                }
                _ => true,
            }
    };
    b.get(h.start).is_some_and(u8::is_ascii_uppercase)
        && matches!(b.get(h.end), Some(b':' | b'.'))
        && top_level(h.start)
}

/// True when a name that starts right after `before` (the text of its line
/// up to it) sits where the language writes a module name: `from "x"`,
/// `require("x")`, `import("x")` (JS); `import x`, `from x`,
/// `import_module("x")` (Python); `require "x"` (Ruby); a line of an import
/// block (Go); `import x` (Java, Kotlin, Swift); `use X` (PHP). `prev` is the
/// line before, for a specifier on a line of its own.
fn import_position(lang: Lang, before: &str, quoted: bool, prev: &str) -> bool {
    let lead = before.trim_start();
    let b = before.trim_end();
    // The code before the opening quote.
    let ctx = b.strip_suffix(['"', '\'', '`']).unwrap_or(b).trim_end();
    let ctx = if ctx.is_empty() { prev.trim_end() } else { ctx };
    let ends_word = |w: &str| {
        ctx.ends_with(w)
            && !ctx[..ctx.len() - w.len()]
                .ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    };
    match lang.spec().import_syntax {
        ImportSyntax::Js => {
            (quoted || before.ends_with("npm:"))
                && (ends_word("from")
                    || ends_word("import")
                    || ctx.ends_with("require(")
                    || ctx.ends_with("import(")
                    || ctx.ends_with("require.resolve(")
                    || ctx.ends_with("mock(")
                    || ctx.ends_with("npm:"))
        }
        ImportSyntax::Python => {
            // The top-level module of `import m` or `from m import x`; not
            // a member imported from another module (`from lodash import
            // merge`) or an alias (`import x as merge`).
            ((lead.starts_with("import ") || lead.starts_with("from "))
                && !lead.contains(" import ")
                && !lead.contains(" as ")
                // `from pandas.core.merge import x`: a submodule of another
                // package, not the top-level module `merge`.
                && !before.ends_with('.'))
                || (quoted && (ctx.ends_with("import_module(") || ctx.ends_with("__import__(")))
        }
        ImportSyntax::Ruby => {
            quoted && (ends_word("require") || ctx.ends_with("require(") || ends_word("autoload"))
        }
        ImportSyntax::Go => {
            // `import "x"`, or a line of an import block: `"x"`, `alias "x"`.
            quoted
                && (ends_word("import")
                    || lead
                        .trim_end()
                        .trim_end_matches(['"', '`'])
                        .trim()
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.')))
        }
        ImportSyntax::ImportLine => {
            lead.starts_with("import ") || lead.starts_with("@testable import ")
        }
        ImportSyntax::Php => lead.starts_with("use ") || before.ends_with('\\'),
        ImportSyntax::None => false,
    }
}

/// True when a PHP name hit is a class used without a `use` line:
/// `Mixpanel::getInstance(...)`, `new Mixpanel(...)` (Composer autoloads
/// global classes; see `calls`).
fn php_class_use(text: &str, before: &str, h: &Hit) -> bool {
    let capitalised = text
        .as_bytes()
        .get(h.start)
        .is_some_and(u8::is_ascii_uppercase);
    let after = text.get(h.end..).unwrap_or("");
    capitalised && (after.starts_with("::") || before.trim_end().ends_with("new"))
}

/// The lines (number, text) holding a domain hit, each once.
fn domain_lines<'t>(
    hits: &[Hit],
    ctx: &Ctx,
    lines: &LineIndex<'t>,
) -> impl Iterator<Item = (u32, &'t str)> {
    let set: BTreeSet<u32> = hits
        .iter()
        .filter(|h| ctx.prefilter.owners(h, Role::Domain).next().is_some())
        .map(|h| lines.line_of(h.start))
        .collect();
    let texts: Vec<(u32, &'t str)> = set.into_iter().map(|n| (n, lines.text_of(n))).collect();
    texts.into_iter()
}

/// One trimmed line, secrets redacted, cut to [`MAX_TEXT`] characters.
fn evidence_text(redactor: &Redactor, raw: &str) -> String {
    let line = raw.lines().next().unwrap_or("").trim();
    let red = redactor.redact(line);
    if red.chars().count() <= MAX_TEXT {
        return red;
    }
    let mut cut: String = red.chars().take(MAX_TEXT).collect();
    cut.push('…');
    cut
}
