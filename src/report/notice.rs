//! Incident notices drafted from a blast report: to the affected people
//! (`users`), to the company's own staff (`internal`), and to the
//! supervisory authority (`regulator`, following GDPR Art. 33(3)), in
//! English or Arabic, as text, Markdown or HTML.
//!
//! Every statement about the incident comes from the report: what was
//! exposed and for whom, what was not, the scenarios, the response actions.
//! What the map cannot know (dates, how the vendor was breached, contact
//! addresses, the company's name) is a `[PLACEHOLDER]` written in the
//! templates, never a guess.
//!
//! One askama template per notice and language
//! (`templates/notice/{users,internal,regulator}.{en,ar}.md`), plus one word
//! table per language (`notice_{en,ar}.yaml`: category, vendor-category and
//! scenario wording); adding a language is adding those files and a
//! [`Lang`] variant. The templates are written in a small Markdown subset
//! (`#` headings, `- ` and `1. ` lists, `> ` notes, paragraphs, `**bold**`,
//! `[PLACEHOLDER]`), which [`convert`] turns into text or HTML.
//!
//! Escaping: every value from the report goes through [`Notice::e`], which
//! escapes it for the output format and wraps it in two private-use
//! characters, so the converter never reads markup inside a value (a vendor
//! named `# [x]` stays text in every format); the wrappers are removed last.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use askama::Template;
use serde::Deserialize;

pub use super::format::NoticeFormat;
use super::words::group_digits;
use crate::catalog::taxonomy::Taxonomy;
use crate::graph::blast::BlastReport;

/// Who a notice is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// The affected people.
    Users,
    /// The company's own staff.
    Internal,
    /// The supervisory authority.
    Regulator,
}

/// A notice's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Arabic (right to left).
    Ar,
}

impl Lang {
    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ar => "ar",
        }
    }

    /// `rtl` or `ltr`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En => "ltr",
            Lang::Ar => "rtl",
        }
    }

    /// The language's word table.
    pub fn words(self) -> &'static Words {
        static EN: OnceLock<Words> = OnceLock::new();
        static AR: OnceLock<Words> = OnceLock::new();
        let (cell, text) = match self {
            Lang::En => (&EN, include_str!("notice_en.yaml")),
            Lang::Ar => (&AR, include_str!("notice_ar.yaml")),
        };
        cell.get_or_init(|| {
            serde_yaml::from_str(text)
                .expect("the notice word tables are valid (checked by a test)")
        })
    }
}

/// Scenario wording in one language.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioWords {
    /// Short title.
    pub title: String,
    /// What it means for the people concerned.
    pub consequence: String,
}

/// One language's words for categories, vendor categories and scenarios.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Words {
    /// Taxonomy key → plain words; empty for English, which uses the
    /// taxonomy's own `plain` words.
    #[serde(default)]
    pub categories: BTreeMap<String, String>,
    /// Vendor category → what kind of service it is.
    pub vendor_categories: BTreeMap<String, String>,
    /// Scenario id → wording; empty for English, which uses the rules'.
    #[serde(default)]
    pub scenarios: BTreeMap<String, ScenarioWords>,
    /// Severity and sensitivity level (`critical` … `none`) → word; empty
    /// for English, which prints the level's own name.
    #[serde(default)]
    pub levels: BTreeMap<String, String>,
}

impl Words {
    /// This language's word for a severity or sensitivity level.
    pub fn level<'w>(&'w self, id: &'w str) -> &'w str {
        self.levels.get(id).map(String::as_str).unwrap_or(id)
    }

    /// Plain words for a category: this language's entry, else the nearest
    /// ancestor's entry followed by the report's own words, else those.
    pub fn category(&self, key: &str, plain: &str) -> String {
        if self.categories.is_empty() {
            return plain.to_string();
        }
        if let Some(w) = self.categories.get(key) {
            return w.clone();
        }
        let mut k = key;
        while let Some((parent, _)) = k.rsplit_once('.') {
            if let Some(w) = self.categories.get(parent) {
                return format!("{w} ({plain})");
            }
            k = parent;
        }
        plain.to_string()
    }
}

/// A group of people and their exposed data, in the notice's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The subject's description, or its id.
    pub who: String,
    /// The subject id.
    pub subject: String,
    /// `1,200,000`, when known.
    pub count: Option<String>,
    /// `eu 400,000`, per region, when the declarations give counts per region.
    pub by_region: Vec<String>,
    /// Plain words for each exposed category of theirs.
    pub items: Vec<String>,
}

/// What one group of people kept out of the incident: the categories of
/// theirs that never reached the vendor, without any category of theirs
/// that did (another field of the same kind), so that no notice says a
/// kind of information was both involved and not involved for the same
/// people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spared {
    /// The subject's description (or id); `None` for fields of no subject.
    pub who: Option<String>,
    /// Plain words for each category.
    pub items: Vec<String>,
}

/// One exposed or spared field, for the internal and regulator notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Plain words.
    pub phrase: String,
    /// Field id.
    pub field: String,
    /// Taxonomy key.
    pub category: String,
    /// Sensitivity, in the notice's language.
    pub sensitivity: &'static str,
    /// Subject id, or `-`.
    pub subject: String,
}

/// A scenario in the notice's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Consequence.
    pub consequence: String,
}

/// A checklist step as the report words it (English).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Stable id.
    pub id: String,
    /// Title.
    pub title: String,
    /// What exactly to do.
    pub text: String,
}

/// Which response actions the report calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Acts {
    /// `remove-integration`.
    pub remove_integration: bool,
    /// `notify-subjects`.
    pub notify_subjects: bool,
    /// `warn-phishing`.
    pub warn_phishing: bool,
    /// `rotate-credentials`.
    pub rotate_credentials: bool,
    /// `review-sub-processors`.
    pub review_sub_processors: bool,
    /// `notify-regulator`.
    pub notify_regulator: bool,
}

/// Everything a notice template reads, already in the notice's language.
#[derive(Debug, Clone)]
pub struct Notice {
    fmt: NoticeFormat,
    /// Language.
    pub lang: Lang,
    /// The system's name.
    pub system: String,
    /// Vendor id.
    pub vendor: String,
    /// Vendor display name.
    pub vendor_name: String,
    /// What kind of service the vendor is, in words.
    pub vendor_kind: String,
    /// True in code mode (the vendor's SDK, not its stored data).
    pub code_mode: bool,
    /// Severity, in the notice's language.
    pub severity: &'static str,
    /// Score.
    pub score: u64,
    /// People affected, grouped (`1,200,000`), when known.
    pub people: Option<String>,
    /// People affected who live where GDPR (or the UK GDPR) applies, when
    /// the declarations give it: a count per region, or a total for a group
    /// that lives only there.
    pub gdpr_people: Option<String>,
    /// Some affected people live where GDPR applies, but the declarations
    /// give only a total that mixes them with others.
    pub gdpr_people_unknown: bool,
    /// Per group of people: what of theirs was exposed.
    pub groups: Vec<Group>,
    /// Plain words of every exposed category, most sensitive first.
    pub exposed: Vec<String>,
    /// Every exposed field.
    pub exposed_items: Vec<Item>,
    /// Plain words of every sensitive category that was not exposed.
    pub not_exposed: Vec<String>,
    /// Per group of people, what of theirs was not involved (see [`Spared`]).
    pub spared: Vec<Spared>,
    /// Every sensitive field that was not exposed.
    pub not_exposed_items: Vec<Item>,
    /// Email, phone, fax or postal address exposed.
    pub contact_exposed: bool,
    /// Email addresses exposed.
    pub email_exposed: bool,
    /// Phone numbers exposed.
    pub phone_exposed: bool,
    /// Names exposed.
    pub name_exposed: bool,
    /// Card, bank or payment data exposed.
    pub financial_exposed: bool,
    /// Any credential exposed.
    pub credentials_exposed: bool,
    /// Passwords exposed.
    pub passwords_exposed: bool,
    /// Keys, tokens or other non-password credentials exposed.
    pub keys_exposed: bool,
    /// Plain words of the exposed credentials.
    pub credentials: Vec<String>,
    /// Attacks the exposure enables.
    pub scenarios: Vec<Scenario>,
    /// The actions the report calls for.
    pub acts: Acts,
    /// The checklist as the report words it (English).
    pub steps: Vec<Step>,
    /// Where the integration is, to remove it.
    pub locations: Vec<String>,
    /// The vendor's known sub-processors.
    pub sub_processors: Vec<String>,
    /// Where the affected people live.
    pub regions: Vec<String>,
    /// The report's notes (English).
    pub notes: Vec<String>,
}

/// Opens a value in the rendered template (private use area).
const OPEN: char = '\u{E000}';
/// Closes a value.
const CLOSE: char = '\u{E001}';

fn within(cat: &str, keys: &[&str]) -> bool {
    keys.iter().any(|k| Taxonomy::is_within(cat, k))
}

fn dedup(it: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    it.filter(|s| seen.insert(s.clone())).collect()
}

const CREDENTIALS: &[&str] = &["user.authorization", "system.authentication"];

/// How many affected people live where GDPR applies (Art. 33(3)(a) asks
/// for the number of data subjects concerned, which for an EU authority
/// means those in the EU/EEA).
struct GdprCount {
    known: Option<u64>,
    unknown: bool,
}

fn gdpr_count(r: &BlastReport) -> GdprCount {
    let regions = crate::catalog::rules::Rules::builtin().regulator_regions();
    let gdpr = |x: &String| regions.contains(x);
    let mut sum: u64 = 0;
    let mut any = false;
    let mut unknown = false;
    for a in &r.affected {
        if !a.regions.iter().any(gdpr) {
            continue;
        }
        any = true;
        let missing = a
            .regions
            .iter()
            .any(|x| gdpr(x) && !a.count_by_region.contains_key(x));
        if !a.count_by_region.is_empty() && !missing {
            sum = sum.saturating_add(
                a.count_by_region
                    .iter()
                    .filter(|(x, _)| gdpr(x))
                    .map(|(_, n)| *n)
                    .sum(),
            );
        } else if a.count_by_region.is_empty() && a.regions.iter().all(gdpr) && a.count.is_some() {
            // Everyone in the group lives there: the total is the number.
            sum = sum.saturating_add(a.count.unwrap_or(0));
        } else {
            unknown = true;
        }
    }
    GdprCount {
        known: (any && !unknown).then_some(sum),
        unknown: any && unknown,
    }
}

/// The scenarios that apply, in the notice's language (the report's own
/// title and description for a scenario the language does not name).
fn scenarios(r: &BlastReport, words: &Words) -> Vec<Scenario> {
    r.scenarios
        .iter()
        .map(|s| {
            let (title, consequence) = match words.scenarios.get(&s.id) {
                Some(w) => (w.title.clone(), w.consequence.clone()),
                None => (s.title.clone(), s.description.clone()),
            };
            Scenario {
                id: s.id.clone(),
                title,
                consequence,
            }
        })
        .collect()
}

/// Which of the report's actions the notice mentions.
fn acts(r: &BlastReport) -> Acts {
    let has = |id: &str| r.actions.iter().any(|a| a.id == id);
    Acts {
        remove_integration: has("remove-integration"),
        notify_subjects: has("notify-subjects"),
        warn_phishing: has("warn-phishing"),
        rotate_credentials: has("rotate-credentials"),
        review_sub_processors: has("review-sub-processors"),
        notify_regulator: has("notify-regulator"),
    }
}

impl Notice {
    /// Gathers a notice's facts from a blast report.
    pub fn new(r: &BlastReport, lang: Lang, fmt: NoticeFormat) -> Notice {
        let words = lang.words();
        let phrase = |cat: &str, plain: &str| words.category(cat, plain);
        let cats: Vec<&str> = r.exposed.iter().map(|e| e.category.as_str()).collect();
        let any = |keys: &[&str]| cats.iter().any(|c| within(c, keys));
        let gdpr = gdpr_count(r);
        let groups = r
            .affected
            .iter()
            .map(|a| Group {
                who: a.description.clone().unwrap_or_else(|| a.subject.clone()),
                subject: a.subject.clone(),
                count: a.count.map(group_digits),
                by_region: a
                    .count_by_region
                    .iter()
                    .map(|(r, n)| format!("{r} {}", group_digits(*n)))
                    .collect(),
                items: dedup(
                    r.exposed
                        .iter()
                        .filter(|e| {
                            e.subject.as_deref().unwrap_or("unassigned") == a.subject.as_str()
                        })
                        .map(|e| phrase(&e.category, &e.plain)),
                ),
            })
            .collect();
        let exposed_items: Vec<Item> = r
            .exposed
            .iter()
            .map(|e| Item {
                phrase: phrase(&e.category, &e.plain),
                field: e.field.clone(),
                category: e.category.clone(),
                sensitivity: words.level(e.sensitivity.as_str()),
                subject: e.subject.clone().unwrap_or_else(|| "-".into()),
            })
            .collect();
        let not_exposed_items: Vec<Item> = r
            .not_exposed
            .iter()
            .map(|e| Item {
                phrase: phrase(&e.category, &e.plain),
                field: e.field.clone(),
                category: e.category.clone(),
                sensitivity: words.level(e.sensitivity.as_str()),
                subject: e.subject.clone().unwrap_or_else(|| "-".into()),
            })
            .collect();
        let exposed_any: std::collections::BTreeSet<String> =
            exposed_items.iter().map(|i| i.phrase.clone()).collect();
        let spared = spared(r, &phrase, &exposed_any);
        // The flat list (the regulator's "did not receive"): what no group
        // had exposed.
        let not_exposed = dedup(
            not_exposed_items
                .iter()
                .map(|i| i.phrase.clone())
                .filter(|p| !exposed_any.contains(p)),
        );
        let creds: Vec<&crate::graph::blast::ExposedField> = r
            .exposed
            .iter()
            .filter(|e| within(&e.category, CREDENTIALS))
            .collect();
        let scenarios = scenarios(r, words);
        let regions = dedup(r.affected.iter().flat_map(|a| a.regions.iter().cloned()));
        Notice {
            fmt,
            lang,
            system: r.system.clone(),
            vendor: r.vendor.clone(),
            vendor_name: r.vendor_name.clone(),
            vendor_kind: words
                .vendor_categories
                .get(r.vendor_category.as_str())
                .cloned()
                .unwrap_or_else(|| r.vendor_category.to_string()),
            code_mode: r.mode == crate::graph::Mode::Code,
            severity: words.level(r.severity.as_str()),
            score: r.score,
            people: r.people.map(group_digits),
            gdpr_people: gdpr.known.map(group_digits),
            gdpr_people_unknown: gdpr.unknown,
            groups,
            exposed: dedup(exposed_items.iter().map(|i| i.phrase.clone())),
            exposed_items,
            not_exposed,
            spared,
            not_exposed_items,
            contact_exposed: any(&[
                "user.contact.email",
                "user.contact.phone_number",
                "user.contact.fax_number",
                "user.contact.address",
            ]),
            email_exposed: any(&["user.contact.email"]),
            phone_exposed: any(&["user.contact.phone_number"]),
            name_exposed: any(&["user.name"]),
            financial_exposed: any(&["user.financial", "user.payment"]),
            credentials_exposed: r.credentials_exposed,
            passwords_exposed: creds
                .iter()
                .any(|e| Taxonomy::is_within(&e.category, "user.authorization.password")),
            keys_exposed: creds
                .iter()
                .any(|e| !Taxonomy::is_within(&e.category, "user.authorization.password")),
            credentials: dedup(creds.iter().map(|e| phrase(&e.category, &e.plain))),
            scenarios,
            acts: acts(r),
            steps: r
                .actions
                .iter()
                .map(|a| Step {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    text: a.text.clone(),
                })
                .collect(),
            locations: r
                .actions
                .iter()
                .filter(|a| a.id == "remove-integration")
                .flat_map(|a| a.locations.iter().cloned())
                .collect(),
            sub_processors: r.sub_processors.clone(),
            regions,
            notes: r.notes.clone(),
        }
    }

    /// A value from the report, escaped for the output format and wrapped
    /// so that [`convert`] leaves it alone. Line breaks become spaces.
    pub fn e(&self, s: &str) -> String {
        let kept: String = s.chars().filter(|c| *c != OPEN && *c != CLOSE).collect();
        let clean = super::escape::one_line_dropping_controls(&kept);
        let esc = match self.fmt {
            NoticeFormat::Text => clean,
            NoticeFormat::Markdown => super::escape::markdown_text(&clean),
            NoticeFormat::Html => super::html::escape(&clean),
        };
        format!("{OPEN}{esc}{CLOSE}")
    }

    /// The vendor's name, escaped.
    pub fn v(&self) -> String {
        self.e(&self.vendor_name)
    }

    /// The system's name, escaped.
    pub fn sys(&self) -> String {
        self.e(&self.system)
    }

    /// Values joined with `sep` (each escaped).
    pub fn join(&self, items: &[String], sep: &str) -> String {
        items
            .iter()
            .map(|i| self.e(i))
            .collect::<Vec<_>>()
            .join(sep)
    }
}

macro_rules! notice_templates {
    ($($name:ident => $path:literal),* $(,)?) => {
        $(
            #[derive(Template)]
            #[template(path = $path, escape = "none")]
            struct $name<'a> {
                n: &'a Notice,
            }
        )*
    };
}

notice_templates! {
    UsersEn => "notice/users.en.md",
    UsersAr => "notice/users.ar.md",
    InternalEn => "notice/internal.en.md",
    InternalAr => "notice/internal.ar.md",
    RegulatorEn => "notice/regulator.en.md",
    RegulatorAr => "notice/regulator.ar.md",
}

#[derive(Template)]
#[template(path = "notice/page.html")]
struct Page<'a> {
    lang: &'a str,
    dir: &'a str,
    title: &'a str,
    body: &'a str,
}

/// Drafts a notice from a blast report.
pub fn draft(r: &BlastReport, kind: NoticeKind, lang: Lang, format: NoticeFormat) -> String {
    let r = &super::words::worded(r);
    let n = Notice::new(r, lang, format);
    let n = &n;
    let rendered = match (kind, lang) {
        (NoticeKind::Users, Lang::En) => UsersEn { n }.render(),
        (NoticeKind::Users, Lang::Ar) => UsersAr { n }.render(),
        (NoticeKind::Internal, Lang::En) => InternalEn { n }.render(),
        (NoticeKind::Internal, Lang::Ar) => InternalAr { n }.render(),
        (NoticeKind::Regulator, Lang::En) => RegulatorEn { n }.render(),
        (NoticeKind::Regulator, Lang::Ar) => RegulatorAr { n }.render(),
    };
    let source = match rendered {
        Ok(s) => s,
        Err(e) => return format!("template error: {e}\n"),
    };
    convert(&tidy(&source), format, lang)
}

/// Lays out the rendered template: trailing spaces removed, runs of blank
/// lines collapsed to one, and no blank line between two items of the same
/// list (template tags on lines of their own leave blank lines behind, so
/// templates need no whitespace control), one final newline.
fn tidy(s: &str) -> String {
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    let kind = |l: &str| match block(l) {
        Block::Bullet(_) => 1,
        Block::Numbered(_) => 2,
        _ => 0,
    };
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<&str> = None;
    let mut pending_blank = false;
    let mut number = 0;
    for line in lines {
        if line.is_empty() {
            pending_blank = prev.is_some();
            continue;
        }
        let same_list = prev.is_some_and(|p| kind(p) != 0 && kind(p) == kind(line));
        if pending_blank && !same_list {
            out.push('\n');
        }
        pending_blank = false;
        // Numbered items are written `1.` in templates and numbered here.
        match block(line) {
            Block::Numbered(rest) => {
                number = if same_list { number + 1 } else { 1 };
                out.push_str(&format!("{number}. {rest}"));
            }
            _ => out.push_str(line),
        }
        out.push('\n');
        prev = Some(line);
    }
    out
}

/// A line of the Markdown subset.
enum Block<'a> {
    Heading(usize, &'a str),
    Bullet(&'a str),
    Numbered(&'a str),
    Note(&'a str),
    Text(&'a str),
    Blank,
}

fn block(line: &str) -> Block<'_> {
    if line.is_empty() {
        return Block::Blank;
    }
    for (level, prefix) in [(3, "### "), (2, "## "), (1, "# ")] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return Block::Heading(level, rest);
        }
    }
    if let Some(rest) = line.strip_prefix("- ") {
        return Block::Bullet(rest);
    }
    if let Some(rest) = line.strip_prefix("> ") {
        return Block::Note(rest);
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return Block::Numbered(rest);
        }
    }
    Block::Text(line)
}

fn strip_marks(s: &str) -> String {
    s.chars().filter(|c| *c != OPEN && *c != CLOSE).collect()
}

/// Inline markup outside values: `**bold**` and `[PLACEHOLDER]`. Template
/// text is HTML-escaped here (values already are).
fn inline_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 16);
    let mut in_value = false;
    let mut bold = false;
    let mut mark = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            OPEN => in_value = true,
            CLOSE => in_value = false,
            _ if in_value => o.push(c),
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                o.push_str(if bold { "</strong>" } else { "<strong>" });
                bold = !bold;
            }
            '[' if !mark => {
                mark = true;
                o.push_str("<mark class=\"placeholder\">[");
            }
            ']' if mark => {
                mark = false;
                o.push_str("]</mark>");
            }
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            c => o.push(c),
        }
    }
    if mark {
        o.push_str("</mark>");
    }
    if bold {
        o.push_str("</strong>");
    }
    o
}

/// Template text without `**`, values unwrapped.
fn inline_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut in_value = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            OPEN => in_value = true,
            CLOSE => in_value = false,
            '*' if !in_value && chars.peek() == Some(&'*') => {
                chars.next();
            }
            c => o.push(c),
        }
    }
    o
}

/// The rendered Markdown subset in the output format.
pub fn convert(src: &str, format: NoticeFormat, lang: Lang) -> String {
    match format {
        NoticeFormat::Markdown => strip_marks(src),
        NoticeFormat::Text => {
            let mut o = String::with_capacity(src.len());
            for line in src.lines() {
                match block(line) {
                    Block::Heading(level, t) => {
                        let t = inline_text(t);
                        let rule = if level == 1 { '=' } else { '-' };
                        o.push_str(&t);
                        o.push('\n');
                        o.extend(std::iter::repeat_n(rule, t.chars().count()));
                    }
                    Block::Bullet(t) => {
                        o.push_str("  - ");
                        o.push_str(&inline_text(t));
                    }
                    Block::Numbered(_) | Block::Note(_) | Block::Text(_) => {
                        o.push_str(&inline_text(line));
                    }
                    Block::Blank => {}
                }
                o.push('\n');
            }
            o
        }
        NoticeFormat::Html => {
            let mut body = String::with_capacity(src.len() * 2);
            let mut title = String::new();
            let mut open: Option<&str> = None;
            let mut para: Vec<String> = Vec::new();
            let close_list = |body: &mut String, open: &mut Option<&str>| {
                if let Some(tag) = open.take() {
                    body.push_str(&format!("</{tag}>\n"));
                }
            };
            let flush = |body: &mut String, para: &mut Vec<String>| {
                if !para.is_empty() {
                    body.push_str(&format!("<p>{}</p>\n", para.join("<br>\n")));
                    para.clear();
                }
            };
            for line in src.lines() {
                let b = block(line);
                let list = match b {
                    Block::Bullet(_) => Some("ul"),
                    Block::Numbered(_) => Some("ol"),
                    _ => None,
                };
                if list != open {
                    close_list(&mut body, &mut open);
                }
                if !matches!(b, Block::Text(_)) {
                    flush(&mut body, &mut para);
                }
                match b {
                    Block::Heading(level, t) => {
                        let h = inline_html(t);
                        if level == 1 && title.is_empty() {
                            title = strip_marks(&inline_text(t));
                        }
                        body.push_str(&format!("<h{level}>{h}</h{level}>\n"));
                    }
                    Block::Bullet(t) | Block::Numbered(t) => {
                        if open.is_none() {
                            let tag = list.unwrap_or("ul");
                            body.push_str(&format!("<{tag}>\n"));
                            open = Some(tag);
                        }
                        body.push_str(&format!("<li>{}</li>\n", inline_html(t)));
                    }
                    Block::Note(t) => {
                        body.push_str(&format!("<p class=\"note\">{}</p>\n", inline_html(t)));
                    }
                    Block::Text(t) => para.push(inline_html(t)),
                    Block::Blank => {}
                }
            }
            close_list(&mut body, &mut open);
            flush(&mut body, &mut para);
            Page {
                lang: lang.code(),
                dir: lang.dir(),
                title: &title,
                body: &body,
            }
            .render()
            .unwrap_or_else(|e| format!("template error: {e}\n"))
        }
    }
}

/// What each group of people kept out of the incident (see [`Spared`]),
/// groups in the order of their subject ids, fields of no subject last.
fn spared(
    r: &BlastReport,
    phrase: &impl Fn(&str, &str) -> String,
    exposed_any: &std::collections::BTreeSet<String>,
) -> Vec<Spared> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut exposed: BTreeMap<Option<&str>, BTreeSet<String>> = BTreeMap::new();
    for e in &r.exposed {
        exposed
            .entry(e.subject.as_deref())
            .or_default()
            .insert(phrase(&e.category, &e.plain));
    }
    let mut by_subject: BTreeMap<Option<&str>, Vec<String>> = BTreeMap::new();
    for e in &r.not_exposed {
        let p = phrase(&e.category, &e.plain);
        // Fields of no subject could be anyone's: kept only when no one's
        // field of the kind was involved.
        let clash = match e.subject.as_deref() {
            Some(s) => exposed.get(&Some(s)).is_some_and(|x| x.contains(&p)),
            None => exposed_any.contains(&p),
        };
        if !clash {
            by_subject.entry(e.subject.as_deref()).or_default().push(p);
        }
    }
    let mut out: Vec<Spared> = by_subject
        .into_iter()
        .map(|(subject, items)| Spared {
            who: subject.map(|s| {
                r.subject_descriptions
                    .get(s)
                    .cloned()
                    .unwrap_or_else(|| s.to_string())
            }),
            items: dedup(items.into_iter()),
        })
        .filter(|s| !s.items.is_empty())
        .collect();
    // `None` sorts first in a BTreeMap: fields of no subject go last.
    out.sort_by_key(|s| s.who.is_none());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::rules::Rules;

    #[test]
    fn word_tables_load_and_cover_every_key_category_and_scenario() {
        let tax = Taxonomy::builtin();
        let rules = Rules::builtin();
        for lang in [Lang::En, Lang::Ar] {
            let w = lang.words();
            for c in crate::model::VendorCategory::ALL {
                assert!(
                    w.vendor_categories.contains_key(c.as_str()),
                    "{}: no words for vendor category {c}",
                    lang.code()
                );
            }
        }
        let ar = Lang::Ar.words();
        for level in ["critical", "high", "medium", "low", "none"] {
            assert!(ar.levels.contains_key(level), "no Arabic word for {level}");
            assert_eq!(Lang::En.words().level(level), level);
        }
        let missing: Vec<&str> = tax
            .keys()
            .filter(|k| !ar.categories.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "no Arabic words for {missing:?}");
        let unknown: Vec<&String> = ar.categories.keys().filter(|k| !tax.contains(k)).collect();
        assert!(
            unknown.is_empty(),
            "Arabic words for unknown keys {unknown:?}"
        );
        for s in &rules.scenarios {
            assert!(
                ar.scenarios.contains_key(&s.id),
                "no Arabic words for {}",
                s.id
            );
        }
        // Every key the rules name has words too (they are taxonomy keys).
        for s in &rules.scenarios {
            for k in s.requires.iter().flatten() {
                assert!(ar.categories.contains_key(k), "rules use {k}");
            }
        }
    }

    #[test]
    fn a_key_added_by_a_map_borrows_its_ancestors_words() {
        let ar = Lang::Ar.words();
        assert_eq!(
            ar.category("user.content.prompts", "AI prompts"),
            "محتوى المستخدم (AI prompts)"
        );
        assert_eq!(
            Lang::En
                .words()
                .category("user.contact.email", "email addresses"),
            "email addresses"
        );
    }

    #[test]
    fn markup_inside_values_stays_text_in_html() {
        let src = format!(
            "# Notice {OPEN}&lt;b&gt;# x{CLOSE}\n\n- a {OPEN}**[not a placeholder]**{CLOSE} and [A PLACEHOLDER]\n"
        );
        let html = convert(&src, NoticeFormat::Html, Lang::En);
        assert!(html.contains("<h1>Notice &lt;b&gt;# x</h1>"), "{html}");
        assert!(html.contains("<li>a **[not a placeholder]** and <mark class=\"placeholder\">[A PLACEHOLDER]</mark></li>"), "{html}");
        assert!(!html.contains(OPEN) && !html.contains(CLOSE));
        let text = convert(&src, NoticeFormat::Text, Lang::En);
        assert!(
            text.contains("  - a **[not a placeholder]** and [A PLACEHOLDER]"),
            "{text}"
        );
    }
}
