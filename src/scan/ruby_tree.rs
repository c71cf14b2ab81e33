//! The classes of a Ruby application, read from the text of every
//! production file: where each class's methods are, what each class
//! extends, and which class methods are factories. Rails code nests its
//! modules and classes by indentation and keeps one class per file, so
//! the text is enough, and files no scan parsed (a payload builder, a
//! factory that names no vendor) are known too.
//!
//! Three uses, each after the first pass:
//! - a **factory** (`def self.for(invoice)` choosing among service
//!   classes) makes a call on what it gives a call of each class's method
//!   (see `wrappers`);
//! - a **client a base class makes** (`def http_client` in
//!   `Integrations::Aggregator::BaseService`) is the client of every
//!   subclass that calls it ([`RubyTree::inherited`]);
//! - a request's **body named by a method** (`http_client.post_with_response(params,
//!   headers)`, `payload.body`) is read from that method's hash literal,
//!   or from the method of the classes a factory in it chooses among
//!   ([`RubyTree::returned_pairs`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// What one file defines.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FileClasses {
    /// Each class (dotted path) with the class it extends as written
    /// (dotted) and the modules it is written in (where that name is
    /// looked up).
    pub classes: Vec<(String, Option<(String, String)>)>,
    /// Each method: (its class, its name, the `def` line, the line of its
    /// `end`), 1-based.
    pub methods: Vec<(String, String, u32, u32)>,
    /// Each factory: its path and the paths each class it chooses among
    /// may have.
    pub factories: Vec<(String, Vec<String>)>,
    /// The class methods that enqueue their class's job (see
    /// [`enqueues`]), by name.
    pub enqueuers: Vec<String>,
}

/// How many lines of a method's body are read.
const METHOD_LINES: usize = 200;

/// Reads the classes, methods and factories of a Ruby file's text.
pub fn read(text: &str) -> FileClasses {
    let lines: Vec<&str> = text.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = FileClasses::default();
    let mut scope: Vec<(usize, String)> = Vec::new();
    // Class methods, for the factories: (owner, name, classes, body).
    let mut statics: Vec<(String, String, Vec<String>, Vec<&str>)> = Vec::new();
    let path_of = |scope: &[(usize, String)]| {
        scope
            .iter()
            .map(|(_, n)| n.as_str())
            .collect::<Vec<_>>()
            .join(".")
    };
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        let at = indent(line);
        i += 1;
        if t == "end" {
            if scope.last().is_some_and(|(d, _)| *d == at) {
                scope.pop();
            }
            continue;
        }
        let kind = if t.starts_with("module ") {
            Some(false)
        } else if t.starts_with("class ") && !t.starts_with("class <<") {
            Some(true)
        } else {
            None
        };
        if let Some(is_class) = kind {
            let rest = &t[if is_class { 6 } else { 7 }..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let one_line = rest.contains("; end") || rest.trim_end().ends_with(" end");
            if !name.starts_with(|c: char| c.is_ascii_uppercase()) || one_line {
                continue;
            }
            let outer = path_of(&scope);
            scope.push((at, name.replace("::", ".")));
            if is_class {
                let parent = rest[name.len()..]
                    .trim_start()
                    .strip_prefix('<')
                    .map(|p| {
                        p.trim()
                            .trim_start_matches("::")
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                            .collect::<String>()
                    })
                    .filter(|p| p.starts_with(|c: char| c.is_ascii_uppercase()))
                    .map(|p| (p.replace("::", "."), outer));
                out.classes.push((path_of(&scope), parent));
            }
            continue;
        }
        let Some(rest) = t.strip_prefix("def ") else {
            continue;
        };
        let (is_self, rest) = match rest.strip_prefix("self.") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '?' | '!'))
            .collect();
        // An endless or one-line method has no body of its own lines.
        if name.is_empty() || rest.contains(" = ") || t.trim_end().ends_with(" end") {
            continue;
        }
        let def = i;
        while i < lines.len() && !(indent(lines[i]) == at && lines[i].trim() == "end") {
            i += 1;
            if i - def > METHOD_LINES {
                break;
            }
        }
        let end = i.min(lines.len());
        let owner = path_of(&scope);
        let line_no = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        if !owner.is_empty() {
            out.methods
                .push((owner.clone(), name.clone(), line_no(def), line_no(end + 1)));
        }
        if is_self {
            let body: Vec<&str> = lines[def..end].to_vec();
            if enqueues(&body) {
                out.enqueuers.push(name.clone());
            }
            let classes: Vec<String> = body.iter().filter_map(|l| class_alone(l)).collect();
            statics.push((owner, name, classes, body));
        }
        i += 1;
    }
    out.factories = factories(statics);
    out
}

/// True when a class method's body enqueues its own class's job
/// (`perform_later(...)` on the class itself, as a job base class's
/// `def self.perform_after_commit(...)` does after the transaction): a
/// call of that method through a job class runs the job's `perform`.
fn enqueues(body: &[&str]) -> bool {
    body.iter().any(|l| {
        let t = l.trim_start();
        let t = t.strip_prefix("self.").unwrap_or(t);
        super::wrappers::JOB_ENQUEUE.iter().any(|m| {
            t.strip_prefix(m)
                .is_some_and(|r| r.starts_with(['(', ' ']) || r.is_empty())
        })
    })
}

/// The factories among a file's class methods (owner, name, the classes
/// each names alone on a line, its body): a class method that chooses
/// among two classes or more, each written alone on a line of its body (a
/// `when` branch's value, after `then` or `return`, or made there with
/// `.new`), or that calls another such method of its class
/// (`service_class(provider:).new(...)`).
fn factories(
    mut methods: Vec<(String, String, Vec<String>, Vec<&str>)>,
) -> Vec<(String, Vec<String>)> {
    // A method that calls another factory method of its class gives what
    // that one gives (two steps at most).
    for _ in 0..2 {
        let known: Vec<(String, String, Vec<String>)> = methods
            .iter()
            .map(|(o, n, c, _)| (o.clone(), n.clone(), c.clone()))
            .collect();
        for (owner, name, classes, body) in &mut methods {
            for (o, n, c) in &known {
                if o != owner || n == name || !body.iter().any(|l| calls_name(l, n)) {
                    continue;
                }
                for class in c {
                    if !classes.contains(class) {
                        classes.push(class.clone());
                    }
                }
            }
        }
    }
    methods
        .into_iter()
        .filter(|(owner, _, classes, _)| !owner.is_empty() && classes.len() >= 2)
        .map(|(owner, name, classes, _)| {
            let paths = constants(&classes, Some(&owner));
            (format!("{owner}.{name}"), paths)
        })
        .collect()
}

/// True when `line` calls the method `name` by its name alone
/// (`service_class(provider:)`, `service_class.new`).
fn calls_name(line: &str, name: &str) -> bool {
    let l = line.trim_start();
    l.match_indices(name).any(|(at, _)| {
        let before = l[..at].chars().next_back();
        let after = l[at + name.len()..].chars().next();
        !before.is_some_and(|b| b.is_ascii_alphanumeric() || b == '_' || b == ':' || b == '.')
            && after.is_none_or(|a| matches!(a, '(' | ' ' | '.'))
    })
}

/// The class a line of a factory's body gives, dotted: the line is a
/// constant path alone (`Invoices::Payments::StripeService`), after `then`
/// or `return`, or made with `.new` (`Payloads::Netsuite.new(`).
pub(crate) fn class_alone(line: &str) -> Option<String> {
    let t = line.trim();
    let t = t.rsplit_once(" then ").map_or(t, |(_, v)| v.trim());
    let t = t
        .strip_prefix("return ")
        .unwrap_or(t)
        .trim_start_matches("::");
    let t = match t.find(".new") {
        Some(at) if matches!(t[at + 4..].chars().next(), None | Some('(')) => &t[..at],
        _ => t,
    };
    let ok = !t.is_empty()
        && t.split("::").all(|seg| {
            seg.starts_with(|c: char| c.is_ascii_uppercase())
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        // A constant's value (`MAX_RETRIES`), not a class.
        && t.chars().any(|c| c.is_ascii_lowercase());
    ok.then(|| t.replace("::", "."))
}

/// The classes Ruby code in a method of `owner` (`CreditNotes.Refunds.StripeCreateJob`)
/// may mean by each of `names` (`StripeService`, `Utils.SegmentTrack`):
/// a constant is looked up in the modules the code is written in, from
/// the innermost out, then at the top level
/// (`CreditNotes.Refunds.StripeService`, `CreditNotes.StripeService`,
/// `StripeService`). The inheritance chain is not searched.
pub fn constants(names: &[String], owner: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let name = name.strip_suffix(".new").unwrap_or(name);
        let mut scope = owner.unwrap_or("");
        loop {
            if scope.is_empty() {
                out.push(name.to_string());
                break;
            }
            out.push(format!("{scope}.{name}"));
            scope = scope.rsplit_once('.').map_or("", |(outer, _)| outer);
        }
    }
    out
}

/// A method's place: the file (its position in the walk) and its lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    file: usize,
    def: u32,
    end: u32,
}

/// The classes of the whole tree.
#[derive(Debug, Default)]
pub struct RubyTree {
    /// Factories by path: the classes each may give.
    pub factories: BTreeMap<String, BTreeSet<String>>,
    /// The names of the class methods that enqueue their class's job
    /// (besides [`super::wrappers::JOB_ENQUEUE`]).
    pub enqueuers: BTreeSet<String>,
    /// Each class's parent, as written, and where it is looked up.
    parents: BTreeMap<String, (String, String)>,
    /// Methods by (class, name).
    methods: BTreeMap<(String, String), Span>,
    /// Every class and module path with a method or a parent.
    known: BTreeSet<String>,
}

/// How many pairs a body gives at most.
const MAX_PAIRS: usize = 256;

/// How many methods deep a body is followed.
const DEPTH: usize = 3;

impl RubyTree {
    /// The tree of the files read, each with its position in the walk.
    pub fn new(files: Vec<(usize, FileClasses)>) -> RubyTree {
        let mut t = RubyTree::default();
        for (file, f) in files {
            for (path, classes) in f.factories {
                t.factories.entry(path).or_default().extend(classes);
            }
            t.enqueuers.extend(
                f.enqueuers
                    .into_iter()
                    .filter(|n| !super::wrappers::JOB_ENQUEUE.contains(&n.as_str())),
            );
            for (class, parent) in f.classes {
                t.known.insert(class.clone());
                if let Some(p) = parent {
                    t.parents.insert(class, p);
                }
            }
            for (class, name, def, end) in f.methods {
                t.known.insert(class.clone());
                t.methods
                    .entry((class, name))
                    .or_insert(Span { file, def, end });
            }
        }
        t
    }

    /// The class `class` extends, resolved where it is written: the first
    /// of the paths its name may have that the tree knows.
    fn parent(&self, class: &str) -> Option<String> {
        let (name, scope) = self.parents.get(class)?;
        let scope = (!scope.is_empty()).then_some(scope.as_str());
        constants(std::slice::from_ref(name), scope)
            .into_iter()
            .find(|c| c != class && self.known.contains(c))
    }

    /// `class` and its ancestors, nearest first (16 at most).
    fn lineage(&self, class: &str) -> Vec<String> {
        let mut out = vec![class.to_string()];
        while out.len() < 16 {
            let Some(p) = out.last().and_then(|c| self.parent(c)) else {
                break;
            };
            if out.contains(&p) {
                break;
            }
            out.push(p);
        }
        out
    }

    /// The method `name` that an object of `class` runs: its own, or its
    /// nearest ancestor's. Gives the class that defines it too.
    fn method(&self, class: &str, name: &str) -> Option<(String, Span)> {
        self.lineage(class).into_iter().find_map(|c| {
            let span = *self.methods.get(&(c.clone(), name.to_string()))?;
            Some((c, span))
        })
    }

    /// The classes whose files the tree has, that define no method
    /// `name` of their own and whose nearest ancestor defining it is one
    /// of `owners` (`Integrations.Aggregator.BaseService` for `http_client`):
    /// each with its file's position and the owner it inherits from.
    pub fn inherited(&self, owners: &BTreeSet<String>, name: &str) -> Vec<(String, usize, String)> {
        let mut out = Vec::new();
        for class in self.parents.keys() {
            if owners.contains(class) {
                continue;
            }
            let Some((from, _)) = self.method(class, name) else {
                continue;
            };
            if !owners.contains(&from) {
                continue;
            }
            let Some(file) = self.file_of(class) else {
                continue;
            };
            out.push((class.clone(), file, from));
        }
        out
    }

    /// The file a class is defined in: where its first method is, or its
    /// parent's line was read (a class is kept in one file).
    fn file_of(&self, class: &str) -> Option<usize> {
        self.methods
            .range((class.to_string(), String::new())..)
            .take_while(|((c, _), _)| c == class)
            .map(|(_, s)| s.file)
            .next()
    }

    /// The `key => value` pairs of the hash a body named by `expr` holds,
    /// as (key, value, file position, line): `expr` is a method of
    /// `class` (`params`), or a method called on what one gives
    /// (`payload.body`, where `payload` makes its object with a factory).
    /// A method's pairs are those of its hash literals; a method whose
    /// body makes an object with a factory (`Payloads::Factory
    /// .new_instance(...).create_body`) gives the pairs of the chosen
    /// classes' method. `text_of` gives a file's text by its position.
    pub fn returned_pairs<'t>(
        &self,
        class: &str,
        expr: &str,
        text_of: &dyn Fn(usize) -> Option<Cow<'t, str>>,
    ) -> Vec<(String, String, usize, u32)> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let e = expr.trim();
        let (head, member) = match e.split_once('.') {
            Some((h, m)) => (h, Some(m)),
            None => (e, None),
        };
        let plain = |s: &str| {
            !s.is_empty()
                && s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if !plain(head) || member.is_some_and(|m| !plain(m)) {
            return out;
        }
        self.pairs_of(class, head, member, text_of, DEPTH, &mut seen, &mut out);
        out
    }

    /// [`RubyTree::returned_pairs`] of the method `name` of `class`,
    /// followed by `member` on what it gives, `depth` methods deep.
    #[allow(clippy::too_many_arguments)]
    fn pairs_of<'t>(
        &self,
        class: &str,
        name: &str,
        member: Option<&str>,
        text_of: &dyn Fn(usize) -> Option<Cow<'t, str>>,
        depth: usize,
        seen: &mut BTreeSet<(String, String)>,
        out: &mut Vec<(String, String, usize, u32)>,
    ) {
        if depth == 0 || out.len() >= MAX_PAIRS {
            return;
        }
        let Some((owner, span)) = self.method(class, name) else {
            return;
        };
        if !seen.insert((owner.clone(), name.to_string())) {
            return;
        }
        let Some(text) = text_of(span.file) else {
            return;
        };
        let body: Vec<&str> = text
            .lines()
            .skip(usize::try_from(span.def).unwrap_or(usize::MAX))
            .take(usize::try_from(span.end.saturating_sub(span.def)).unwrap_or(0))
            .collect();
        let body_text = body.join("\n");
        // The objects a factory in the body makes, and the method read
        // off each (`new_instance(...).create_body`, or `member`).
        for (classes, called) in self.made_in(&body_text, &owner) {
            let Some(m) = member.or(called.as_deref()) else {
                continue;
            };
            for c in classes {
                self.pairs_of(&c, m, None, text_of, depth - 1, seen, out);
            }
        }
        if member.is_some() {
            return;
        }
        for (offset, line) in body.iter().enumerate() {
            let at = span.def + 1 + u32::try_from(offset).unwrap_or(u32::MAX);
            for (k, v) in super::http::pairs_in(line) {
                if out.len() >= MAX_PAIRS {
                    return;
                }
                out.push((k.to_string(), v.to_string(), span.file, at));
            }
        }
    }

    /// The factory calls in `body` (written in a method of `owner`): the
    /// classes each may give and the method called on its result, if any
    /// (`Factory.new_instance(...).create_body` → `create_body`).
    fn made_in(&self, body: &str, owner: &str) -> Vec<(BTreeSet<String>, Option<String>)> {
        let mut out = Vec::new();
        if self.factories.is_empty() {
            return out;
        }
        let b = body.as_bytes();
        let mut i = 0;
        while i < b.len() {
            // A constant path starts at an uppercase letter after a
            // non-identifier character.
            let starts = b[i].is_ascii_uppercase()
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'));
            if !starts {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'_' | b':' | b'.'))
            {
                j += 1;
            }
            let path = body[i..j].replace("::", ".");
            i = j.max(i + 1);
            if j >= b.len() || b[j] != b'(' {
                continue;
            }
            let classes: BTreeSet<String> = constants(&[path], Some(owner))
                .iter()
                .filter_map(|k| self.factories.get(k))
                .flatten()
                .cloned()
                .collect();
            if classes.is_empty() {
                continue;
            }
            // The call's closing parenthesis, then `.method`.
            let mut depth = 0i32;
            let mut k = j;
            while k < b.len() {
                match b[k] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            let after = body.get(k + 1..).unwrap_or("").trim_start();
            let called = after.strip_prefix('.').map(|r| {
                r.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            });
            out.push((classes, called.filter(|c| !c.is_empty())));
            i = k.max(i);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_factory_line_gives_a_class_alone() {
        assert_eq!(
            class_alone("        PaymentProviders::Stripe::Payments::CreateService"),
            Some("PaymentProviders.Stripe.Payments.CreateService".to_string())
        );
        assert_eq!(
            class_alone("when \"stripe\" then ::Invoices::Payments::StripeService"),
            Some("Invoices.Payments.StripeService".to_string())
        );
        assert_eq!(
            class_alone("  Payloads::Netsuite.new("),
            Some("Payloads.Netsuite".to_string())
        );
        // A constant's value, a call, an expression: not a class.
        assert_eq!(class_alone("MAX_RETRIES"), None);
        assert_eq!(class_alone("Stripe::Customer.create(params)"), None);
        assert_eq!(class_alone("Timeout::Error, Errno::ECONNRESET"), None);
        assert_eq!(class_alone("raise(NotImplementedError)"), None);
    }

    const FACTORY: &str = "module Invoices\n  module Payments\n    class Factory\n      def self.for(invoice)\n        service_class(invoice.provider)\n      end\n\n      def self.service_class(provider)\n        case provider\n        when \"stripe\"\n          Invoices::Payments::StripeService\n        when \"adyen\"\n          AdyenService\n        end\n      end\n\n      def self.single\n        StripeService\n      end\n    end\n  end\nend\n";

    #[test]
    fn class_methods_that_enqueue_their_own_job() {
        let text = "class ApplicationJob < ActiveJob::Base\n  def self.perform_after_commit(...)\n    AfterCommitEverywhere.after_commit do\n      perform_later(...)\n    end\n  end\n\n  def self.notify_later(x)\n    OtherJob.perform_later(x)\n  end\nend\n";
        assert_eq!(read(text).enqueuers, ["perform_after_commit"]);
    }

    #[test]
    fn factories_are_read_from_class_methods_by_their_nesting() {
        let found = read(FACTORY).factories;
        let keys: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
        // `single` chooses one class: no factory.
        assert_eq!(
            keys,
            [
                "Invoices.Payments.Factory.for",
                "Invoices.Payments.Factory.service_class"
            ]
        );
        let classes = &found[0].1;
        assert!(classes.contains(&"Invoices.Payments.StripeService".to_string()));
        assert!(classes.contains(&"Invoices.Payments.AdyenService".to_string()));
        assert!(
            read("class A\n  def call\n  end\nend\n")
                .factories
                .is_empty()
        );
    }

    #[test]
    fn classes_methods_and_parents_are_read_by_their_nesting() {
        let text = "module Integrations\n  module Aggregator\n    module Contacts\n      class CreateService < BaseService\n        def call\n          http_client.post_with_response(params, headers)\n        end\n\n        private\n\n        def params\n          {\"email\" => customer.email}\n        end\n      end\n    end\n  end\nend\n";
        let f = read(text);
        assert_eq!(
            f.classes,
            [(
                "Integrations.Aggregator.Contacts.CreateService".to_string(),
                Some((
                    "BaseService".to_string(),
                    "Integrations.Aggregator.Contacts".to_string()
                ))
            )]
        );
        let names: Vec<(&str, u32, u32)> = f
            .methods
            .iter()
            .map(|(_, n, d, e)| (n.as_str(), *d, *e))
            .collect();
        assert_eq!(names, [("call", 5, 7), ("params", 11, 13)]);
    }

    #[test]
    fn a_body_is_read_through_a_method_and_a_factory() {
        let service = "module Sync\n  class CreateService < BaseService\n    def call\n      http_client.post_with_response(params, headers)\n    end\n\n    def params\n      Sync::Payloads::Factory.new_instance(\n        customer:\n      ).create_body\n    end\n  end\nend\n";
        let base = "module Sync\n  class BaseService < ::BaseService\n    def http_client\n      LagoHttpClient::Client.new(url)\n    end\n  end\nend\n";
        let factory = "module Sync\n  module Payloads\n    class Factory\n      def self.new_instance(customer:)\n        case customer.kind\n        when \"a\"\n          Sync::Payloads::Crm.new(customer:)\n        else\n          Sync::Payloads::Erp.new(customer:)\n        end\n      end\n    end\n  end\nend\n";
        let crm = "module Sync\n  module Payloads\n    class Crm < BasePayload\n      def create_body\n        {\n          \"email\" => customer.email,\n          \"name\" => customer.name\n        }\n      end\n    end\n  end\nend\n";
        let erp = "module Sync\n  module Payloads\n    class Erp < BasePayload\n      def create_body\n        {\"phone\" => customer.phone}\n      end\n    end\n  end\nend\n";
        let texts = [service, base, factory, crm, erp];
        let tree = RubyTree::new(
            texts
                .iter()
                .enumerate()
                .map(|(i, t)| (i, read(t)))
                .collect(),
        );
        let text_of = |i: usize| texts.get(i).map(|t| Cow::Borrowed(*t));
        let pairs = tree.returned_pairs("Sync.CreateService", "params", &text_of);
        let keys: Vec<(&str, usize, u32)> = pairs
            .iter()
            .map(|(k, _, f, l)| (k.as_str(), *f, *l))
            .collect();
        assert_eq!(keys, [("email", 3, 6), ("name", 3, 7), ("phone", 4, 5)]);
        // The client the base class makes is its subclass's.
        let owners: BTreeSet<String> = ["Sync.BaseService".to_string()].into();
        let heirs = tree.inherited(&owners, "http_client");
        assert_eq!(
            heirs,
            [(
                "Sync.CreateService".to_string(),
                0,
                "Sync.BaseService".to_string()
            )]
        );
        // A name that is no method gives nothing.
        assert!(
            tree.returned_pairs("Sync.CreateService", "headers", &text_of)
                .is_empty()
        );
    }
}
