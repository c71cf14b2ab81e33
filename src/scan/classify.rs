//! The field classifier: maps an identifier or property key seen at a call
//! site that sends data to a vendor (`user.email`, `currentUser.firstName`,
//! `$email`, `email_address`, `org_id`, `props.plan`) to a taxonomy category.
//!
//! The knowledge lives in `classify.yaml`, compiled into the binary and parsed
//! once. The code only splits identifiers into words and applies that data:
//!
//! - words come from camelCase, PascalCase, snake_case, kebab-case,
//!   SCREAMING_CASE, spaces and `:`; run-together words are split with the
//!   data file's vocabulary (`firstname` -> `first name`);
//! - the head of an English compound is its last word, so phrases match at
//!   the end (`billing_city` is a city, `email_template` a template);
//! - a leading verb or flag word (`is_email_verified`, `sendEmail`,
//!   `num_orders`) makes the identifier a flag or a function, never data;
//! - generic heads (`name`, `id`, `image`, `url`, `title`, ...) are resolved
//!   by their qualifiers and then by the receiver of the member expression:
//!   `event.name` is not a person's name, `customer.name` is.
//!
//! Invariants: classification never panics on any input, allocates in
//! proportion to the input, and is deterministic. Input longer than
//! [`MAX_INPUT`] bytes is not classified.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// Inputs longer than this (in bytes) are not classified: no identifier is
/// that long, and it bounds the work on hostile input.
pub const MAX_INPUT: usize = 512;

/// What an identifier holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Classification {
    /// Taxonomy key (`user.contact.email`).
    pub category: String,
    /// The part of the input that decided it (`email`, `$first_name`, `user_email`).
    pub token: String,
}

/// Classifies one identifier or key. Dots separate receivers from the field
/// (`traits.email`, `event.name`), so a dotted key is read like a member
/// expression.
pub fn classify(name: &str) -> Option<Classification> {
    let key = unquote(name.trim());
    if key.is_empty() || key.len() > MAX_INPUT {
        return None;
    }
    let mut segments: Vec<Segment> = key
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| Segment {
            text: s.to_string(),
            called: false,
        })
        .collect();
    let field = segments.pop()?;
    let receivers: Vec<String> = segments.into_iter().rev().map(|s| s.text).collect();
    rules().classify_segment(&field, &receivers)
}

/// The name a keyed value is read by: the key, unless the value is a name
/// that ends with the key's words and says more (`name: serverName` is a
/// server's name, `email: billingEmail` a billing address): then the value.
fn qualified<'a>(rules: &Rules, key: &'a str, chain: &'a [Segment]) -> &'a str {
    let Some(value) = chain.last().filter(|s| !s.called) else {
        return key;
    };
    let (k, v) = (rules.words(key), rules.words(&value.text));
    if v.len() > k.len() && !k.is_empty() && v.ends_with(&k) {
        &value.text
    } else {
        key
    }
}

/// Last words that make a value a count or a size of something:
/// `tokens: tokenCount`, `emails: emails.length`, `message_total`.
pub(crate) const COUNTS: &[&str] = &["count", "counts", "total", "length", "len"];

/// True when the value is named as a count of something (`tokenCount`,
/// `email_count`, `emails.length`): a number, whatever the key says is
/// counted.
fn is_count(rules: &Rules, chain: &[Segment]) -> bool {
    let Some(last) = chain.last().filter(|s| !s.called) else {
        return false;
    };
    let words = rules.words(&last.text);
    match words.as_slice() {
        [] => false,
        [one] => chain.len() >= 2 && COUNTS.contains(&one.as_str()),
        [.., end] => COUNTS.contains(&end.as_str()),
    }
}

/// Classifies an argument: an object key (when there is one) and its value
/// expression. The key wins when it says what the data is (unless it is a
/// bare identifier's key and the value says more: `uid: vat_id`); otherwise the
/// value expression is read as a member chain (`user.email`,
/// `this.currentUser.profile.email`, `u.getEmail()`, `user["email"]`,
/// `String(user.id)`) whose last meaningful segment is classified, with the
/// receivers as hints.
pub fn classify_arg(key: Option<&str>, expr: &str) -> Option<Classification> {
    let chain = if expr.len() <= MAX_INPUT {
        parse_chain(expr)
    } else {
        Vec::new()
    };
    let rules = rules();
    if is_count(rules, &chain) {
        return None;
    }
    if let Some(key) = key {
        let key = unquote(key.trim());
        let key = key.strip_prefix(':').unwrap_or(key);
        if !key.is_empty() && key.len() <= MAX_INPUT {
            let mut parts: Vec<&str> = key.split('.').filter(|s| !s.is_empty()).collect();
            if let Some(last) = parts.pop() {
                // The key's own dotted prefix, then the value's receivers
                // (`name: workspace.name` -> `workspace`).
                let mut receivers: Vec<String> =
                    parts.iter().rev().map(|s| (*s).to_string()).collect();
                if let Some((_, value_receivers)) = chain.split_last() {
                    receivers.extend(value_receivers.iter().rev().map(|s| s.text.clone()));
                }
                let field = Segment {
                    text: qualified(rules, last, &chain).to_string(),
                    called: false,
                };
                if let Some(c) = rules.classify_segment(&field, &receivers) {
                    // `"Time zone": check.tz`, `city: venue.city`: where a
                    // thing is, not where a person is.
                    let owner = chain.len().checked_sub(2).map(|i| &chain[i]);
                    if c.category.starts_with("user.location")
                        && owner.is_some_and(|o| {
                            !o.called && rules.receiver_class(&o.text) == Some(Class::Other)
                        })
                    {
                        return None;
                    }
                    // A bare identifier's key (`uid: vat_id`) says less
                    // than a value named for what it identifies: an
                    // organisation's number.
                    if matches!(
                        last.to_ascii_lowercase().as_str(),
                        "id" | "uid" | "uuid" | "identifier" | "number" | "ref"
                    ) && let Some(v) = classify_arg(None, expr)
                        && v.category.starts_with(&format!("{}.", c.category))
                    {
                        return Some(v);
                    }
                    return Some(c);
                }
                // A flag or a count (`hasOrganization: Boolean(orgId)`,
                // `num_orders: orders.length`): the key says what is sent,
                // whatever the value is computed from. So does a key that
                // names a thing's field (`addon_name: add_on.name`).
                let words = rules.words(last);
                if words.first().is_some_and(|w| rules.leading.contains(w))
                    || (words.len() >= 2
                        && rules.class_of(&words[words.len() - 2]) == Some(Class::Other))
                {
                    return None;
                }
            }
        }
    }
    if is_template(expr) {
        // One value in a short wrapper with no space is that value,
        // formatted: `f"whatsapp:{user.phone}"`, `` `mailto:${email}` ``,
        // `"user_#{id}"`. A sentence built around values (`f"{check.name}
        // is down"`) is a message, classified as one where it is sent.
        let found = interpolations(expr);
        let [(_, name)] = found.as_slice() else {
            return None;
        };
        let literal = expr.trim().len().saturating_sub(name.len());
        // A constant (`env.NEXT_PUBLIC_BASE_URL`) is the application's.
        let last = name.rsplit('.').next().unwrap_or(name);
        let constant = !last.chars().any(|c| c.is_ascii_lowercase());
        if literal > 16 || expr.contains(' ') || constant {
            return None;
        }
        return classify_arg(None, name);
    }
    let (field, receivers) = chain.split_last()?;
    let receivers: Vec<String> = receivers.iter().rev().map(|s| s.text.clone()).collect();
    rules.classify_segment(field, &receivers)
}

/// A string literal that interpolates values: a JS template, a Python
/// f-string, a Ruby or PHP double-quoted string.
fn is_template(expr: &str) -> bool {
    let e = expr.trim();
    let python = e.len() > 1 && e.starts_with(['f', 'F']) && e[1..].starts_with(['"', '\'']);
    python
        || (e.starts_with('`') && e.contains("${"))
        || (e.starts_with('"') && (e.contains("#{") || e.contains('$')))
}

/// Each name a string interpolates, with the query key it is the value of:
/// `"#{BASE_URL}/links"` (Ruby), `` `${API}/v1?email=${e}` `` (JS),
/// `f"{settings.URL}/x"` (Python), `"$base/x"` and `"${base}/x"` (Kotlin,
/// PHP). `?email=${e}` gives (`email`, `e`), `/users/#{id}` gives (none,
/// `id`), `#{::Foo::BAR}` reads as `BAR`, as [`names_in`] splits. A URL
/// built on a constant, or carrying data in its query, is written this way;
/// [`names_in`] skips strings.
pub(crate) fn interpolations(expr: &str) -> Vec<(Option<&str>, &str)> {
    let mut out = Vec::new();
    let python = expr.trim_start().starts_with(['f', 'F']);
    let b = expr.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let start = match b[i] {
            b'#' | b'$' if b.get(i + 1) == Some(&b'{') => i + 2,
            b'{' if python => i + 1,
            b'$' if b
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') =>
            {
                i + 1
            }
            _ => {
                i += 1;
                continue;
            }
        };
        let mut j = start;
        while j < b.len()
            && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b'.' | b':' | b'?'))
        {
            j += 1;
        }
        let name = expr[start..j].trim_matches(['.', ':', '?']);
        let name = name.rsplit("::").next().unwrap_or(name);
        let key = expr[..i].strip_suffix('=').map(|k| {
            let from = k.rfind(['?', '&']).map_or(k.len(), |p| p + 1);
            &k[from..]
        });
        let key = key
            .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            out.push((key, name));
        }
        i = j.max(i + 1);
    }
    out
}

/// One step of a member chain.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Segment {
    text: String,
    /// Called with no arguments (`getEmail()`).
    called: bool,
}

// ---------------------------------------------------------------------------
// The data file

const RULES_YAML: &str = include_str!("classify.yaml");
static RULES: OnceLock<Rules> = OnceLock::new();

fn rules() -> &'static Rules {
    RULES.get_or_init(|| {
        Rules::parse(RULES_YAML)
            .expect("the built-in classifier rules are valid (checked by a test)")
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    leading: Vec<String>,
    getter: Vec<String>,
    prepositions: Vec<String>,
    negating_prepositions: Vec<String>,
    trailing_noise: Vec<String>,
    size_words: Vec<String>,
    suffixes: Vec<String>,
    reserved: BTreeMap<String, Option<String>>,
    classes: BTreeMap<String, Vec<String>>,
    fields: Vec<RawField>,
    generic: Vec<RawGeneric>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    category: String,
    phrases: Vec<String>,
    #[serde(default)]
    suffixes: Vec<String>,
    #[serde(default)]
    unless: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGeneric {
    phrases: Vec<String>,
    #[serde(default)]
    default: Option<String>,
    #[serde(default)]
    neutral_default: Option<String>,
    unknown_qualifier: UnknownQualifier,
    #[serde(default)]
    suffixes: Vec<String>,
    #[serde(default)]
    when: BTreeMap<String, Option<String>>,
}

/// What a generic head does when its qualifiers are words of no class
/// (`microscope_name`, `telegram_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
enum UnknownQualifier {
    /// Not user data (`microscope_name`).
    None,
    /// Let the receiver decide (`identity.telegramId`).
    Receiver,
}

/// Word classes, for qualifiers and receivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Class {
    Person,
    Organization,
    Device,
    Card,
    Image,
    Referrer,
    Page,
    Link,
    Message,
    Address,
    Search,
    Bank,
    Neutral,
    Other,
}

impl Class {
    fn from_name(name: &str) -> Option<Class> {
        Some(match name {
            "person" => Class::Person,
            "organization" => Class::Organization,
            "device" => Class::Device,
            "card" => Class::Card,
            "image" => Class::Image,
            "referrer" => Class::Referrer,
            "page" => Class::Page,
            "link" => Class::Link,
            "message" => Class::Message,
            "address" => Class::Address,
            "search" => Class::Search,
            "bank" => Class::Bank,
            "neutral" => Class::Neutral,
            "other" => Class::Other,
            _ => return None,
        })
    }
}

#[derive(Debug)]
enum Kind {
    /// The phrase alone decides.
    Fixed {
        category: String,
        /// Nearest qualifiers that make it not user data (`system_prompt`).
        unless: HashSet<String>,
    },
    /// Qualifiers and receivers decide.
    Generic {
        when: HashMap<Class, Option<String>>,
        default: Option<String>,
        neutral_default: Option<String>,
        unknown_qualifier: UnknownQualifier,
    },
}

#[derive(Debug)]
struct Entry {
    kind: Kind,
    /// Trailing words this entry also accepts (`country_id`, `language_code`).
    suffixes: HashSet<String>,
}

/// The compiled rules.
#[derive(Debug)]
struct Rules {
    leading: HashSet<String>,
    getter: HashSet<String>,
    prepositions: HashSet<String>,
    negating: HashSet<String>,
    trailing_noise: HashSet<String>,
    size_words: HashSet<String>,
    suffixes: HashSet<String>,
    reserved: HashMap<String, Option<String>>,
    classes: HashMap<String, Class>,
    phrases: HashMap<Vec<String>, usize>,
    entries: Vec<Entry>,
    max_phrase: usize,
    vocab: HashSet<String>,
}

/// A problem in the rules file (found by the tests, never at run time).
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The YAML does not parse or does not have the expected shape.
    #[error("src/scan/classify.yaml: {0}; fix the file's syntax or shape")]
    Yaml(#[from] serde_yaml::Error),
    /// Something in the file is inconsistent.
    #[error("src/scan/classify.yaml: {0}")]
    Invalid(String),
}

fn words_of_phrase(phrase: &str) -> Vec<String> {
    phrase.split_whitespace().map(str::to_lowercase).collect()
}

fn set(list: &[String]) -> HashSet<String> {
    list.iter().map(|s| s.to_lowercase()).collect()
}

impl Rules {
    fn parse(yaml: &str) -> Result<Rules, RulesError> {
        let raw: RawRules = serde_yaml::from_str(yaml)?;
        let mut problems = Vec::new();

        let mut classes = HashMap::new();
        for (name, words) in &raw.classes {
            let Some(class) = Class::from_name(name) else {
                problems.push(format!("unknown class `{name}`"));
                continue;
            };
            for w in words {
                if w.split_whitespace().count() != 1 {
                    problems.push(format!("class `{name}`: `{w}` is not one word"));
                }
                if let Some(prev) = classes.insert(w.to_lowercase(), class) {
                    if prev != class {
                        problems.push(format!("`{w}` is in two classes ({prev:?}, {class:?})"));
                    }
                }
            }
        }

        let mut entries = Vec::new();
        let mut phrases = HashMap::new();
        let mut add_phrases = |list: &[String], index: usize, problems: &mut Vec<String>| {
            for p in list {
                let words = words_of_phrase(p);
                if words.is_empty() {
                    problems.push("an empty phrase".to_string());
                    continue;
                }
                if phrases.insert(words, index).is_some() {
                    problems.push(format!("phrase `{p}` is defined twice"));
                }
            }
        };
        for f in &raw.fields {
            let index = entries.len();
            entries.push(Entry {
                kind: Kind::Fixed {
                    category: f.category.clone(),
                    unless: set(&f.unless),
                },
                suffixes: set(&f.suffixes),
            });
            add_phrases(&f.phrases, index, &mut problems);
        }
        for g in &raw.generic {
            let mut when = HashMap::new();
            for (name, category) in &g.when {
                match Class::from_name(name) {
                    Some(c) => {
                        when.insert(c, category.clone());
                    }
                    None => {
                        problems.push(format!("generic `{:?}`: unknown class `{name}`", g.phrases))
                    }
                }
            }
            let index = entries.len();
            entries.push(Entry {
                kind: Kind::Generic {
                    when,
                    default: g.default.clone(),
                    neutral_default: g.neutral_default.clone(),
                    unknown_qualifier: g.unknown_qualifier,
                },
                suffixes: set(&g.suffixes),
            });
            add_phrases(&g.phrases, index, &mut problems);
        }
        if !problems.is_empty() {
            return Err(RulesError::Invalid(problems.join("; ")));
        }

        let max_phrase = phrases.keys().map(Vec::len).max().unwrap_or(1);
        let leading = set(&raw.leading);
        let getter = set(&raw.getter);
        let prepositions = set(&raw.prepositions);
        let negating = set(&raw.negating_prepositions);
        let trailing_noise = set(&raw.trailing_noise);
        let size_words = set(&raw.size_words);
        let suffixes = set(&raw.suffixes);

        let mut vocab: HashSet<String> = HashSet::new();
        for words in phrases.keys() {
            vocab.extend(words.iter().cloned());
        }
        vocab.extend(classes.keys().cloned());
        for s in [
            &leading,
            &getter,
            &prepositions,
            &trailing_noise,
            &size_words,
            &suffixes,
        ] {
            vocab.extend(s.iter().cloned());
        }
        vocab.retain(|w| w.chars().all(|c| c.is_ascii_lowercase()));

        Ok(Rules {
            leading,
            getter,
            prepositions,
            negating,
            trailing_noise,
            size_words,
            suffixes,
            reserved: raw
                .reserved
                .into_iter()
                .map(|(k, v)| (k.to_lowercase(), v))
                .collect(),
            classes,
            phrases,
            entries,
            max_phrase,
            vocab,
        })
    }

    /// Every category the rules can produce.
    #[cfg(test)]
    fn categories(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for e in &self.entries {
            match &e.kind {
                Kind::Fixed { category, .. } => out.push(category),
                Kind::Generic {
                    when,
                    default,
                    neutral_default,
                    ..
                } => {
                    out.extend(when.values().flatten().map(String::as_str));
                    out.extend(default.as_deref());
                    out.extend(neutral_default.as_deref());
                }
            }
        }
        out.extend(self.reserved.values().flatten().map(String::as_str));
        out.sort_unstable();
        out.dedup();
        out
    }

    fn class_of(&self, word: &str) -> Option<Class> {
        self.classes.get(word).copied()
    }

    /// The class of a receiver segment (`current_user` -> person): its
    /// last word that has one, neutral when it only has neutral words.
    fn receiver_class(&self, segment: &str) -> Option<Class> {
        let words = self.words(segment);
        let mut neutral = false;
        for w in words.iter().rev() {
            match self.class_of(w) {
                Some(Class::Neutral) => neutral = true,
                Some(c) => return Some(c),
                None => {}
            }
        }
        neutral.then_some(Class::Neutral)
    }

    /// Splits an identifier into lowercase words.
    fn words(&self, ident: &str) -> Vec<String> {
        let mut out = Vec::new();
        for raw in split_case(ident) {
            self.split_compound(&raw, &mut out);
        }
        out
    }

    /// Splits a run-together lowercase word (`firstname`, `avatarfull`)
    /// into vocabulary words when it can be covered entirely; otherwise
    /// keeps it whole.
    fn split_compound(&self, word: &str, out: &mut Vec<String>) {
        let n = word.len();
        if n < 5 || self.vocab.contains(word) || !word.bytes().all(|b| b.is_ascii_lowercase()) {
            out.push(word.to_string());
            return;
        }
        // best[i]: fewest pieces covering word[..i], with the last cut.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for end in 2..=n {
            for start in 0..end.saturating_sub(1) {
                let Some((count, _)) = best[start] else {
                    continue;
                };
                if self.vocab.contains(&word[start..end]) {
                    let candidate = (count + 1, start);
                    if best[end].is_none_or(|(c, _)| candidate.0 < c) {
                        best[end] = Some(candidate);
                    }
                }
            }
        }
        match best[n] {
            Some((count, _)) if count > 1 => {
                let mut cuts = Vec::new();
                let mut end = n;
                while end > 0 {
                    let Some((_, start)) = best[end] else { break };
                    cuts.push(&word[start..end]);
                    end = start;
                }
                out.extend(cuts.into_iter().rev().map(str::to_string));
            }
            _ => out.push(word.to_string()),
        }
    }

    fn classify_segment(&self, field: &Segment, receivers: &[String]) -> Option<Classification> {
        let text = field.text.trim();
        let lowered = text.to_lowercase();
        if let Some(reserved) = self.reserved.get(&lowered) {
            return reserved.as_ref().map(|category| Classification {
                category: category.clone(),
                token: text.to_string(),
            });
        }
        let mut words = self.words(text);
        // A segment of size words only (`avatar.full`) defers to the one before.
        if !words.is_empty() && words.iter().all(|w| self.is_droppable(w)) {
            let (next, rest) = receivers.split_first()?;
            let field = Segment {
                text: next.clone(),
                called: false,
            };
            return self.classify_segment(&field, rest);
        }
        if let Some(first) = words.first() {
            if self.getter.contains(first) {
                if !field.called || words.len() == 1 {
                    return None;
                }
                words.remove(0);
            }
        }
        let category = self.classify_words(&words, receivers)?;
        Some(Classification {
            category,
            token: text.to_string(),
        })
    }

    fn is_droppable(&self, w: &str) -> bool {
        self.size_words.contains(w) || self.trailing_noise.contains(w) || is_number(w)
    }

    fn classify_words(&self, words: &[String], receivers: &[String]) -> Option<String> {
        if words.is_empty() || self.leading.contains(&words[0]) {
            return None;
        }
        // A phrase that spans the last preposition (`date_of_birth`) is
        // read whole; otherwise the preposition splits the compound.
        let last_prep = words
            .iter()
            .enumerate()
            .skip(1)
            .rev()
            .find(|(_, w)| self.prepositions.contains(*w))
            .map(|(i, _)| i);
        if let Some(p) = last_prep {
            let spanning = self
                .match_tail(words)
                .filter(|(start, _)| *start < p)
                .is_some();
            if !spanning {
                let first = words
                    .iter()
                    .enumerate()
                    .skip(1)
                    .find(|(_, w)| self.prepositions.contains(*w))
                    .map(|(i, _)| i)
                    .unwrap_or(p);
                if self.negating.contains(&words[first]) {
                    return None;
                }
                let (head, rest) = words.split_at(first);
                let after = &rest[1..];
                // `name_of_event`: what follows qualifies the head like a receiver.
                let mut hints: Vec<String> = Vec::new();
                if words[first] == "of" {
                    hints.push(after.join("_"));
                }
                hints.extend(receivers.iter().cloned());
                if let Some(c) = self.resolve(head, &hints) {
                    return Some(c);
                }
                if words[first] == "by" && !after.is_empty() {
                    return self.classify_words(after, receivers);
                }
                return None;
            }
        }
        self.resolve(words, receivers)
    }

    /// Longest phrase at the end of `words`: (start index, entry).
    fn match_tail(&self, words: &[String]) -> Option<(usize, &Entry)> {
        let n = words.len();
        for k in (1..=self.max_phrase.min(n)).rev() {
            if let Some(&index) = self.phrases.get(&words[n - k..]) {
                return self.entries.get(index).map(|e| (n - k, e));
            }
        }
        None
    }

    /// Matches the words, dropping trailing noise, sizes and digits one
    /// at a time until something matches.
    fn resolve(&self, words: &[String], receivers: &[String]) -> Option<String> {
        let mut end = words.len();
        while end > 0 {
            let w = &words[..end];
            // `country_id`, `language_code`: a suffix the entry accepts.
            if end >= 2 {
                let last = &w[end - 1];
                if self.suffixes.contains(last) {
                    if let Some((start, entry)) = self.match_tail(&w[..end - 1]) {
                        if entry.suffixes.contains(last) {
                            return self.apply(entry, &w[..start], receivers);
                        }
                    }
                }
            }
            if let Some((start, entry)) = self.match_tail(w) {
                return self.apply(entry, &w[..start], receivers);
            }
            if end >= 2 && self.is_droppable(&w[end - 1]) {
                end -= 1;
            } else {
                return None;
            }
        }
        None
    }

    fn apply(&self, entry: &Entry, qualifiers: &[String], receivers: &[String]) -> Option<String> {
        match &entry.kind {
            Kind::Fixed { category, unless } => {
                if qualifiers.last().is_some_and(|q| unless.contains(q)) {
                    return None;
                }
                // `invoice_display_name`, `entity_display_name`: the name a
                // thing is shown by, not a person's.
                if category.starts_with("user.name")
                    && qualifiers
                        .last()
                        .is_some_and(|q| self.class_of(q) == Some(Class::Other))
                {
                    return None;
                }
                Some(category.clone())
            }
            Kind::Generic {
                when,
                default,
                neutral_default,
                unknown_qualifier,
            } => {
                let mut unclassified = false;
                for q in qualifiers.iter().rev() {
                    match self.class_of(q) {
                        Some(Class::Neutral) | None => unclassified = true,
                        Some(c) => return when.get(&c).cloned().flatten(),
                    }
                }
                if unclassified && *unknown_qualifier == UnknownQualifier::None {
                    return None;
                }
                let mut neutral = false;
                for r in receivers {
                    match self.receiver_class(r) {
                        Some(Class::Neutral) => neutral = true,
                        Some(c) => return when.get(&c).cloned().flatten(),
                        None => {}
                    }
                }
                if unclassified {
                    return None;
                }
                if neutral && neutral_default.is_some() {
                    return neutral_default.clone();
                }
                default.clone()
            }
        }
    }
}

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
}

/// Strips one pair of matching quotes (`'Profile URL'`, `"$email"`).
fn unquote(s: &str) -> &str {
    for q in ['"', '\'', '`'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// Splits on case changes, digits and every non-alphanumeric character;
/// lowercases. `profileImageURL2` -> `profile image url 2`.
fn split_case(ident: &str) -> Vec<String> {
    let chars: Vec<char> = ident.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|j| chars.get(j)) {
            let next = chars.get(i + 1).copied();
            let boundary = (c.is_uppercase() && (prev.is_lowercase() || prev.is_numeric()))
                || (c.is_uppercase()
                    && prev.is_uppercase()
                    && next.is_some_and(|n| n.is_lowercase()))
                || (c.is_numeric() && prev.is_alphabetic())
                || (c.is_alphabetic() && prev.is_numeric());
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

// ---------------------------------------------------------------------------
// Member chains

/// Methods that transform a value without changing what it is.
const TRANSFORMS: &[&str] = &[
    "toString",
    "toLowerCase",
    "toUpperCase",
    "toLocaleLowerCase",
    "trim",
    "strip",
    "lower",
    "upper",
    "toJSON",
    "valueOf",
    "toISOString",
    "split",
    "replace",
    "slice",
    "substring",
    "substr",
    "join",
    "encode",
    "decode",
    "to_s",
    "to_str",
    "to_i",
    "downcase",
    "upcase",
    "presence",
    "capitalize",
    "normalize",
    "String",
    "toLocaleString",
];

/// Transforms that Ruby calls without parentheses.
const BARE_TRANSFORMS: &[&str] = &[
    "to_s",
    "to_str",
    "downcase",
    "upcase",
    "strip",
    "presence",
    "capitalize",
    "squish",
];

/// Methods whose first string argument names the field (`u.get("email")`).
const LOOKUPS: &[&str] = &[
    "get",
    "fetch",
    "getAttribute",
    "getItem",
    "getString",
    "optString",
    "getValue",
    "dig",
    "attr",
    "read_attribute",
    "getProperty",
];

/// Reads a member chain from the start of an expression. Anything that is
/// not a chain (a literal, an operator, a template) yields no segments.
fn parse_chain(expr: &str) -> Vec<Segment> {
    let mut s = expr.trim();
    for prefix in ["await ", "...", "&", "*"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
        }
    }
    // Bare wrapper calls (`String(user.id)`, `str(user.id)`) read their
    // argument; a few rounds at most, without recursion.
    let mut segments: Vec<Segment> = Vec::new();
    let mut i;
    let mut rounds = 0;
    loop {
        let b = s.as_bytes();
        let Some((name, end)) = read_ident(b, 0) else {
            return Vec::new();
        };
        if b.get(end) != Some(&b'(') {
            segments.push(Segment {
                text: name.to_string(),
                called: false,
            });
            i = end;
            break;
        }
        let Some(close) = matching(b, end) else {
            return Vec::new();
        };
        let inner = s.get(end + 1..close).unwrap_or("").trim();
        if rounds < 8
            && !inner.is_empty()
            && !inner.contains(',')
            && read_ident(inner.as_bytes(), 0).is_some()
        {
            rounds += 1;
            s = inner;
            continue;
        }
        segments.push(Segment {
            text: name.to_string(),
            called: inner.is_empty(),
        });
        i = close + 1;
        break;
    }
    let b = s.as_bytes();
    loop {
        // `?.`, `.`, `->`, `::`, `&.`
        let rest = &b[i.min(b.len())..];
        let step = if rest.starts_with(b"?.[") {
            i += 2;
            None
        } else if rest.starts_with(b"?.")
            || rest.starts_with(b"->")
            || rest.starts_with(b"::")
            || rest.starts_with(b"&.")
        {
            Some(2)
        } else if rest.starts_with(b".") {
            Some(1)
        } else if rest.starts_with(b"!.") {
            // Kotlin/TypeScript non-null assertion.
            Some(2)
        } else {
            None
        };
        if let Some(n) = step {
            let Some((name, end)) = read_ident(b, i + n) else {
                break;
            };
            segments.push(Segment {
                text: name.to_string(),
                called: false,
            });
            i = end;
            continue;
        }
        match b.get(i) {
            Some(b'[') => {
                let Some(close) = matching(b, i) else { break };
                let inner = s.get(i + 1..close).unwrap_or("").trim();
                let inner = inner.strip_prefix(':').unwrap_or(inner);
                let key = unquote(inner);
                if key != inner && !key.is_empty() {
                    segments.push(Segment {
                        text: key.to_string(),
                        called: false,
                    });
                }
                i = close + 1;
            }
            Some(b'(') => {
                let Some(close) = matching(b, i) else { break };
                let inner = s.get(i + 1..close).unwrap_or("").trim();
                let method = segments
                    .last()
                    .map(|seg| seg.text.clone())
                    .unwrap_or_default();
                if TRANSFORMS.contains(&method.as_str()) {
                    segments.pop();
                } else if LOOKUPS.contains(&method.as_str()) {
                    let first = inner.split(',').next().unwrap_or("").trim();
                    let first = first.strip_prefix(':').unwrap_or(first);
                    let key = unquote(first);
                    segments.pop();
                    if key != first && !key.is_empty() {
                        segments.push(Segment {
                            text: key.to_string(),
                            called: false,
                        });
                    } else if !first.is_empty()
                        && first
                            .bytes()
                            .all(|c| c.is_ascii_alphanumeric() || c == b'_')
                    {
                        // Ruby symbols after `:` were stripped above.
                        segments.push(Segment {
                            text: first.to_string(),
                            called: false,
                        });
                    }
                } else if !inner.is_empty()
                    && segments.len() > 1
                    && method.starts_with(|c: char| c.is_ascii_uppercase())
                {
                    // `CryptoEvent.FailedToDecryptToDevice(reason)`: an
                    // object of a type, built from its arguments; its
                    // type's name says nothing of a person.
                    return Vec::new();
                } else if let Some(last) = segments.last_mut() {
                    last.called = inner.is_empty();
                }
                i = close + 1;
            }
            Some(b'!') => i += 1,
            _ => break,
        }
    }
    // Drop Ruby transforms that ended the chain without parentheses
    // (`user.email.downcase`, `params[:name].presence`).
    while segments.len() > 1
        && segments
            .last()
            .is_some_and(|seg| BARE_TRANSFORMS.contains(&seg.text.as_str()))
    {
        segments.pop();
    }
    segments
}

/// An identifier at `start`: letters, digits, `_`, `$`, `@` (Ruby ivars, PHP vars).
fn read_ident(b: &[u8], start: usize) -> Option<(&str, usize)> {
    let mut end = start;
    while let Some(&c) = b.get(end) {
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'@' || c >= 0x80 {
            end += 1;
        } else {
            break;
        }
    }
    if end == start {
        return None;
    }
    let first = *b.get(start)?;
    if first.is_ascii_digit() {
        return None;
    }
    let text = std::str::from_utf8(b.get(start..end)?).ok()?;
    let text = text.trim_start_matches('@');
    (!text.is_empty()).then_some((text, end))
}

/// The index of the bracket closing the one at `open`, skipping strings.
fn matching(b: &[u8], open: usize) -> Option<usize> {
    let (o, c) = match b.get(open)? {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        _ => return None,
    };
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open;
    while let Some(&ch) = b.get(i) {
        match quote {
            Some(q) => {
                if ch == b'\\' {
                    i += 1;
                } else if ch == q {
                    quote = None;
                }
            }
            None => {
                if ch == b'"' || ch == b'\'' || ch == b'`' {
                    quote = Some(ch);
                } else if ch == o {
                    depth += 1;
                } else if ch == c {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
            }
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::taxonomy::Taxonomy;

    fn cat(s: &str) -> Option<String> {
        classify(s).map(|c| c.category)
    }

    fn arg(key: Option<&str>, expr: &str) -> Option<String> {
        classify_arg(key, expr).map(|c| c.category)
    }

    #[test]
    fn a_things_display_name_or_key_is_not_a_persons() {
        // The key says whose field it is, whatever the value is read from.
        assert_eq!(arg(Some("addon_name"), "add_on.name"), None);
        assert_eq!(arg(Some("entity_id"), "check.code"), None);
        assert_eq!(arg(Some("incident_key"), "str(check.code)"), None);
        assert_eq!(
            arg(Some("invoice_display_name"), "plan.invoice_display_name"),
            None
        );
        assert_eq!(
            arg(Some("entity_display_name"), "check.name_then_code()"),
            None
        );
        // Where a thing is, not a person.
        assert_eq!(arg(Some("Time zone"), "check.tz"), None);
        assert_eq!(
            arg(Some("timezone"), "user.tz").as_deref(),
            Some("user.location.imprecise")
        );
        // A person's display name, and a reference the value says is a
        // user's, still are.
        assert_eq!(
            arg(Some("display_name"), "user.display_name").as_deref(),
            Some("user.name")
        );
        assert_eq!(
            arg(Some("client_reference_id"), "user.id").as_deref(),
            Some("user.unique_id")
        );
    }

    #[test]
    fn an_object_built_from_a_types_name_is_not_read_by_that_name() {
        assert_eq!(
            arg(
                None,
                "CryptoEvent.FailedToDecryptToDevice(ev.error.message)"
            ),
            None
        );
        // A member of what such a call returns, and a method's result,
        // are read as before.
        assert_eq!(
            arg(None, "Profile.of(user).email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "user.getEmail()").as_deref(),
            Some("user.contact.email")
        );
    }

    #[test]
    fn a_value_named_more_precisely_than_its_key_says_what_is_sent() {
        // A server's or a project's name under `name` is not a person's.
        assert_eq!(arg(Some("name"), "$normalizedServerName"), None);
        assert_eq!(arg(Some("name"), "this.project_name"), None);
        // A person's stays one, and a value named like the key changes
        // nothing.
        assert_eq!(arg(Some("name"), "fullName").as_deref(), Some("user.name"));
        assert_eq!(arg(Some("name"), "user.name").as_deref(), Some("user.name"));
        assert_eq!(
            arg(Some("id"), "account.userId").as_deref(),
            Some("user.unique_id")
        );
    }

    #[test]
    fn rules_load_and_every_category_is_in_the_taxonomy() {
        let rules = Rules::parse(RULES_YAML).expect("classify.yaml is valid");
        let taxonomy = Taxonomy::builtin();
        let categories = rules.categories();
        assert!(categories.len() > 30, "{categories:?}");
        for c in categories {
            assert!(
                taxonomy.contains(c),
                "classify.yaml uses `{c}`, not in the taxonomy"
            );
        }
    }

    #[test]
    fn broken_rules_are_reported() {
        let err = Rules::parse("leading: [is]").unwrap_err();
        assert!(err.to_string().contains("classify.yaml"), "{err}");
        let twice = RULES_YAML.replace("phrases: [race, ethnicity]", "phrases: [race, email]");
        let err = Rules::parse(&twice).unwrap_err();
        assert!(
            err.to_string().contains("`email` is defined twice"),
            "{err}"
        );
    }

    #[test]
    fn splits_every_case_style() {
        assert_eq!(
            split_case("profileImageURL2"),
            ["profile", "image", "url", "2"]
        );
        assert_eq!(split_case("USER_EMAIL"), ["user", "email"]);
        assert_eq!(split_case("first-name"), ["first", "name"]);
        assert_eq!(split_case("$first_name"), ["first", "name"]);
        assert_eq!(split_case("CharacterID"), ["character", "id"]);
        assert_eq!(rules().words("ownername"), ["owner", "name"]);
        assert_eq!(rules().words("mobilephone"), ["mobile", "phone"]);
        assert_eq!(rules().words("avatarfull"), ["avatar", "full"]);
        assert_eq!(rules().words("username"), ["username"]);
    }

    #[test]
    fn emails_and_their_traps() {
        for s in [
            "email",
            "user_email",
            "userEmail",
            "EMAIL_ADDRESS",
            "$email",
            "traits.email",
            "emailAddress",
            "e-mail",
        ] {
            assert_eq!(cat(s).as_deref(), Some("user.contact.email"), "{s}");
        }
        for s in [
            "email_template",
            "is_email_verified",
            "emailEnabled",
            "email_count",
            "emailSent",
            "sendEmail",
            "email_type",
            "unsubscribed_from_emails",
            "isValidEmail",
            "onEmailChange",
        ] {
            assert_eq!(cat(s), None, "{s}");
        }
    }

    #[test]
    fn names_depend_on_whose_name() {
        assert_eq!(cat("$name").as_deref(), Some("user.name"));
        assert_eq!(cat("user.name").as_deref(), Some("user.name"));
        assert_eq!(cat("customer.name").as_deref(), Some("user.name"));
        assert_eq!(cat("profile.name").as_deref(), Some("user.name"));
        assert_eq!(cat("full_name").as_deref(), Some("user.name"));
        assert_eq!(cat("displayName").as_deref(), Some("user.name"));
        assert_eq!(cat("first_name").as_deref(), Some("user.name.first"));
        assert_eq!(cat("$first_name").as_deref(), Some("user.name.first"));
        assert_eq!(cat("given_name").as_deref(), Some("user.name.first"));
        assert_eq!(cat("lastName").as_deref(), Some("user.name.last"));
        assert_eq!(cat("username").as_deref(), Some("user.account.username"));
        assert_eq!(
            cat("company.name").as_deref(),
            Some("user.contact.organization")
        );
        for s in [
            "event.name",
            "product.name",
            "plan.name",
            "file.name",
            "nameOfEvent",
            "event_name",
            "fileName",
            "workflowName",
            "hostname",
            "fieldName",
            // What alerting APIs are about.
            "incident.name",
            "checkName",
        ] {
            assert_eq!(cat(s), None, "{s}");
        }
        // A bot's or site's icon is no person's picture; a user's is.
        assert_eq!(cat("icon_url"), None);
        assert_eq!(cat("iconUrl"), None);
        assert_eq!(cat("user.icon").as_deref(), Some("user.content.self_image"));
        assert_eq!(
            cat("avatar_url").as_deref(),
            Some("user.content.self_image")
        );
    }

    #[test]
    fn the_brief_list() {
        let cases = [
            ("user_agent", "user.device.user_agent"),
            ("ip", "user.device.ip_address"),
            ("ip_address", "user.device.ip_address"),
            ("remote_addr", "user.device.ip_address"),
            ("password", "user.authorization.password"),
            ("passwd", "user.authorization.password"),
            ("pwd", "user.authorization.password"),
            ("api_key", "user.authorization.credentials"),
            ("token", "user.authorization.credentials"),
            ("secret", "user.authorization.credentials"),
            ("access_token", "user.authorization.credentials"),
            ("card_number", "user.financial.credit_card"),
            ("cvc", "user.financial.credit_card"),
            ("dob", "user.demographic.date_of_birth"),
            ("birthday", "user.demographic.date_of_birth"),
            ("date_of_birth", "user.demographic.date_of_birth"),
            ("ssn", "user.government_id.national_identification_number"),
            (
                "national_id",
                "user.government_id.national_identification_number",
            ),
            ("lat", "user.location.precise"),
            ("lng", "user.location.precise"),
            ("latitude", "user.location.precise"),
            ("city", "user.contact.address.city"),
            ("country", "user.contact.address.country"),
            ("timezone", "user.location.imprecise"),
            ("phone", "user.contact.phone_number"),
            ("mobile", "user.contact.phone_number"),
            ("tel", "user.contact.phone_number"),
            ("user_id", "user.unique_id"),
            ("userId", "user.unique_id"),
            ("uid", "user.unique_id"),
            ("distinct_id", "user.unique_id"),
            ("org_id", "user.unique_id.organization"),
            ("organization_id", "user.unique_id.organization"),
            ("team_id", "user.unique_id.organization"),
            ("workspace_id", "user.unique_id.organization"),
            ("tenant_id", "user.unique_id.organization"),
            ("company", "user.contact.organization"),
            ("organization", "user.contact.organization"),
            ("org_name", "user.contact.organization"),
            ("referrer", "user.behavior.referrer"),
            ("referer", "user.behavior.referrer"),
            ("device_id", "user.device.device_id"),
            ("idfa", "user.device.device_id"),
            ("gaid", "user.device.device_id"),
            ("anonymous_id", "user.device.device_id"),
            ("os", "user.device.os"),
            ("platform", "user.device.os"),
            ("os_version", "user.device.os"),
            ("browser", "user.device.browser"),
            ("prompt", "user.content.private"),
            ("messages", "user.content.private"),
            ("transcript", "user.content.private"),
        ];
        for (s, want) in cases {
            assert_eq!(cat(s).as_deref(), Some(want), "{s}");
        }
        assert_eq!(cat("profile.sub").as_deref(), Some("user.unique_id"));
        assert_eq!(cat("sub"), None, "a bare `sub` is not an auth subject");
        assert_eq!(cat("system_prompt"), None);
        assert_eq!(cat("promptTokens"), None);
        assert_eq!(cat("max_tokens"), None);
        assert_eq!(cat("$token"), None, "Mixpanel's project token");
    }

    #[test]
    fn member_chains() {
        assert_eq!(
            arg(None, "user.email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "this.currentUser.profile.email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "u.getEmail()").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(arg(None, "getEmail"), None, "a function, not a value");
        assert_eq!(
            arg(None, "user[\"email\"]").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "user['first_name']").as_deref(),
            Some("user.name.first")
        );
        assert_eq!(
            arg(None, "data.get(\"email\")").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "String(user.id)").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(
            arg(None, "user?.profile?.email ?? ''").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "user.emailAddresses[0]?.emailAddress").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "@user.email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "$user->email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "user.email.toLowerCase()").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "user.get_full_name()").as_deref(),
            Some("user.name")
        );
        assert_eq!(arg(None, "event.name"), None);
        assert_eq!(arg(None, "'literal@example.com'"), None);
        assert_eq!(arg(None, "!!user.email"), None);
        assert_eq!(
            arg(None, "profile.picture.data.url").as_deref(),
            Some("user.content.self_image")
        );
        assert_eq!(
            arg(None, "profile.title").as_deref(),
            Some("user.job_title")
        );
        assert_eq!(arg(None, "address.title"), None, "Mr/Ms, not the address");
        assert_eq!(
            arg(None, "user.email.downcase").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(None, "campaignEmailId"),
            None,
            "the id of an email, not an address"
        );
    }

    #[test]
    fn a_value_named_as_a_count_is_a_number_whatever_the_key() {
        assert_eq!(arg(Some("tokens"), "tokenCount"), None);
        assert_eq!(arg(Some("emails"), "emails.length"), None);
        assert_eq!(arg(Some("recipients"), "recipient_count"), None);
        assert_eq!(arg(None, "user.emailCount"), None);
        // Not a count: a phone number, a length that is a user's own.
        assert_eq!(
            arg(Some("phone"), "user.phoneNumber").as_deref(),
            Some("user.contact.phone_number")
        );
        assert_eq!(
            arg(Some("email"), "length").as_deref(),
            Some("user.contact.email")
        );
    }

    #[test]
    fn the_key_wins_and_the_value_hints() {
        assert_eq!(
            arg(Some("email"), "x").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(Some("'Profile URL'"), "url").as_deref(),
            Some("user.contact.url")
        );
        assert_eq!(
            arg(Some("name"), "workspace.name").as_deref(),
            Some("user.contact.organization")
        );
        assert_eq!(arg(Some("name"), "event.name"), None);
        assert_eq!(
            arg(Some("name"), "user.fullName").as_deref(),
            Some("user.name")
        );
        assert_eq!(
            arg(Some("u"), "user.email").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            arg(Some("id"), "user.id").as_deref(),
            Some("user.unique_id")
        );
        assert_eq!(
            arg(Some(":email"), "params[:email]").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(arg(Some("plan"), "props.plan"), None);
    }

    #[test]
    fn a_value_formatted_in_a_short_template_is_that_value() {
        let cat = |k: Option<&str>, e: &str| classify_arg(k, e).map(|c| c.category);
        assert_eq!(
            cat(Some("To"), "f\"whatsapp:{self.channel.phone.value}\"").as_deref(),
            Some("user.contact.phone_number")
        );
        assert_eq!(
            cat(None, "`mailto:${user.email}`").as_deref(),
            Some("user.contact.email")
        );
        assert_eq!(
            cat(None, "\"#{customer.email}\"").as_deref(),
            Some("user.contact.email")
        );
        // A sentence around a value is a message, not the value; the
        // application's constants are its own.
        assert_eq!(cat(None, "f\"{user.email} signed up\""), None);
        assert_eq!(cat(None, "`${env.NEXT_PUBLIC_BASE_URL}/premium`"), None);
        assert_eq!(cat(None, "`${user.email}${user.phone}`"), None);
        assert_eq!(cat(None, "\"whatsapp:\""), None);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        let long = "a".repeat(100_000);
        assert_eq!(classify(&long), None);
        assert_eq!(classify_arg(Some(&long), &long), None);
        for s in [
            "",
            ".",
            "..",
            "$",
            "[",
            "((((",
            "user.[",
            "user(\"",
            "a?.",
            "ü.é",
            "x)y(",
            "user[']",
            "\u{0}",
            "😀.email",
        ] {
            let _ = classify(s);
            let _ = classify_arg(Some(s), s);
            let _ = classify_arg(None, s);
        }
        let deep = format!("{}user.email{}", "String(".repeat(200), ")".repeat(200));
        let _ = classify_arg(None, &deep);
    }
}
