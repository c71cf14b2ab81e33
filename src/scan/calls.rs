//! Data-sending calls: which call sites hand user data to a vendor's SDK, and
//! which fields they pass.
//!
//! A call is a vendor's when both hold:
//! - its callee's root identifier is bound to that vendor in the same file:
//!   an import binding of the vendor's module (`import mixpanel from
//!   "mixpanel-browser"`, `import sentry_sdk`), or a local binding whose value
//!   is rooted at one, one or two steps away (`const client = new OpenAI()`,
//!   `const chat = client.chat`);
//! - the callee ends with one of the catalog's `calls` for that vendor, at a
//!   `.` boundary (`client.chat.completions.create` ends with
//!   `chat.completions.create`; `mixpanel.people.set` with `people.set`).
//!
//! So a generic method name (`track`, `send`, `capture`) on a receiver that
//! is not bound to the vendor (`cart.track(item)`) never matches. Each
//! argument of a matched call is classified ([`classify_arg`]); literal
//! values (event names, constants) carry no user data and are skipped. A
//! call spec with `implies` also marks its first positional argument. The
//! first positional argument of an event call (`track(name, props)`) is the
//! event's name, not a person's, unless it classifies as a user id.
//!
//! A field of the object counts like a local: `this.stripe = new
//! Stripe(key)` in a constructor binds `this.stripe` for every method of the
//! file (also `self.client`, PHP's `$this->stripe`, Ruby's `@client` and a
//! `client` reader method that memoises it).
//!
//! Ruby's `require "stripe"` binds no name: the constant the gem
//! conventionally defines (`Stripe`) stands for it; and since Bundler
//! requires the Gemfile's gems at boot, such a constant stands for its gem
//! in a file with no `require` at all (generic constants such as
//! `Analytics` excepted, and never a class the file defines). PHP classes used by
//! their global or qualified name without a `use` (`Mixpanel::getInstance`,
//! `\Stripe\Customer::create`) stand for their SDK too (Composer autoloads
//! them).
//!
//! One step of local data flow comes from the extractors: a variable
//! assigned a map-like literal in the same function (or at module level),
//! then passed, gives that literal's keys as arguments, each on its own line
//! (`const props = { email: user.email }; mixpanel.track("x", props)`).
//! First-party wrappers are followed in [`super::wrappers`].
//!
//! Limits, on purpose: bindings are file-wide (not scoped), so a name bound
//! to a vendor in one function and reused for something else in another
//! counts as the vendor's; receivers typed by a parameter (`fn(c: Client)`)
//! are not followed.

use std::collections::{BTreeMap, BTreeSet};

use super::Finding;
use super::classify::classify_arg;
use super::imports::{members_of, vendors_of};
use super::index::{Index, VendorIx};
use super::lang::{Arg, Call, FileFacts, Lang};
use crate::catalog::CallSpec;
use crate::model::{EvidenceKind, Scope};

/// What the scan knows about each vendor's calls, by vendor index.
#[derive(Debug, Default)]
pub struct Specs {
    /// The catalog's data-sending calls.
    pub calls: Vec<Vec<CallSpec>>,
    /// Vendors that carry people's messages (messaging, email, support):
    /// a `text` or `body` sent to them is a message someone wrote.
    pub messengers: BTreeSet<VendorIx>,
    /// Email vendors: a `to`, `cc` or `reply_to` sent to them is an address.
    pub mailers: BTreeSet<VendorIx>,
    /// Each vendor's catalog id, by index: what names the vendor's own
    /// object ids (`stripe_customer_id` to Stripe).
    pub ids: Vec<String>,
}

/// What a file sees of other files of the application (see
/// `wrappers::Handle`): vendor clients and the factories that return them,
/// by the local names they are imported under, and functions a client made
/// (`publishAiCall`, made by `tb.buildIngestEndpoint`), by local name → the
/// vendor method that made them.
#[derive(Debug, Default, Clone)]
pub struct Seed {
    /// Local names bound to vendors.
    pub bound: BTreeMap<String, BTreeSet<VendorIx>>,
    /// Local names of functions a vendor's client made → that method.
    pub endpoints: BTreeMap<String, String>,
}

impl Seed {
    /// True when the file sees nothing of other files.
    pub fn is_empty(&self) -> bool {
        self.bound.is_empty() && self.endpoints.is_empty()
    }

    /// The file's own endpoints ([`endpoints`]) and the seeded ones, as
    /// callees that match the method that made them (`publishAiCall` →
    /// `publishAiCall.buildIngestEndpoint`, whose root the seed binds).
    pub(crate) fn with_endpoints(
        &self,
        mut made: BTreeMap<String, String>,
    ) -> BTreeMap<String, String> {
        for (local, method) in &self.endpoints {
            made.entry(local.clone())
                .or_insert_with(|| format!("{local}.{method}"));
        }
        made
    }
}

/// A field seen at a vendor's call site, before the file is known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CallField {
    /// The vendor.
    pub vendor: VendorIx,
    /// Taxonomy key.
    pub category: String,
    /// The key or expression (`$email`, `user.email`).
    pub name: String,
    /// 1-based line of the argument.
    pub line: u32,
}

/// How many binding steps are followed from an import (`client = OpenAI()`
/// is one, `chat = client.chat` two).
const BINDING_STEPS: usize = 2;

/// The vendors each local name of the file is bound to.
pub(crate) fn bound_names(
    lang: Lang,
    facts: &FileFacts,
    index: &Index,
) -> BTreeMap<String, BTreeSet<VendorIx>> {
    bound_names_from(lang, facts, index, BTreeMap::new())
}

/// [`bound_names`], starting from names bound elsewhere (a client another
/// file of the application exports, see `wrappers::Handle`).
pub(crate) fn bound_names_from(
    lang: Lang,
    facts: &FileFacts,
    index: &Index,
    seed: BTreeMap<String, BTreeSet<VendorIx>>,
) -> BTreeMap<String, BTreeSet<VendorIx>> {
    let mut bound = seed;
    for imp in facts.imports.iter().chain(&facts.type_imports) {
        // A vendor's type in a package of several (`ntf.Telegram`), for
        // names declared of it: see `imports::members_of`.
        for (member, v) in members_of(lang, &imp.module, index) {
            for b in &imp.bindings {
                bound.entry(format!("{b}.{member}")).or_default().insert(v);
            }
        }
        let vendors = vendors_of(lang, &imp.module, index);
        if vendors.is_empty() {
            continue;
        }
        let implicit = (lang == Lang::Ruby && imp.bindings.is_empty())
            .then(|| ruby_constant(&imp.module))
            .flatten();
        for b in imp.bindings.iter().chain(implicit.as_ref()) {
            // `import a.b` binds `a` in Python.
            let root = b.split('.').next().unwrap_or(b).trim();
            if !root.is_empty() {
                bound
                    .entry(root.to_string())
                    .or_default()
                    .extend(vendors.iter().copied());
            }
        }
    }
    named_like_imports(facts, &mut bound);
    if lang == Lang::Php {
        php_global_classes(facts, index, &mut bound);
    }
    if lang == Lang::Ruby {
        ruby_global_constants(facts, index, &mut bound);
    }
    for _ in 0..BINDING_STEPS {
        let mut added = false;
        for b in &facts.bindings {
            // A Go name declared of a package's type (`ntf.Telegram`) is
            // bound by the type when the package's member has a vendor of
            // its own, else by the package.
            let typed = || {
                let (pkg, ty) = b.root.split_once('.')?;
                (lang == Lang::Go && !ty.contains('.')).then(|| bound.get(pkg))?
            };
            let Some(vendors) = bound.get(&b.root).or_else(typed).cloned() else {
                continue;
            };
            let entry = bound.entry(b.name.clone()).or_default();
            for v in vendors {
                added |= entry.insert(v);
            }
        }
        if !added {
            break;
        }
    }
    scope_callbacks(facts, &mut bound);
    if lang == Lang::Ruby {
        // `@client ||= Stripe::StripeClient.new` in a method `client`: the
        // reader named like the variable returns it (`client.customers...`).
        let ivars: Vec<(String, BTreeSet<VendorIx>)> = bound
            .iter()
            .filter_map(|(k, v)| k.strip_prefix('@').map(|n| (n.to_string(), v.clone())))
            .collect();
        for (name, vendors) in ivars {
            if facts.functions.iter().any(|f| f.name == name) {
                bound.entry(name).or_default().extend(vendors);
            }
        }
    }
    bound
}

/// A receiver named like a vendor's import, differing only in case, is
/// that vendor's client: `postHog?.capture(...)` beside `import PostHog`,
/// kept in a field of a first-party protocol type and made by a factory
/// (Element's iOS app), `self.stripe` beside `import Stripe`, whatever
/// first-party code made it. Only names not bound already.
fn named_like_imports(facts: &FileFacts, bound: &mut BTreeMap<String, BTreeSet<VendorIx>>) {
    let by_lower: BTreeMap<String, BTreeSet<VendorIx>> = bound
        .iter()
        .filter(|(k, _)| !k.contains('.'))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    if by_lower.is_empty() {
        return;
    }
    let calls = facts.all_calls();
    let mut add = Vec::new();
    for call in calls {
        let d = dotted(&call.callee);
        let (prefix, rest) = ["this.", "self.", "$this."]
            .iter()
            .find_map(|p| d.strip_prefix(p).map(|r| (*p, r)))
            .unwrap_or(("", d.as_str()));
        let Some((root, _)) = rest.split_once('.') else {
            continue;
        };
        let full = format!("{prefix}{root}");
        if bound.contains_key(root) || bound.contains_key(&full) {
            continue;
        }
        if let Some(v) = by_lower.get(&root.to_ascii_lowercase()) {
            add.push((root.to_string(), full, v.clone()));
        }
    }
    for (root, full, v) in add {
        bound.entry(root).or_default().extend(v.iter().copied());
        bound.entry(full).or_default().extend(v);
    }
}

/// A scope callback's parameter stands for the vendor:
/// `Sentry.configureScope(scope => scope.setUser(...))`,
/// `Sentry.withScope((scope) => ...)`, Kotlin's `Sentry.configureScope {
/// scope -> ... }`, Swift's `SentrySDK.configureScope { scope in ... }`,
/// Ruby's `Sentry.with_scope do |scope|`. Read from the call's first line,
/// for calls on a vendor-bound receiver whose method names a scope; other
/// callbacks (`list((err, items) => ...)`) are not bound, since their
/// parameters are results, not clients.
fn scope_callbacks(facts: &FileFacts, bound: &mut BTreeMap<String, BTreeSet<VendorIx>>) {
    let calls = facts.all_calls();
    let mut add = Vec::new();
    for call in calls {
        let callee = dotted(&call.callee);
        let method = callee.rsplit('.').next().unwrap_or(&callee);
        if !method.to_ascii_lowercase().contains("scope") {
            continue;
        }
        let Some(vendors) = receiver(&callee, bound) else {
            continue;
        };
        if let Some(param) = callback_param(&call.text, method) {
            add.push((param, vendors.clone()));
        }
    }
    for (param, vendors) in add {
        bound.entry(param).or_default().extend(vendors);
    }
}

/// The first parameter of the callback written right after `method` on the
/// call's first line: `method((scope) =>`, `method(scope =>`,
/// `method(function (scope)`, `method { scope ->`, `method { scope in`,
/// `method do |scope|`, `method(func(scope *sentry.Scope)`.
fn callback_param(text: &str, method: &str) -> Option<String> {
    let at = text.find(method)? + method.len();
    let mut rest = text[at..].trim_start();
    for lead in ["(", "{", "do", "function", "func", "async", "(", "|"] {
        rest = rest.strip_prefix(lead).unwrap_or(rest).trim_start();
    }
    let name: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$')
        .collect();
    let after = rest[name.len()..].trim_start();
    // A parameter list goes on or closes; a call, a member or an
    // assignment means the text was an expression, not a callback.
    let assigns = after.starts_with('=') && !after.starts_with("=>");
    let closes = !(after.is_empty() || after.starts_with(['(', '.']) || assigns);
    (!name.is_empty() && name.starts_with(|c: char| !c.is_ascii_digit()) && closes)
        .then(|| name.trim_start_matches('$').to_string())
}

/// Constants that name too many things to stand for one gem by themselves.
const RUBY_GENERIC_CONSTANTS: &[&str] = &[
    "Analytics",
    "Client",
    "Config",
    "Configuration",
    "Api",
    "API",
    "Events",
    "Event",
    "Tracker",
    "Mailer",
    "Notifier",
    "Search",
    "Storage",
    "Payment",
    "Payments",
];

/// Ruby constants of a gem used without a `require` in the file: in a
/// Rails or any Bundler application, `Bundler.require` loads the Gemfile's
/// gems at boot, so `Stripe::Customer.create` in a service object is
/// Stripe's. The constant is the gem's conventional one (`stripe` →
/// `Stripe`, `sentry-ruby` → `Sentry`) or an import name from the catalog;
/// generic words (`Analytics`, `Client`) are left out, since first-party
/// classes use them.
fn ruby_global_constants(
    facts: &FileFacts,
    index: &Index,
    bound: &mut BTreeMap<String, BTreeSet<VendorIx>>,
) {
    // A class's own name, without the modules it is in (`Billing.Stripe`).
    let defined: BTreeSet<&str> = facts
        .functions
        .iter()
        .filter_map(|f| f.owner.as_deref())
        .filter_map(|o| o.rsplit('.').next())
        .collect();
    for root in capitalised_roots(facts) {
        if bound.contains_key(&root)
            || defined.contains(root.as_str())
            || RUBY_GENERIC_CONSTANTS.contains(&root.as_str())
        {
            continue;
        }
        let vendors = index.ruby_constant(&root);
        if !vendors.is_empty() {
            bound.insert(root, vendors);
        }
    }
}

/// The distinct capitalised roots of the file's callees and binding values
/// (`Stripe` in `Stripe::Customer.create`, `\Stripe\Customer::create`):
/// class names, where a variable would be lowercase.
fn capitalised_roots(facts: &FileFacts) -> Vec<String> {
    let call_roots = facts.all_calls().map(|c| c.callee.as_str());
    let binding_roots = facts.bindings.iter().map(|b| b.root.as_str());
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    for raw in call_roots.chain(binding_roots) {
        let d = dotted(raw);
        let root = d.split('.').next().unwrap_or("");
        if root.starts_with(|c: char| c.is_ascii_uppercase()) && seen.insert(root.to_string()) {
            out.push(root.to_string());
        }
    }
    out
}

/// PHP classes used by their global or fully qualified name without a
/// `use` (`Mixpanel::getInstance(...)`, `new \Mixpanel(...)`,
/// `\Stripe\Customer::create(...)`): Composer autoloads them, so the
/// name itself says which SDK it is. Only capitalised roots count (variables
/// are written `$mixpanel` and lose the `$`), and a name a `use` binds to
/// another module is that module's.
fn php_global_classes(
    facts: &FileFacts,
    index: &Index,
    bound: &mut BTreeMap<String, BTreeSet<VendorIx>>,
) {
    let imported: BTreeSet<&str> = facts
        .imports
        .iter()
        .flat_map(|i| i.bindings.iter().map(String::as_str))
        .collect();
    for root in capitalised_roots(facts) {
        if imported.contains(root.as_str()) || bound.contains_key(&root) {
            continue;
        }
        let vendors = vendors_of(Lang::Php, &root, index);
        if !vendors.is_empty() {
            bound.insert(root, vendors);
        }
    }
}

/// The constant a Ruby `require` usually defines: `stripe` → `Stripe`,
/// `sentry-ruby` → `Sentry`, `mixpanel-ruby` → `Mixpanel`. A guess from the
/// gem's conventions, only used for a file that requires the gem.
pub(crate) fn ruby_constant(module: &str) -> Option<String> {
    let first = module.trim().split('/').next()?;
    let base = first.strip_suffix("-ruby").unwrap_or(first);
    let out: String = base
        .split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|h| h.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    (!out.is_empty() && out.chars().all(|c| c.is_ascii_alphanumeric())).then_some(out)
}

/// The vendors of a callee's receiver: its root identifier, or for a
/// member of the object itself (`this.stripe.customers.create`,
/// `self.client.messages.create`, PHP's `$this->stripe->...`) the field,
/// bound where a method of the class assigned it (`this.stripe = new
/// Stripe(key)` in the constructor). Fields are matched by name within
/// the file, like every binding.
fn receiver<'b>(
    callee: &str,
    bound: &'b BTreeMap<String, BTreeSet<VendorIx>>,
) -> Option<&'b BTreeSet<VendorIx>> {
    let mut parts = callee.split('.');
    let root = parts.next().unwrap_or(callee);
    if matches!(root, "this" | "self" | "cls" | "static")
        && let Some(field) = parts.next()
    {
        for owner in ["this", "self"] {
            if let Some(v) = bound.get(&format!("{owner}.{field}")) {
                return Some(v);
            }
        }
        // `self.client` where Ruby memoised `@client ||= ...`; `this.client`
        // where Java or Kotlin declared the field by its type.
        return bound.get(&format!("@{field}")).or_else(|| bound.get(field));
    }
    bound.get(root)
}

/// True when `callee` is `method` or ends with `.method`.
fn ends_with_method(callee: &str, method: &str) -> bool {
    let method = method.trim();
    if method.is_empty() {
        return false;
    }
    callee == method
        || callee
            .strip_suffix(method)
            .is_some_and(|head| head.ends_with('.'))
}

/// The callee with language separators made dots (`Stripe::Customer.create`,
/// `\Stripe\Customer::create`, `$client->customers->create`).
pub(crate) fn dotted(callee: &str) -> String {
    callee
        .replace("::", ".")
        .replace("->", ".")
        .replace('\\', ".")
        .trim_start_matches('.')
        .trim_start_matches('$')
        .to_string()
}

/// True when `expr` is a name or a member chain (`account`,
/// `ctx.emailAccount`, `this.user`), nothing computed.
pub(crate) fn is_plain_chain(expr: &str) -> bool {
    let e = expr.trim();
    !e.is_empty()
        && e.starts_with(|c: char| c.is_alphabetic() || c == '_' || c == '$' || c == '@')
        && e.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '$' | '@' | '.' | '?'))
}

/// A value that is a literal (string, number, boolean, null, an empty
/// list or object): a constant of the code, not user data (an event name,
/// a plan id).
pub(crate) fn is_literal(expr: &str) -> bool {
    let e = expr.trim();
    e.is_empty()
        || matches!(e, "[]" | "{}" | "()")
        || (e.starts_with(['"', '\'', '`']) && !interpolates(e))
        || e.chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit() || c == '-')
        || matches!(
            e,
            "true" | "false" | "True" | "False" | "null" | "nil" | "None" | "undefined"
        )
        || is_function_literal(e)
        || is_enum_member(e)
}

/// True when `e` is a constant of a type or module (`ErrorType.INCORRECT_API_KEY`,
/// `Status::ACTIVE`): a value the code names, whatever its words say.
fn is_enum_member(e: &str) -> bool {
    let dotted = e.replace("::", ".");
    let parts: Vec<&str> = dotted.split('.').collect();
    let ident = |p: &str| {
        !p.is_empty()
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !p.starts_with(|c: char| c.is_ascii_digit())
    };
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return false;
    };
    parts.len() >= 2
        && parts.iter().all(|p| ident(p))
        && first.starts_with(|c: char| c.is_ascii_uppercase())
        && last.len() >= 2
        && last.chars().any(|c| c.is_ascii_uppercase())
        && last
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// True when `e` is a function written in place (`async ({ text }) =>
/// {...}`, `function (x) {...}`, `lambda x: ...`, `fn($x) => ...`, `->
/// (x) { ... }`): code the vendor calls back, not data it is sent.
fn is_function_literal(e: &str) -> bool {
    let word = |w: &str| {
        e.strip_prefix(w)
            .is_some_and(|r| r.starts_with([' ', '(', '{', ':', '*']))
    };
    if word("function") || word("lambda") || word("proc") || e.starts_with("->") {
        return true;
    }
    let rest = e
        .strip_prefix("async")
        .filter(|r| r.starts_with([' ', '(']))
        .map_or(e, str::trim_start);
    let rest = rest
        .strip_prefix("fn")
        .filter(|r| r.starts_with('('))
        .unwrap_or(rest);
    let Some(at) = rest.find("=>") else {
        return false;
    };
    let head = rest[..at].trim();
    // `x => ...`, or `(...)` with an optional return type before `=>`.
    let ident = |t: &str| {
        !t.is_empty()
            && t.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    };
    if ident(head) {
        return true;
    }
    if !head.starts_with('(') {
        return false;
    }
    let mut depth = 0i32;
    for (i, c) in head.char_indices() {
        match c {
            '(' | '{' | '[' => depth += 1,
            ')' | '}' | ']' => {
                depth -= 1;
                if depth == 0 {
                    let tail = head[i + 1..].trim();
                    return tail.is_empty() || tail.starts_with(':');
                }
            }
            _ => {}
        }
    }
    false
}

/// A string with values interpolated into it: a JS template with `${...}`,
/// a Ruby `"...#{...}"`: what it carries depends on those values.
pub(crate) fn interpolates(e: &str) -> bool {
    (e.starts_with('`') && e.contains("${")) || (e.starts_with('"') && e.contains("#{"))
}

/// A method whose first positional argument is an event name (`track`,
/// `capture`, `screen`, `page`, `logEvent`, `track_event`), unless it is a user id (older
/// server SDKs take `capture(distinct_id, event, props)`).
pub(crate) fn sends_events(callee: &str) -> bool {
    let method = callee
        .rsplit('.')
        .next()
        .unwrap_or(callee)
        .to_ascii_lowercase();
    method.starts_with("track")
        || matches!(method.as_str(), "capture" | "screen" | "page")
        || method.replace('_', "") == "logevent"
}

pub(crate) fn classify(arg: &Arg) -> Option<String> {
    if is_literal(&arg.expr)
        || app_credential(arg.key.as_deref())
        || super::http::is_config_value(&arg.expr)
    {
        return None;
    }
    let category = classify_arg(arg.key.as_deref(), &arg.expr)?.category;
    if category.starts_with("user.unique_id") && arg.key.is_some() {
        // `distinctId: email`: an address used as the id is still an
        // address, and that is what the vendor holds.
        if let Some(contact) = contact_value(&arg.expr) {
            return Some(contact);
        }
    }
    Some(category)
}

/// The contact category (email, phone) a value's own name says it is
/// (`email`, `user.email`, `userEmail`).
pub(crate) fn contact_value(expr: &str) -> Option<String> {
    if is_literal(expr) {
        return None;
    }
    classify_arg(None, expr)
        .map(|c| c.category)
        .filter(|c| c.starts_with("user.contact.email") || c.starts_with("user.contact.phone"))
}

/// The category a call's first argument has when the catalog says the
/// call's first argument is itself a datum (`identify(id)`: a user id),
/// unless its name says it is an address (`identify(userEmail)`).
pub(crate) fn implied_category(implied: &str, expr: &str) -> String {
    contact_value(expr).unwrap_or_else(|| implied.to_string())
}

/// The category of an argument sent to vendor `v`: what its key and value
/// say ([`classify`]), or, for a vendor that carries messages, what the key
/// means there: the body of a message or an email (`text`, `html`,
/// `body`) is private content, and an email's recipients (`to`, `cc`,
/// `reply_to`) are addresses.
pub(crate) fn classify_for(arg: &Arg, v: VendorIx, specs: &Specs) -> Option<String> {
    if let Some(c) = classify(arg) {
        if c.starts_with("user.unique_id") && vendors_own_id(arg, specs.ids.get(usize::from(v))) {
            return None;
        }
        return Some(c);
    }
    if specs.messengers.contains(&v) && is_message_text(arg.key.as_deref(), &arg.expr) {
        return Some(MESSAGE.to_string());
    }
    if specs.mailers.contains(&v) && is_recipient(arg.key.as_deref(), &arg.expr) {
        return Some("user.contact.email".to_string());
    }
    None
}

/// True when an id sent to a vendor is that vendor's own id for the
/// object (`Customer::update($stripe_customer_id, ...)`, `customer:
/// user.stripeCustomerId` to Stripe): the vendor made it
/// and learns nothing new from it, as with an id in a request's path
/// (see `http::url_data`). Only an id named after the vendor counts (its
/// catalog id, or the first word of a longer one): a generic
/// `provider_customer_id` may be the application's own reference that it
/// gave the vendor (Adyen's `shopperReference`). An id of another vendor
/// (a Stripe customer id sent to an analytics vendor) stays a person's id
/// there.
fn vendors_own_id(arg: &Arg, vendor: Option<&String>) -> bool {
    let Some(vendor) = vendor else {
        return false;
    };
    let whole: String = vendor.split('-').collect();
    let first = vendor.split('-').next().unwrap_or_default();
    // By whole words (`stripe_customer_id`, `stripeCustomerId`): Box is not
    // named in `mailbox_id`, nor Ada in `metadata_id`.
    let names_vendor = |name: &str| {
        let words = identifier_words(name);
        if !matches!(words.last().map(String::as_str), Some("id" | "ids")) {
            return false;
        }
        (0..words.len()).any(|i| {
            let mut joined = String::new();
            words[i..].iter().any(|w| {
                joined.push_str(w);
                joined == whole
            })
        }) || (first.len() >= 5 && words.iter().any(|w| w == first))
    };
    let last = |s: &str| -> String {
        s.rsplit(['.', '>', ':'])
            .next()
            .unwrap_or(s)
            .trim()
            .trim_start_matches('$')
            .to_string()
    };
    let expr = arg.expr.trim();
    let plain = expr
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '$' | '-' | '>' | ':' | '@'));
    (plain && names_vendor(&last(expr)))
        || arg.key.as_deref().is_some_and(|k| names_vendor(&last(k)))
}

/// The lowercase words of an identifier, split at `_`, `-` and a lowercase
/// letter or digit followed by a capital: `stripeCustomerId` → `stripe`,
/// `customer`, `id`.
pub(crate) fn identifier_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// What a message's text is.
pub(crate) const MESSAGE: &str = "user.content.private";

/// A key that holds the text of a message someone wrote (`text`, `body`,
/// `html`, `message`, an AI request's `input`), with a value that is not a
/// literal or app config.
pub(crate) fn is_message_text(key: Option<&str>, expr: &str) -> bool {
    let Some(key) = key else {
        return false;
    };
    let last = key.rsplit('.').next().unwrap_or(key);
    let whole = last.to_ascii_lowercase();
    // The last word of a compound key (`state_message`, `html_body`,
    // `plainText`): a message's text by another name. Not `message_id`
    // or `content_type`, whose last word is something else, nor
    // `errorMessage`.
    let word = last
        .rsplit(['_', '-'])
        .next()
        .map(|w| {
            let at = w
                .char_indices()
                .rev()
                .find(|(i, c)| *i > 0 && c.is_ascii_uppercase())
                .map_or(0, |(i, _)| i);
            w[at..].to_ascii_lowercase()
        })
        .unwrap_or_default();
    (matches!(
        whole.as_str(),
        "text"
            | "body"
            | "message"
            | "content"
            | "html"
            | "react"
            | "description"
            | "desc"
            | "caption"
            | "markdown"
            | "subject"
            | "title"
            | "summary"
            | "input"
            | "inputs"
            | "prompt"
            | "messages"
            // A rich message's parts: Slack's and Mattermost's blocks and
            // attachments, Discord's embeds, Teams' attachments (cards),
            // Google Chat's cards and their sections and widgets.
            | "blocks"
            | "attachments"
            | "embeds"
            | "cards"
            | "cardsv2"
            | "sections"
            | "widgets"
    ) || (whole != word
        // An error's message is what the application says went wrong.
        && !whole.starts_with("error")
        && matches!(
            word.as_str(),
            "text" | "body" | "message" | "content" | "description" | "markdown"
        )))
        && !is_literal(expr)
        && !super::http::is_app_config(expr)
}

/// An email's recipients: `to`, `cc`, `bcc`, `reply_to`/`replyTo`.
fn is_recipient(key: Option<&str>, expr: &str) -> bool {
    let Some(key) = key else {
        return false;
    };
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    matches!(
        last.as_str(),
        "to" | "cc"
            | "bcc"
            | "reply_to"
            | "replyto"
            | "recipient"
            | "recipients"
            | "recipient_list"
    ) && !is_literal(expr)
        && !super::http::is_app_config(expr)
}

/// A request option that authenticates the application to the vendor
/// (`{ api_key: }` on a Stripe call, `apiKey`, `secret_access_key`): how the
/// call is made, not a person's data that the vendor receives. A person's
/// own password or token passed under another key is still reported, and
/// other secrets of the system (`client_secret`) are classified as such.
fn app_credential(key: Option<&str>) -> bool {
    let Some(key) = key else {
        return false;
    };
    let last = key.rsplit('.').next().unwrap_or(key);
    let norm: String = last
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(
        norm.as_str(),
        "apikey"
            | "apisecret"
            | "secretkey"
            | "accesskey"
            | "accesskeyid"
            | "secretaccesskey"
            | "idempotencykey"
    )
}

/// Call evidence and the fields passed at each vendor call site of a file.
pub fn detect(
    lang: Lang,
    facts: &FileFacts,
    index: &Index,
    specs: &Specs,
) -> (Vec<Finding>, Vec<CallField>) {
    if facts.imports.is_empty()
        && facts.type_imports.is_empty()
        && !matches!(lang, Lang::Php | Lang::Ruby)
    {
        return (Vec::new(), Vec::new());
    }
    let bound = bound_names(lang, facts, index);
    if bound.is_empty() {
        return (Vec::new(), Vec::new());
    }
    match_calls(facts, &bound, specs, &Seed::default(), |_| true)
}

/// Every call of the file (each once) that `keep` accepts, matched against
/// `bound`: call evidence and the fields passed.
fn match_calls(
    facts: &FileFacts,
    bound: &BTreeMap<String, BTreeSet<VendorIx>>,
    specs: &Specs,
    seed: &Seed,
    keep: impl Fn(&Call) -> bool,
) -> (Vec<Finding>, Vec<CallField>) {
    let mut findings = Vec::new();
    let mut fields = BTreeSet::new();
    let calls = facts.all_calls();
    let built = builders(facts);
    let made_of = composed(facts);
    let renamed = aliases(facts);
    let made = seed.with_endpoints(endpoints(facts, bound, specs, &renamed));
    let mut seen: BTreeSet<(u32, &str)> = BTreeSet::new();
    for call in calls {
        if !seen.insert((call.line, call.callee.as_str())) || !keep(call) {
            continue;
        }
        let call = &*with_constructor_args(as_endpoint(call, &made), facts);
        match_call(call, bound, specs, &renamed, &mut findings, &mut fields);
        if !built.is_empty() {
            builder_fields(call, bound, specs, &built, &renamed, &mut fields);
        }
        if !made_of.is_empty() {
            composed_fields(call, bound, specs, &made_of, &renamed, &mut fields);
        }
    }
    scope_users(facts, &findings, &mut fields);
    (findings, fields.into_iter().collect())
}

/// How many lines after a scope's `setUser` a capture still sends that
/// user ([`scope_users`]).
const SCOPE_REACH: u32 = 30;

/// The user a vendor's scope was given (`$scope->setUser(['email' =>
/// $email])`, `Sentry.setUser({ id })`) is sent with each event captured
/// after it: the fields of a `setUser`/`set_user` call are also the fields
/// of the same vendor's `capture…` calls in the next [`SCOPE_REACH`] lines
/// of the file, named for where the user was set.
fn scope_users(facts: &FileFacts, findings: &[Finding], fields: &mut BTreeSet<CallField>) {
    let method = |text: &str| {
        let head = text.split('(').next().unwrap_or(text);
        head.rsplit(['.', ':', '>'])
            .next()
            .unwrap_or(head)
            .to_ascii_lowercase()
    };
    let calls: Vec<(&Finding, String)> = findings
        .iter()
        .filter(|f| f.kind == EvidenceKind::Call)
        .filter_map(|f| Some((f, method(f.text.as_deref()?))))
        .collect();
    let mut added = Vec::new();
    for (set, _) in calls
        .iter()
        .filter(|(_, m)| m == "setuser" || m == "set_user")
    {
        let end = facts
            .all_calls()
            .filter(|c| c.line == set.line)
            .map(|c| c.end_line.max(c.line))
            .max()
            .unwrap_or(set.line);
        let user: Vec<&CallField> = fields
            .iter()
            .filter(|f| f.vendor == set.vendor && (set.line..=end).contains(&f.line))
            .collect();
        for (capture, _) in calls.iter().filter(|(c, m)| {
            c.vendor == set.vendor
                && m.starts_with("capture")
                && c.line > end
                && c.line - end <= SCOPE_REACH
        }) {
            for f in &user {
                added.push(CallField {
                    vendor: f.vendor,
                    category: f.category.clone(),
                    name: format!("{} (the scope's user, set at line {})", f.name, f.line),
                    line: capture.line,
                });
            }
        }
    }
    fields.extend(added);
}

/// The vendor calls of a file made on clients that another file of the
/// application creates and exports (`seed`: the local names they are
/// imported under), with their fields: only calls the file's own bindings
/// do not already give, so that nothing is reported twice.
pub(crate) fn detect_seeded(
    lang: Lang,
    facts: &FileFacts,
    index: &Index,
    specs: &Specs,
    seed: &Seed,
) -> (Vec<Finding>, Vec<CallField>) {
    if seed.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let own = bound_names(lang, facts, index);
    let bound = bound_names_from(lang, facts, index, seed.bound.clone());
    match_calls(facts, &bound, specs, seed, |call| {
        let callee = dotted(&call.callee);
        seed.endpoints.contains_key(callee.as_str())
            || receiver(&callee, &bound) != receiver(&callee, &own)
    })
}

/// The names a file imports under another name, by local name: `import {
/// captureException as sentryCaptureException }` gives
/// `sentryCaptureException` → `captureException`.
pub(crate) fn aliases(facts: &FileFacts) -> BTreeMap<&str, &str> {
    facts
        .imports
        .iter()
        .flat_map(|i| i.renamed.iter())
        .map(|(original, alias)| (alias.as_str(), original.as_str()))
        .collect()
}

/// The vendors (with the matching catalog call) a call sends data to, and
/// its callee dotted. A callee whose root is an imported name renamed
/// (`aliases`) is matched by the exported name too: the catalog's
/// `captureException` is called as `sentryCaptureException(...)`.
pub(crate) fn matching<'s>(
    call: &Call,
    bound: &BTreeMap<String, BTreeSet<VendorIx>>,
    specs: &'s Specs,
    aliases: &BTreeMap<&str, &str>,
) -> (String, Vec<(VendorIx, &'s CallSpec)>) {
    let callee = dotted(&call.callee);
    let Some(vendors) = receiver(&callee, bound) else {
        return (callee, Vec::new());
    };
    let (root, rest) = callee.split_at(callee.find('.').unwrap_or(callee.len()));
    let exported = aliases
        .get(root)
        .map(|original| format!("{original}{rest}"));
    let found = vendors
        .iter()
        .filter_map(|&v| {
            specs
                .calls
                .get(usize::from(v))
                .and_then(|list| {
                    list.iter().find(|s| {
                        let method = dotted(s.method());
                        ends_with_method(&callee, &method)
                            || exported
                                .as_deref()
                                .is_some_and(|e| ends_with_method(e, &method))
                    })
                })
                .map(|spec| (v, spec))
        })
        .collect();
    (callee, found)
}

/// Functions a vendor's client makes, which send what they are called with:
/// `const publish = tb.buildIngestEndpoint({ datasource: "events" })`,
/// then `publish({ ownerEmail })`. By the bound name, the callee of the
/// catalog call that made it (`tb.buildIngestEndpoint`).
pub(crate) fn endpoints(
    facts: &FileFacts,
    bound: &BTreeMap<String, BTreeSet<VendorIx>>,
    specs: &Specs,
    renamed: &BTreeMap<&str, &str>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if facts.bindings.is_empty() {
        return out;
    }
    let calls: Vec<&Call> = facts.all_calls().collect();
    for (i, b) in facts.bindings.iter().enumerate() {
        if b.name.contains('.') || out.contains_key(&b.name) {
            continue;
        }
        // The maker is on the binding's line, or on one of the next two
        // when the value is a conditional (`const publish = tb\n ?
        // tb.buildIngestEndpoint({...})\n : () => {}`), before the next
        // binding.
        let next = facts.bindings[i + 1..]
            .iter()
            .map(|n| n.line)
            .find(|&l| l > b.line)
            .unwrap_or(u32::MAX);
        let made = calls.iter().find(|c| {
            (b.line..=b.line.saturating_add(2)).contains(&c.line)
                && c.line < next
                && dotted(&c.callee)
                    .strip_prefix(b.root.as_str())
                    .is_some_and(|rest| rest.starts_with('.'))
                && !matching(c, bound, specs, renamed).1.is_empty()
        });
        if let Some(c) = made {
            out.insert(b.name.clone(), dotted(&c.callee));
        }
    }
    out
}

/// `call` as the vendor call it stands for when its callee is one of
/// `endpoints` (the original text and arguments, the maker's callee).
pub(crate) fn as_endpoint<'c>(
    call: &'c Call,
    endpoints: &BTreeMap<String, String>,
) -> std::borrow::Cow<'c, Call> {
    match endpoints.get(call.callee.as_str()) {
        Some(maker) => std::borrow::Cow::Owned(Call {
            callee: maker.clone(),
            ..call.clone()
        }),
        None => std::borrow::Cow::Borrowed(call),
    }
}

/// `call` with the arguments of the object it is called on, when that
/// object is made in the same expression and the call is given nothing
/// but constants of its own (Ruby's `Valvat.new(number).exists?(detail:
/// true)`): the method sends what the object was made with. Where the
/// call has data of its own (`Client.new(access_token:).payments
/// .create(params: {...})`), the object is a client and what it was made
/// with is its configuration. The constructor's arguments come after the
/// call's own.
pub(crate) fn with_constructor_args<'c>(
    call: std::borrow::Cow<'c, Call>,
    facts: &FileFacts,
) -> std::borrow::Cow<'c, Call> {
    let Some(at) = call.callee.find(".new.") else {
        return call;
    };
    if !call.args.iter().all(|a| is_literal(&a.expr)) {
        return call;
    }
    let maker = &call.callee[..at + ".new".len()];
    let Some(made) = facts.all_calls().find(|c| {
        c.line == call.line
            && c.callee == maker
            && !c.args.is_empty()
            && call.text.starts_with(c.text.as_str())
    }) else {
        return call;
    };
    let mut call = call.into_owned();
    call.args.extend(made.args.iter().cloned());
    std::borrow::Cow::Owned(call)
}

/// Values set through a builder (`CustomerCreateParams.builder()
/// .setEmail(email).build()` bound to `params`), by the bound name: each
/// setter (`setEmail`, `withName`, `email`) gives its key without the
/// verb, with the value passed and its line.
fn builders(facts: &FileFacts) -> BTreeMap<&str, Vec<(String, &Arg)>> {
    let mut out: BTreeMap<&str, Vec<(String, &Arg)>> = BTreeMap::new();
    let calls: Vec<&Call> = facts.all_calls().collect();
    for b in &facts.bindings {
        for c in calls.iter().filter(|c| c.line == b.line) {
            let d = dotted(&c.callee);
            if !d.starts_with(b.root.as_str()) || !d.contains(".builder") {
                continue;
            }
            let Some(setter) = d.rsplit('.').next() else {
                continue;
            };
            let key = setter
                .strip_prefix("set")
                .or_else(|| setter.strip_prefix("with"))
                .unwrap_or(setter);
            if key.is_empty() || matches!(key, "builder" | "build") {
                continue;
            }
            if let Some(arg) = c.args.first() {
                let entry = out.entry(b.name.as_str()).or_default();
                if !entry.iter().any(|(k, a)| k == key && a.line == arg.line) {
                    entry.push((key.to_string(), arg));
                }
            }
        }
    }
    out
}

/// The words of a helper's name that say it composes a message from what
/// it is given (`createRawMailMessage`, `buildEmailBody`, `composeMime`):
/// a verb of making and a noun of a message.
pub(crate) fn composes_message(callee: &str) -> bool {
    const MAKE: &[&str] = &[
        "create", "build", "compose", "make", "format", "render", "encode", "prepare",
    ];
    const MESSAGE: &[&str] = &["message", "mail", "email", "mime", "envelope"];
    let words = identifier_words(callee.rsplit(['.', ':']).next().unwrap_or(callee));
    words.iter().any(|w| MAKE.contains(&w.as_str()))
        && words.iter().any(|w| MESSAGE.contains(&w.as_str()))
}

/// A binding of a local: its line and, for a composed message, the keyed
/// values the composing call was given (none for another value).
type Composed<'f> = (u32, Vec<(String, &'f Arg)>);

/// Messages a helper composes from keyed values and binds to a local
/// (`const raw = await createRawMailMessage({ to, subject, messageHtml })`,
/// then `gmail.users.messages.send({ requestBody: { raw } })`), by the
/// local's name: the message holds each value it was made of. Only a
/// helper named for composing a message ([`composes_message`]): what
/// another call gives back (`const user = await findUser({ email })`) is
/// not what it was asked with.
fn composed(facts: &FileFacts) -> BTreeMap<&str, Vec<Composed<'_>>> {
    let mut out: BTreeMap<&str, Vec<Composed<'_>>> = BTreeMap::new();
    if !facts.bindings.iter().any(|b| composes_message(&b.root)) {
        return out;
    }
    let makers: Vec<(String, &Call)> = facts
        .all_calls()
        .map(|c| (dotted(&c.callee), c))
        .filter(|(d, _)| composes_message(d))
        .collect();
    for b in facts.bindings.iter().filter(|b| !b.name.contains('.')) {
        let keyed: Vec<(String, &Arg)> = makers
            .iter()
            .filter(|(d, _)| *d == b.root)
            .map(|(_, c)| *c)
            .find(|c| (b.line..=b.line.saturating_add(1)).contains(&c.line))
            .map(|c| {
                c.args
                    .iter()
                    .filter_map(|a| Some((a.key.clone()?, a)))
                    .collect()
            })
            .unwrap_or_default();
        // Every binding of the name is kept, a composed message or not:
        // the nearest one above a call is what the call sends.
        let entry = out.entry(b.name.as_str()).or_default();
        if !entry.iter().any(|(line, _)| *line == b.line) {
            entry.push((b.line, keyed));
        }
    }
    out.retain(|_, list| list.iter().any(|(_, keyed)| !keyed.is_empty()));
    out
}

/// A vendor call whose argument is a message composed a few lines up
/// ([`composed`]): the values it was made of are the call's fields,
/// reported at the call. The nearest composition before the call is the
/// one it sends.
fn composed_fields(
    call: &Call,
    bound: &BTreeMap<String, BTreeSet<VendorIx>>,
    specs: &Specs,
    made_of: &BTreeMap<&str, Vec<Composed<'_>>>,
    aliases: &BTreeMap<&str, &str>,
    fields: &mut BTreeSet<CallField>,
) {
    /// How far above the call a composition is looked for.
    const REACH: u32 = 40;
    let (_, matched) = matching(call, bound, specs, aliases);
    if matched.is_empty() {
        return;
    }
    for arg in &call.args {
        let name = arg.expr.trim();
        let Some((_, values)) = made_of.get(name).and_then(|list| {
            list.iter()
                .filter(|(line, _)| *line < call.line && call.line - line <= REACH)
                .max_by_key(|(line, _)| *line)
        }) else {
            continue;
        };
        for (key, value) in values {
            if is_literal(&value.expr) {
                continue;
            }
            let Some(c) = classify_arg(Some(key), &value.expr) else {
                continue;
            };
            for (v, _) in &matched {
                fields.insert(CallField {
                    vendor: *v,
                    category: c.category.clone(),
                    name: format!("{name}.{key} (built at line {})", value.line),
                    line: call.line,
                });
            }
        }
    }
}

/// A vendor call whose argument is a builder's result: the builder's
/// setters are the call's fields.
fn builder_fields(
    call: &Call,
    bound: &BTreeMap<String, BTreeSet<VendorIx>>,
    specs: &Specs,
    built: &BTreeMap<&str, Vec<(String, &Arg)>>,
    aliases: &BTreeMap<&str, &str>,
    fields: &mut BTreeSet<CallField>,
) {
    let (_, matched) = matching(call, bound, specs, aliases);
    if matched.is_empty() {
        return;
    }
    for arg in &call.args {
        let Some(setters) = built.get(arg.expr.trim()) else {
            continue;
        };
        for (key, value) in setters {
            if is_literal(&value.expr) {
                continue;
            }
            if let Some(c) = classify_arg(Some(key), &value.expr) {
                let name = format!("{}.{key}", arg.expr.trim());
                let (line, name) = if call.outside(value.line) {
                    (call.line, format!("{name} (built at line {})", value.line))
                } else {
                    (value.line, name)
                };
                for (v, _) in &matched {
                    fields.insert(CallField {
                        vendor: *v,
                        category: c.category.clone(),
                        name: name.clone(),
                        line,
                    });
                }
            }
        }
    }
}

/// Where a field is reported and how it is named: at its own line when it
/// is written in the call, and at the call, "built at line N", when the
/// value was built elsewhere (`props.email = ...` then `track(e, props)`,
/// or a payload method defined below the call): the call is where the data
/// leaves, and where a reviewer looks.
pub(crate) fn at_call(call: &Call, arg: &Arg) -> (u32, String) {
    let name = arg.key.clone().unwrap_or_else(|| arg.expr.clone());
    if call.outside(arg.line) {
        (call.line, format!("{name} (built at line {})", arg.line))
    } else {
        (arg.line, name)
    }
}

fn match_call(
    call: &Call,
    bound: &BTreeMap<String, BTreeSet<VendorIx>>,
    specs: &Specs,
    aliases: &BTreeMap<&str, &str>,
    findings: &mut Vec<Finding>,
    fields: &mut BTreeSet<CallField>,
) {
    let (callee, matched) = matching(call, bound, specs, aliases);
    for (v, spec) in matched {
        findings.push(Finding {
            vendor: v,
            kind: EvidenceKind::Call,
            line: call.line,
            text: (!call.text.trim().is_empty()).then(|| call.text.trim().to_string()),
            scope: Scope::Production,
        });
        let event_call = sends_events(&callee);
        for (i, arg) in call.args.iter().enumerate() {
            if let Some(category) = classify_for(arg, v, specs) {
                if i == 0
                    && event_call
                    && arg.key.is_none()
                    && !category.starts_with("user.unique_id")
                {
                    // `track(name, props)`: the event's name, not a person's.
                    continue;
                }
                let (line, name) = at_call(call, arg);
                fields.insert(CallField {
                    vendor: v,
                    category,
                    name,
                    line,
                });
            }
        }
        if let Some(implied) = spec.implies()
            && let Some(first) = call.args.first().filter(|a| a.key.is_none())
            && !is_literal(&first.expr)
        {
            fields.insert(CallField {
                vendor: v,
                category: implied_category(implied, &first.expr),
                name: first.expr.clone(),
                line: first.line,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_suffix_at_a_dot() {
        assert!(ends_with_method("mixpanel.people.set", "people.set"));
        assert!(ends_with_method("identify", "identify"));
        assert!(!ends_with_method("mixpanel.people.reset", "set"));
        assert!(!ends_with_method("mixpanel.apeople.set", "people.set"));
        assert!(!ends_with_method("a.track", ""));
    }

    #[test]
    fn a_function_written_in_place_is_no_data() {
        for f in [
            "async ({ text }: { text: string }) => {",
            "(text) => repair(text)",
            "(a, b): string => a",
            "text => text.trim()",
            "function (event) { return event; }",
            "lambda text: text.strip()",
            "fn($x) => $x",
            "-> (t) { t }",
        ] {
            assert!(is_literal(f), "{f}");
        }
        for v in [
            "(user.email || fallback)",
            "(a ? b : c)",
            "functionName",
            "asyncValue",
            "user.text",
            "lambdaResult",
        ] {
            assert!(!is_literal(v), "{v}");
        }
    }

    #[test]
    fn a_message_is_its_text_subject_and_title() {
        assert!(is_message_text(Some("html"), "render(digest)"));
        assert!(is_message_text(Some("subject"), "thread.subject"));
        assert!(is_message_text(Some("data.title"), "check.title"));
        assert!(!is_message_text(Some("subject"), "\"Your receipt\""));
        assert!(!is_message_text(Some("subject"), "settings.EMAIL_SUBJECT"));
        assert!(!is_message_text(Some("channel"), "channel_id"));
        assert!(!is_message_text(None, "subject"));
        assert!(is_message_text(Some("blocks"), "digestBlocks(items)"));
        assert!(is_message_text(Some("json.widgets"), "rows"));
        assert!(!is_message_text(Some("blocks"), "[]"));
    }

    #[test]
    fn a_vendors_own_id_is_named_after_it_by_whole_words() {
        let arg = |key: Option<&str>, expr: &str| Arg {
            key: key.map(str::to_string),
            expr: expr.to_string(),
            line: 1,
            position: Some(0),
        };
        let stripe = "stripe".to_string();
        assert!(vendors_own_id(
            &arg(None, "$team->stripe_customer_id"),
            Some(&stripe)
        ));
        assert!(vendors_own_id(
            &arg(Some("customer"), "user.stripeCustomerId"),
            Some(&stripe)
        ));
        assert!(!vendors_own_id(
            &arg(Some("customer"), "user.id"),
            Some(&stripe)
        ));
        assert!(!vendors_own_id(
            &arg(None, "stripe_customer"),
            Some(&stripe)
        ));
        let box_ = "box".to_string();
        assert!(!vendors_own_id(&arg(None, "mailbox_id"), Some(&box_)));
        assert!(vendors_own_id(&arg(None, "box_file_id"), Some(&box_)));
        let lemon = "lemon-squeezy".to_string();
        assert!(vendors_own_id(
            &arg(None, "lemonSqueezyCustomerId"),
            Some(&lemon)
        ));
        assert!(vendors_own_id(
            &arg(None, "lemon_customer_id"),
            Some(&lemon)
        ));
    }

    #[test]
    fn a_compound_key_is_a_message_by_its_last_word() {
        assert!(is_message_text(Some("json.state_message"), "self.tmpl(x)"));
        assert!(is_message_text(Some("params.desc"), "self.tmpl(x)"));
        assert!(is_message_text(Some("plainText"), "render(digest)"));
        assert!(is_message_text(Some("html_body"), "render(digest)"));
        assert!(!is_message_text(Some("message_id"), "msg.id"));
        assert!(!is_message_text(Some("content_type"), "mime"));
        assert!(!is_message_text(Some("errorMessage"), "err.message"));
        assert!(!is_message_text(Some("textStyle"), "styles"));
    }

    #[test]
    fn ruby_requires_name_their_constant() {
        assert_eq!(ruby_constant("stripe").as_deref(), Some("Stripe"));
        assert_eq!(ruby_constant("sentry-ruby").as_deref(), Some("Sentry"));
        assert_eq!(
            ruby_constant("segment/analytics").as_deref(),
            Some("Segment")
        );
        assert_eq!(ruby_constant("").as_deref(), None);
    }

    #[test]
    fn scope_callback_parameters() {
        for (text, method) in [
            ("Sentry.configureScope((scope) => {", "configureScope"),
            (
                "Sentry.withScope(scope => scope.setUser({ email }))",
                "withScope",
            ),
            ("Sentry.configureScope(function (scope) {", "configureScope"),
            ("Sentry.configureScope { scope ->", "configureScope"),
            ("SentrySDK.configureScope { scope in", "configureScope"),
            ("Sentry.with_scope do |scope|", "with_scope"),
            (
                "sentry.ConfigureScope(func(scope *sentry.Scope) {",
                "ConfigureScope",
            ),
        ] {
            assert_eq!(
                callback_param(text, method).as_deref(),
                Some("scope"),
                "{text}"
            );
        }
        assert_eq!(
            callback_param("Sentry.configureScope()", "configureScope"),
            None
        );
    }

    #[test]
    fn literals_are_constants() {
        for e in [
            "\"Signed up\"",
            "'x'",
            "`t`",
            "42",
            "-1",
            "True",
            "null",
            // A type's or module's constant.
            "ErrorType.INCORRECT_API_KEY",
            "Status::ACTIVE",
        ] {
            assert!(is_literal(e), "{e}");
        }
        for e in [
            "user.email",
            "name",
            "props",
            "EMAIL",
            "User.email",
            "config.API_KEY",
            "Rails.application.credentials.api_key",
        ] {
            assert!(!is_literal(e), "{e}");
        }
    }
}
