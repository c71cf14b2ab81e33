//! Vendor URLs that one file defines and another uses by its qualified
//! name: `BASE_URL = "https://api.cashfree.com/pg/links"` in
//! `cashfree_provider.rb`, used as
//! `LagoHttpClient::Client.new(::PaymentProviders::CashfreeProvider::BASE_URL)`
//! in a service; `def self.api_base_url` returning
//! `"https://web.moneyhash.io"`, interpolated as
//! `"#{MoneyhashProvider.api_base_url}/api/v1.1/customers/"`;
//! `const API_URL = '...'` in a PHP class used as `Client::API_URL`.
//!
//! A *definition* is found in phase 1, in a file that names a vendor host:
//! a constant (a name that starts with a capital letter: `BASE_URL`,
//! `ApiUrl`) assigned a value that resolves in its file to a vendor URL, or
//! a method with no parameters whose body's string literals are all URLs of
//! the same vendors (`def self.api_base_url` with a production and a
//! sandbox host). Its *class* is the method's owner, the classes whose
//! methods the file defines, and the class its file name spells
//! (`cashfree_provider.rb` → `CashfreeProvider`, `HetznerService.php`):
//! one class per file is the convention of Ruby, PHP, Java and Kotlin, and
//! a module-level constant of Python or JS is used qualified by its module
//! (`providers.API_URL`) the same way.
//!
//! A *use* is the class and the member, adjacent in a qualified name
//! (`A::B::BASE_URL`, `B.BASE_URL`, `B.api_base_url`): a bare `BASE_URL`
//! or a call on an instance (`provider.api_url`) is not followed, as the
//! class it belongs to is not written. The pipeline re-reads only the
//! files whose text holds `Class::member` or `Class.member` for some
//! definition, and `http::detect` resolves the uses there.

use std::collections::BTreeMap;

use super::endpoint::Domains;
use super::index::VendorIx;
use super::lang::FileFacts;

/// A vendor URL a file defines under a class's member name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UrlDef {
    /// The class (or module) it belongs to.
    pub class: String,
    /// The constant's or method's name.
    pub member: String,
    /// The vendors its URL names.
    pub vendors: Vec<VendorIx>,
    /// The defining file, relative to the root (set by the pipeline).
    pub file: String,
}

/// The definitions of the whole tree, looked up by (class, member).
#[derive(Debug, Default)]
pub struct Remote {
    by: BTreeMap<(String, String), Vec<VendorIx>>,
    /// Methods (lowercase members) by name: (class, vendors).
    methods: BTreeMap<String, Vec<(String, Vec<VendorIx>)>>,
    /// Clients a file's class inherits, by the name of the method that
    /// makes each (`http_client`), with their vendors (see
    /// `http::class_clients`).
    pub clients: BTreeMap<String, Vec<VendorIx>>,
}

impl Remote {
    /// The index of `defs`.
    pub fn new(defs: &[UrlDef]) -> Remote {
        let mut by: BTreeMap<(String, String), Vec<VendorIx>> = BTreeMap::new();
        for d in defs {
            let e = by.entry((d.class.clone(), d.member.clone())).or_default();
            e.extend(d.vendors.iter().copied());
            e.sort_unstable();
            e.dedup();
        }
        let mut methods: BTreeMap<String, Vec<(String, Vec<VendorIx>)>> = BTreeMap::new();
        for ((class, member), vendors) in &by {
            if member.starts_with(|c: char| c.is_ascii_lowercase()) {
                methods
                    .entry(member.clone())
                    .or_default()
                    .push((class.clone(), vendors.clone()));
            }
        }
        Remote {
            by,
            methods,
            clients: BTreeMap::new(),
        }
    }

    /// True when nothing is defined.
    pub fn is_empty(&self) -> bool {
        self.by.is_empty()
    }

    /// The vendors of the qualified names `expr` uses.
    pub fn in_expr(&self, expr: &str) -> Vec<VendorIx> {
        if self.by.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (class, member) in qualified(expr) {
            if let Some(v) = self.by.get(&(class.to_string(), member.to_string())) {
                out.extend(v.iter().copied());
            } else if let Some(defs) = self.methods.get(member) {
                // `flutterwave_payment_provider.api_url`: an instance named
                // after its class (Rails' convention) calling its method.
                for (c, v) in defs {
                    if names_instance(class, c) {
                        out.extend(v.iter().copied());
                    }
                }
            }
        }
        out
    }

    /// The texts whose presence makes a file worth re-reading:
    /// `Class::member` and `Class.member`.
    pub fn patterns(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.by.len() * 2);
        for (class, member) in self.by.keys() {
            out.push(format!("{class}::{member}"));
            out.push(format!("{class}.{member}"));
        }
        // A method called on an instance (see [`names_instance`]).
        out.extend(self.methods.keys().map(|m| format!(".{m}")));
        out
    }
}

/// The lowercase words of an identifier: `flutterwave_payment_provider`
/// and `flutterwavePaymentProvider` give flutterwave, payment, provider;
/// `FlutterwaveProvider` gives flutterwave, provider.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        if c == '_' || c == '$' || (c.is_ascii_uppercase() && !word.is_empty()) {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if c == '_' || c == '$' {
                continue;
            }
        }
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// True when a variable (lowercase: not a class) is named after `class`,
/// every word of the class in order (`flutterwave_payment_provider`, an
/// instance of `FlutterwaveProvider`; not `payment_provider`, which could be
/// any provider).
fn names_instance(var: &str, class: &str) -> bool {
    if !var.starts_with(|c: char| c.is_ascii_lowercase() || c == '_' || c == '$') {
        return false;
    }
    let have = words(var);
    let mut have = have.iter();
    words(class).iter().all(|w| have.any(|h| h == w))
}

/// The (class, member) pairs adjacent in the qualified names of `expr`:
/// `::A::B::URL` gives (A, B) and (B, URL); `B.url()` gives (B, url).
pub fn qualified(expr: &str) -> Vec<(&str, &str)> {
    let b = expr.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut prev: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < b.len() {
        if !ident(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && ident(b[i]) {
            i += 1;
        }
        let seg = (start, i);
        if let Some(p) = prev
            && (expr[p.1..start] == *"::" || expr[p.1..start] == *".")
        {
            out.push((&expr[p.0..p.1], &expr[seg.0..seg.1]));
        }
        prev = Some(seg);
    }
    out
}

/// The class a file's name spells: `cashfree_provider.rb` →
/// `CashfreeProvider`, `HetznerService.php` → `HetznerService`,
/// `api_client.py` → `ApiClient` (and the module name `api_client`).
fn classes_of_path(rel: &str) -> Vec<String> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.split('.').next().unwrap_or(name);
    if stem.is_empty() {
        return Vec::new();
    }
    let camel: String = stem
        .split(['_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|h| h.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let mut out = vec![camel, stem.to_string()];
    out.sort();
    out.dedup();
    out
}

/// A constant's name: it starts with a capital letter.
fn is_constant(name: &str) -> bool {
    name.len() >= 3
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The vendor URLs `facts` (the file `rel`) defines under a member name.
/// `assigned` resolves a constant's value in its file (the HTTP detector's
/// lexical assignments); `constant_vendors` is that resolution.
pub fn defs(
    rel: &str,
    facts: &FileFacts,
    domains: &Domains,
    constant_vendors: &dyn Fn(&str) -> Vec<VendorIx>,
    constants: &[&str],
) -> Vec<UrlDef> {
    // A class by its own name, without the modules it is in: a use
    // names the class and the member side by side (`Provider::API_URL`).
    let own = |o: &str| o.rsplit('.').next().unwrap_or(o).to_string();
    let mut classes: Vec<String> = facts
        .functions
        .iter()
        .filter_map(|f| f.owner.as_deref().map(own))
        .collect();
    classes.extend(classes_of_path(rel));
    classes.sort();
    classes.dedup();
    let mut out = Vec::new();
    let mut push = |class: &str, member: &str, vendors: &[VendorIx]| {
        out.push(UrlDef {
            class: class.to_string(),
            member: member.to_string(),
            vendors: vendors.to_vec(),
            file: String::new(),
        });
    };
    let mut methods: Vec<(&super::lang::FunctionDef, Vec<VendorIx>)> = Vec::new();
    for &name in constants.iter().filter(|n| is_constant(n)) {
        let vendors = constant_vendors(name);
        if vendors.is_empty() {
            continue;
        }
        for class in &classes {
            push(class, name, &vendors);
        }
    }
    // Methods with no parameters whose string literals, up to the next
    // function, are all URLs of the same vendors.
    let mut starts: Vec<u32> = facts.functions.iter().map(|f| f.line).collect();
    starts.sort_unstable();
    for f in facts.functions.iter().filter(|f| f.params.is_empty()) {
        let end = starts
            .iter()
            .copied()
            .find(|&l| l > f.line)
            .unwrap_or(u32::MAX);
        let mut vendors: Vec<VendorIx> = Vec::new();
        let mut all = true;
        let mut any = false;
        for s in facts
            .strings
            .iter()
            .filter(|s| s.line > f.line && s.line < end)
        {
            let found = domains.in_value(&s.value);
            if found.is_empty() {
                all &= !s.value.contains("://");
                continue;
            }
            any = true;
            vendors.extend(found);
        }
        if !any || !all {
            continue;
        }
        vendors.sort_unstable();
        vendors.dedup();
        methods.push((f, vendors));
    }
    // Readers of such a constant (`def api_url = API_URL`).
    for f in facts.functions.iter().filter(|f| f.params.is_empty()) {
        let returned = facts
            .bindings
            .iter()
            .find(|b| b.line == f.line && b.name == f.name)
            .filter(|b| constants.contains(&b.root.as_str()));
        if let Some(b) = returned {
            let vendors = constant_vendors(&b.root);
            if !vendors.is_empty() {
                methods.push((f, vendors));
            }
        }
    }
    // A method belongs to its owner, or to every class of its file.
    for (f, vendors) in methods {
        match &f.owner {
            Some(owner) => push(&own(owner), &f.name, &vendors),
            None => {
                for class in &classes {
                    push(class, &f.name, &vendors);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_named_after_their_class() {
        assert!(names_instance(
            "flutterwave_payment_provider",
            "FlutterwaveProvider"
        ));
        assert!(names_instance("flutterwaveProvider", "FlutterwaveProvider"));
        assert!(names_instance(
            "$flutterwave_provider",
            "FlutterwaveProvider"
        ));
        assert!(!names_instance("payment_provider", "FlutterwaveProvider"));
        assert!(!names_instance(
            "provider_flutterwave",
            "FlutterwaveProvider"
        ));
        assert!(!names_instance(
            "FlutterwaveProvider",
            "FlutterwaveProvider"
        ));
    }

    #[test]
    fn qualified_names_pair_adjacent_segments() {
        assert_eq!(
            qualified("LagoHttpClient::Client.new(::PaymentProviders::CashfreeProvider::BASE_URL)"),
            [
                ("LagoHttpClient", "Client"),
                ("Client", "new"),
                ("PaymentProviders", "CashfreeProvider"),
                ("CashfreeProvider", "BASE_URL"),
            ]
        );
        assert_eq!(
            qualified("\"#{PaymentProviders::MoneyhashProvider.api_base_url}/api\""),
            [
                ("PaymentProviders", "MoneyhashProvider"),
                ("MoneyhashProvider", "api_base_url"),
            ]
        );
        // Separated by anything else, names are not a qualified name.
        assert!(qualified("a + B, c(URL)").is_empty());
        assert!(qualified("").is_empty());
    }

    #[test]
    fn a_file_name_spells_its_class() {
        assert_eq!(
            classes_of_path("app/models/payment_providers/cashfree_provider.rb"),
            ["CashfreeProvider", "cashfree_provider"]
        );
        assert_eq!(
            classes_of_path("app/Services/HetznerService.php"),
            ["HetznerService"]
        );
        assert!(classes_of_path("").is_empty());
    }

    #[test]
    fn constants_start_with_a_capital() {
        assert!(is_constant("BASE_URL"));
        assert!(is_constant("ApiUrl"));
        assert!(!is_constant("url"));
        assert!(!is_constant("$baseUrl"));
        assert!(!is_constant("U"));
    }
}
