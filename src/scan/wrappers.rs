//! First-party wrappers of vendor calls, and wrappers of those wrappers.
//!
//! A wrapper is a named free function whose body passes one of its own
//! parameters, as written, to a vendor's data-sending call:
//! `export function capture(event, props) { posthog.capture(event, props) }`.
//! A parameter may be one member of a destructured object
//! (`sendEmail({ to, subject })`, whose call sites pass `{ to: ... }`). A
//! function that passes its own parameters to a wrapper of its file in the
//! places that wrapper forwards is a wrapper too, a few levels deep
//! (`sendInviteEmail` → `sendEmail` → `resend.emails.send`); what it adds
//! there of its own (an email it looks up) is reported at its call sites,
//! except a message's text, which each caller composes.
//! Its call sites (`capture("signup", { email: user.email })`) then send
//! what they pass in those parameters' places to that vendor, and are
//! reported as calls of the vendor, with evidence that names the wrapper.
//!
//! Two phases, so that the scan stays one read of most files:
//! 1. while each file is analysed, [`defined`] lists its wrappers (only
//!    files that mention a vendor are parsed, and a wrapper's file imports
//!    the vendor);
//! 2. after all files, the pipeline re-reads only the files of a wrapper's
//!    language whose text has a wrapper's name followed by `(` and either is
//!    the wrapper's file (or, in Go, its package's folder) or mentions the
//!    wrapper's module; [`resolve`] then keeps the calls whose name is
//!    visible from the wrapper: the same file, the same Go package, or an
//!    import of the wrapper's module (JS/TS relative specifiers and the
//!    `@/`, `~/`, `#`, `$lib/` aliases by path suffix; Python dotted and
//!    relative modules; Go import paths by folder suffix).
//!
//! Methods are wrappers too in Java, Kotlin, Swift, PHP (and Ruby, whose
//! receivers are typed by the class they were made with), whose receivers
//! have declared types: `analyticsTracker.capture(event)` is a call of
//! `DefaultAnalytics.capture` when `analyticsTracker` is declared of that
//! class or of one of its ancestors (read from every type header of the
//! tree by [`type_decls`]); a field with no declaration in the file (one
//! inherited from a base class) is taken to be of the type it is named
//! after. What the wrapper's vendor call sends that no parameter gives (an
//! analytics id) is reported at each call site. A background job's
//! `perform` is called by enqueuing it through its class
//! (`SegmentTrackJob.perform_later(...)`, Sidekiq's `perform_async`).
//!
//! Before the wrappers, *handles* are followed: a vendor client a module
//! creates at its top level and other files import ([`Handle`]); their
//! calls on it are the vendor's, and their functions can be wrappers.
//!
//! Kotlin's top-level functions are called without their file's name: in
//! their own package (taken to be their folder) with no import, elsewhere
//! after `import pkg.name`; an extension function is called on a receiver
//! (`map?.zoomToLocation(x)`), so it is matched by its name after the last
//! dot, unless a bare call names a method of the caller's own class.
//!
//! Across files, a function that passes its parameters on to a wrapper it
//! imports is a wrapper of its own file ([`outer_of_imported`], with the
//! functions of that file around it), found when the pipeline reads the
//! calls of the imported one; its calls are then resolved in every file
//! like the first wrapper's, and the functions around it are the next
//! level's. Every level's calls are call sites, as the benchmark's
//! labelling rule has it (a call that passes a person's data on towards a
//! vendor through first-party functions), up to [`MAX_LEVEL`]: the
//! vendor's own call is level 0, a wrapper's callers level 1, theirs level
//! 2, and calls further than level 4 are not followed.
//!
//! Ruby's service objects are followed further (see [`keeps_state`] and
//! [`around_methods`]): a method that sends its object's own data is a
//! wrapper of that data, and a Ruby method around another file's method,
//! reached through its class, is the next level's wrapper.
//!
//! Limits, on purpose: across files only functions (and Ruby's methods)
//! are followed this way (a method of another file is reached through a
//! receiver's type, not a name); every call of a wrapper is a call site,
//! including the outer wrapper's own call of the inner one; methods of JS, Python and Go types
//! around an SDK call are not followed (their receivers have no declared
//! type); a parameter
//! counts as forwarded when it is passed as it is (`props`, `...props`,
//! `**props`), as one of its members (`options.email`), interpolated in a
//! string, or as one alternative of a choice (`test ? "qa@example.com" :
//! to`).
//!
//! A function or method around a plain HTTP request to a vendor's API is a
//! wrapper too ([`of_requests`]), in every language: an API client class's
//! `send`/`request` method, called by the class's other methods through
//! the object itself (`self.send(...)`, `this.request(...)`), where they
//! compose what is sent, and by other files through the class's name
//! (`Telegram.send(...)`) or an instance typed as above.

use std::collections::{BTreeMap, BTreeSet};

use super::Finding;
use super::calls::{self, CallField};
use super::index::{Index, VendorIx};
use super::lang::{Arg, Binding, Call, FileFacts, FunctionDef, Lang};
use crate::catalog::CallSpec;
use crate::model::{EvidenceKind, Scope};

/// Languages whose wrappers are followed across files; wrappers of the
/// others are followed within their own file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    /// JS, TS, TSX, Vue and Svelte script blocks.
    Js,
    /// Python.
    Python,
    /// Go (a package is a folder).
    Go,
    /// Java and Kotlin, which call each other: methods through the types
    /// of their receivers; Kotlin top-level functions (extension functions
    /// among them) in their package's folder or where imported by name.
    Jvm,
    /// Any other language: functions in their own file only, methods
    /// through the types of their receivers.
    Other(Lang),
}

impl Family {
    /// Languages whose methods are followed through typed receivers (and
    /// whose functions are followed within their file only).
    pub fn typed(self) -> bool {
        matches!(self, Family::Jvm | Family::Other(_))
    }

    /// Languages where a method calls another of its class by name alone
    /// (`create_payment_link(body)` in Ruby, `send(event)` in Kotlin, Java
    /// and Swift): the object itself is the receiver.
    pub fn implicit_self(self) -> bool {
        matches!(
            self,
            Family::Jvm | Family::Other(Lang::Ruby) | Family::Other(Lang::Swift)
        )
    }

    /// The family of a parsed language (its row's `wrappers`), `None` for HTML.
    pub fn of(lang: Lang) -> Option<Family> {
        lang.spec().wrappers
    }
}

/// One parameter a wrapper passes on to the vendor call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Forward {
    /// Its 0-based position among the wrapper's parameters.
    pub index: u16,
    /// Its name (for keyword arguments at the call sites).
    pub name: String,
    /// It becomes the event name of an event call (`track(name, ...)`).
    pub event_name: bool,
    /// It becomes the vendor call's first argument, which the catalog says
    /// is itself a datum of this category (`identify(id)`).
    pub implies: Option<String>,
    /// The key it is passed under (`UserId` in `Track{UserId: userID}`):
    /// what a call site's bare value is classified by.
    pub key: Option<String>,
    /// For a member of a destructured object parameter (`{ to }` in
    /// `sendEmail({ to, subject })`), its key in the object the call site
    /// passes at `index`.
    pub member: Option<String>,
    /// The member the wrapper reads off it (`email` of `account.email`):
    /// a call site that passes an object it cannot see into
    /// (`identifyAccount(account)`) sends that member of it.
    pub read: Option<String>,
    /// For a fallback (`userId: userId ?? email` sends `email` only where
    /// there is no `userId`), the parameter preferred to it: a call site
    /// that passes that one does not send this one.
    pub unless: Option<Box<Forward>>,
}

impl Forward {
    /// The parameter `p` passed as it is, nothing more known of it.
    fn of_param(p: Param<'_>) -> Forward {
        Forward {
            index: p.index,
            name: p.member.unwrap_or(p.name).to_string(),
            event_name: false,
            implies: None,
            key: None,
            member: p.member.map(str::to_string),
            read: None,
            unless: None,
        }
    }
}

/// A first-party function that forwards a parameter to a vendor call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wrapper {
    /// Its name.
    pub name: String,
    /// Its language family.
    pub family: Family,
    /// The file that defines it, relative to the root (set by the pipeline).
    pub file: String,
    /// 1-based line of the definition.
    pub line: u32,
    /// Usable from other files (exported, public by naming).
    pub exported: bool,
    /// The vendor.
    pub vendor: VendorIx,
    /// The vendor call it makes, as written (`posthog.capture`).
    pub via: String,
    /// The parameters it passes on, by position.
    pub forwards: Vec<Forward>,
    /// The class whose method it is (typed languages only), matched at call
    /// sites through the receiver's declared type.
    pub owner: Option<String>,
    /// What it sends of its own at every call (`analyticsId` added to each
    /// event): (category, name).
    pub carries: Vec<(String, String)>,
    /// A Kotlin extension function (`fun MapLibreMap.zoomTo(...)`), called
    /// on a receiver of any name (set by [`mark_extensions`]).
    pub extension: bool,
    /// It wraps a plain HTTP request ([`of_requests`]): a method of an API
    /// client class, whose calls from the class's other methods are call
    /// sites too (`notify` composing a message and calling `self.send`).
    pub request: bool,
    /// The line of the function it is defined in (see
    /// [`FunctionDef::within`]): only that function's body calls it.
    pub within: Option<u32>,
    /// How far from the vendor call its calls are: 1 for a function that
    /// makes the vendor call (its callers are level 1), one more for each
    /// wrapper in between (at most [`MAX_LEVEL`]).
    pub level: u8,
    /// Its chain reaches the vendor through a Ruby factory that picks one
    /// class among several (see [`super::ruby_tree`]): a call site in a file
    /// whose path names other vendors only (`stripe_create_job.rb`) picks
    /// one of theirs.
    pub dispatched: bool,
}

impl Wrapper {
    /// The wrapper `f` is, of `vendor` through `via`, with nothing
    /// forwarded or carried yet (`file` left empty).
    pub fn of(
        f: &FunctionDef,
        family: Family,
        vendor: VendorIx,
        via: String,
        owner: Option<String>,
    ) -> Wrapper {
        Wrapper {
            name: f.name.clone(),
            family,
            file: String::new(),
            line: f.line,
            exported: f.exported,
            vendor,
            via,
            forwards: Vec::new(),
            owner,
            carries: Vec::new(),
            extension: false,
            request: false,
            within: f.within,
            level: 1,
            dispatched: false,
        }
    }

    /// Adds forwarded parameters and carried data found at another of its
    /// vendor calls, each once, in order.
    fn add(&mut self, forwards: Vec<Forward>, carries: Vec<(String, String)>) {
        for fw in forwards {
            if !self
                .forwards
                .iter()
                .any(|x| x.index == fw.index && x.member == fw.member && x.read == fw.read)
            {
                self.forwards.push(fw);
            }
        }
        self.forwards.sort();
        for c in carries {
            if !self.carries.contains(&c) {
                self.carries.push(c);
            }
        }
        self.carries.sort();
    }
}

/// The class methods that enqueue a background job to run its `perform`
/// with the same arguments (Rails' ActiveJob, Sidekiq).
pub const JOB_ENQUEUE: &[&str] = &[
    "perform_later",
    "perform_now",
    "perform_async",
    "perform_inline",
];

/// A parameter a wrapper can forward: a plain one (`props`), or one member
/// of a destructured object parameter (`{ to }`, `{ to: recipient }`,
/// `{ to = "" }`), by the name the body uses and the key the caller passes.
#[derive(Debug, Clone, Copy)]
struct Param<'a> {
    index: u16,
    name: &'a str,
    member: Option<&'a str>,
}

/// The parameters of a definition that can be forwarded.
fn params_of(params: &[String]) -> Vec<Param<'_>> {
    let plain = |n: &str| {
        !n.is_empty()
            && n != "_"
            && n.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    };
    let mut out = Vec::new();
    for (i, p) in params.iter().enumerate() {
        let Ok(index) = u16::try_from(i) else {
            break;
        };
        let t = p.trim();
        if let Some(inner) = t.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            // One level of a destructuring pattern; nested patterns and
            // `...rest` are left out.
            if inner.contains(['{', '[']) {
                continue;
            }
            for entry in inner.split(',') {
                let entry = entry.split('=').next().unwrap_or("").trim();
                let (key, name) = match entry.split_once(':') {
                    Some((k, n)) => (k.trim(), n.trim()),
                    None => (entry, entry),
                };
                if plain(key) && plain(name) {
                    out.push(Param {
                        index,
                        name,
                        member: Some(key),
                    });
                }
            }
            continue;
        }
        let name = param_name(p);
        if plain(name) {
            out.push(Param {
                index,
                name,
                member: None,
            });
        }
    }
    out
}

/// The parameters of `f` that can be forwarded, with the members its body
/// takes out of one by destructuring (`const { userId, extra } =
/// context`): passing `userId` on forwards the caller's
/// `{ userId: ... }` in that place, not a value of the function's own. The
/// body is taken to end at its last call.
fn params_in<'a>(f: &'a FunctionDef, facts: &'a FileFacts) -> Vec<Param<'a>> {
    let mut params = params_of(&f.params);
    let calls: Vec<&Call> = body_calls(f, facts).into_iter().map(|(c, _)| c).collect();
    let end = calls
        .iter()
        .map(|c| c.end_line.max(c.line))
        .max()
        .unwrap_or(f.line);
    let whole: Vec<Param<'a>> = params
        .iter()
        .copied()
        .filter(|p| p.member.is_none())
        .collect();
    for b in facts
        .bindings
        .iter()
        .filter(|b| (f.line..=end).contains(&b.line))
    {
        if let Some(p) = spread_element(f, &whole, b) {
            if !params.iter().any(|q| q.name == b.name) {
                params.push(p);
            }
            continue;
        }
        let Some(p) = whole.iter().find(|p| {
            b.root
                .strip_prefix(p.name)
                .and_then(|r| r.strip_prefix('.'))
                .is_some_and(|m| m == b.name)
        }) else {
            continue;
        };
        if !params.iter().any(|q| q.name == b.name) {
            params.push(Param {
                index: p.index,
                name: &b.name,
                member: Some(&b.name),
            });
        }
    }
    derived(f, facts, &calls, end, &mut params);
    params
}

/// `const [options, ...rest] = args` in a function taking `...args`: the
/// element `options` is the parameter in its place (`args[0]` is the
/// first argument a call site passes).
fn spread_element<'a>(f: &FunctionDef, whole: &[Param<'a>], b: &'a Binding) -> Option<Param<'a>> {
    let (root, place) = b.root.strip_suffix(']')?.split_once('[')?;
    let place: u16 = place.parse().ok()?;
    let p = whole.iter().find(|p| p.name == root)?;
    let rest = f.params.get(usize::from(p.index))?;
    if !rest.trim_start().starts_with("...") {
        return None;
    }
    Some(Param {
        index: p.index.checked_add(place)?,
        name: &b.name,
        member: None,
    })
}

/// Adds to `params` the locals of `f` that a first-party call derives from
/// one of them and that are named like it (`const hardenedMessages =
/// harden({ messages })`, then `protectedMessages =
/// redact({ messages: hardenedMessages }).messages`): the same value,
/// transformed, in the parameter's place; also one whose name holds the
/// parameter's last word (`messagesWithCacheControl =
/// addCacheControl(messages)`); one the parameter's own methods give
/// (`threadContent = messages.map(...).join("\n")`); and a template
/// string, which carries each parameter it interpolates. A value only
/// computed from a parameter under another name (`const count =
/// countTokens(messages)`), or named as a count of it
/// (`messagesTokenCount`), is not it. In source order, so a chain of such
/// steps is followed. `calls` are `f`'s body's, which ends at `end`.
fn derived<'a>(
    f: &'a FunctionDef,
    facts: &'a FileFacts,
    calls: &[&Call],
    end: u32,
    params: &mut Vec<Param<'a>>,
) {
    const MAX: usize = 32;
    let mut added = 0;
    for b in facts
        .bindings
        .iter()
        .filter(|b| (f.line..=end).contains(&b.line) && !b.name.contains('.'))
    {
        if added >= MAX {
            break;
        }
        // `const prompt = \`Categorise ${sender}\``: the string carries
        // each parameter it interpolates, so passing it on forwards them.
        if let Some(name) = b.root.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            let from: Vec<Param<'a>> = params
                .iter()
                .filter(|p| p.name == name && p.name != b.name)
                .map(|p| Param {
                    name: &b.name,
                    ..*p
                })
                .collect();
            for p in from {
                if !params
                    .iter()
                    .any(|q| q.name == p.name && q.index == p.index && q.member == p.member)
                {
                    params.push(p);
                    added += 1;
                }
            }
            continue;
        }
        if params.iter().any(|q| q.name == b.name) {
            continue;
        }
        // Named like the parameter (`messagesWithCacheControl`), and not as
        // a count of it (`messagesTokenCount`).
        let words = calls::identifier_words(&b.name);
        if words
            .last()
            .is_some_and(|w| super::classify::COUNTS.contains(&w.as_str()))
        {
            continue;
        }
        // The call that makes the value, and the calls written in its
        // arguments (`append(redact({ options }), extra)`).
        let Some(maker) = calls.iter().find(|c| {
            (b.line..=b.line.saturating_add(2)).contains(&c.line)
                && calls::dotted(&c.callee).split('.').next() == Some(b.root.as_str())
        }) else {
            continue;
        };
        // `const threadContent = messages.map(...).join("\n")`: the
        // parameter's own methods, called on it, give it back transformed.
        let chained = params
            .iter()
            .copied()
            .find(|p| p.name == b.root && p.name != b.name);
        // The lines of the value: a chained call (`helper(message).trim()`)
        // is recorded where its last method is.
        let span = b.line.min(maker.line)..=maker.end_line.max(maker.line);
        // `const prompt = getUserPrompt({ messages, emailAccount })`: a
        // prompt a helper writes holds each parameter it is given. Not any
        // text a call gives back (`responseText = await runAi({ userId })`
        // is the model's answer, not the user id). And `identity =
        // schema.safeParse({ email, name })`: what a schema validates
        // (zod's `parse`, `safeParse`; `JSON.parse`) is the value given.
        if chained.is_none() && (validates(&maker.callee) || writes_prompt(&b.name, &maker.callee))
        {
            let given: Vec<Param<'a>> = params
                .iter()
                .copied()
                .filter(|p| {
                    p.name != b.name
                        && calls
                            .iter()
                            .filter(|c| span.contains(&c.line))
                            .flat_map(|c| c.args.iter())
                            .any(|a| is_param(&a.expr, p.name) || member_of(&a.expr, p.name))
                })
                .map(|p| Param { name: &b.name, ..p })
                .collect();
            if !given.is_empty() {
                added += given.len();
                params.extend(given);
                continue;
            }
        }
        let from = chained.or_else(|| {
            calls
                .iter()
                .filter(|c| span.contains(&c.line))
                .flat_map(|c| c.args.iter())
                .find_map(|a| {
                    params.iter().copied().find(|p| {
                        b.name != p.name
                            && words.contains(&last_word(p.name))
                            && (is_param(&a.expr, p.name) || member_of(&a.expr, p.name))
                    })
                })
        });
        if let Some(p) = from {
            params.push(Param { name: &b.name, ..p });
            added += 1;
        }
    }
}

/// True when `callee` validates or decodes the value it is given and
/// gives it back (`schema.parse(x)`, `schema.safeParse(x).data`).
fn validates(callee: &str) -> bool {
    let method = callee.rsplit(['.', ':']).next().unwrap_or(callee);
    matches!(
        method,
        "parse" | "safeParse" | "parseAsync" | "safeParseAsync"
    ) && callee.contains('.')
}

/// True when a local named `name`, made by a call of `callee`, is a
/// prompt or a message: `prompt = buildContext(...)`, `userPrompt = build(...)`,
/// `raw = createRawMailMessage(...)`,
/// `content = formatPrompt(...)`, or text a helper named for that text
/// writes (`replyContent = emailToContentForAI(message)`).
fn writes_prompt(name: &str, callee: &str) -> bool {
    let word = last_word(name);
    // A message a helper composes (`raw = createRawMailMessage({ to,
    // messageText })`) holds what it is given too.
    calls::composes_message(&calls::dotted(callee))
        || word == "prompt"
        || (calls::is_message_text(Some(name), name)
            && calls::identifier_words(&calls::dotted(callee))
                .iter()
                .any(|w| *w == "prompt" || *w == word))
}

/// The last word of an identifier, lower-cased: `hardenedMessages` →
/// `messages`, `user_email` → `email`.
fn last_word(name: &str) -> String {
    calls::identifier_words(name).pop().unwrap_or_default()
}

/// A parameter's plain name: `...rest` → `rest`, `props = {}` → `props`,
/// `props: Props` → `props`, `**kw` → `kw`.
fn param_name(p: &str) -> &str {
    let p = p.trim();
    let p = p.split(['=', ':']).next().unwrap_or(p).trim();
    let p = p.trim_end_matches('?');
    p.trim_start_matches("...")
        .trim_start_matches('*')
        .trim_start_matches('&')
        .trim()
}

/// True when `expr` is the parameter `name` as it is: `to`, `...to`,
/// `*args`, `&to`, and PHP's `$to` (its parameters are recorded without
/// the sigil).
fn is_param(expr: &str, name: &str) -> bool {
    let bare = bare_name(expr);
    bare == name || (!name.starts_with('$') && bare.strip_prefix('$') == Some(name))
}

/// An argument's expression when it is a bare name, spread or not.
fn bare_name(expr: &str) -> &str {
    let e = expr.trim();
    // A TypeScript assertion says nothing of the value: `messages as
    // ModelMessage[]`, `user!`, `x satisfies T`.
    let e = [" as ", " satisfies "]
        .iter()
        .find_map(|w| e.split_once(w).map(|(v, _)| v))
        .unwrap_or(e)
        .trim_end_matches('!');
    e.trim_start_matches("...")
        .trim_start_matches('*')
        .trim_start_matches('&')
        .trim()
}

/// The wrappers defined in one file (`file` left empty).
pub fn defined(lang: Lang, facts: &FileFacts, index: &Index, specs: &calls::Specs) -> Vec<Wrapper> {
    defined_with(
        lang,
        facts,
        index,
        specs,
        &calls::Seed::default(),
        Vec::new(),
    )
}

/// [`defined`], where the file also uses other files' handles under the
/// names of `seed` (see [`handle_seed`]), with `writers` (see
/// [`option_writers`]) as wrappers found already.
pub fn defined_with(
    lang: Lang,
    facts: &FileFacts,
    index: &Index,
    specs: &calls::Specs,
    seed: &calls::Seed,
    writers: Vec<Wrapper>,
) -> Vec<Wrapper> {
    let Some(family) = Family::of(lang) else {
        return Vec::new();
    };
    if facts.functions.is_empty() {
        return Vec::new();
    }
    let bound = calls::bound_names_from(lang, facts, index, seed.bound.clone());
    if bound.is_empty() {
        return Vec::new();
    }
    let mut out: BTreeMap<(String, u32, VendorIx), Wrapper> = writers
        .into_iter()
        .map(|w| ((w.name.clone(), w.line, w.vendor), w))
        .collect();
    // Methods count in typed languages, where a call site's receiver has a
    // declared type to match the method's class against.
    let methods = family.typed();
    let renamed = calls::aliases(facts);
    let made = seed.with_endpoints(calls::endpoints(facts, &bound, specs, &renamed));
    for f in facts
        .functions
        .iter()
        .filter(|f| f.owner.is_none() || methods)
    {
        let params = params_in(f, facts);
        let state = keeps_state(family, f);
        if params.is_empty() && !state {
            continue;
        }
        let outer = enclosing_params(f, facts);
        for (call, nested) in body_calls(f, facts) {
            let call = &*calls::with_constructor_args(calls::as_endpoint(call, &made), facts);
            let (callee, matched) = calls::matching(call, &bound, specs, &renamed);
            for (v, spec) in matched {
                let forwards = forwards_of(call, &callee, spec, &params);
                // What a nested function adds is its own.
                let carried = if nested {
                    Vec::new()
                } else {
                    carried(call, v, specs, &params, &outer)
                };
                // A Ruby object's own data is enough (see [`keeps_state`]).
                if forwards.is_empty() && (!state || carried.is_empty()) {
                    continue;
                }
                let w = out.entry((f.name.clone(), f.line, v)).or_insert_with(|| {
                    let owner = f.owner.clone().filter(|_| methods);
                    Wrapper::of(f, family, v, callee.clone(), owner)
                });
                w.add(forwards, carried);
            }
        }
    }
    chain(family, facts, specs, &mut out, methods);
    out.into_values().collect()
}

/// Functions and methods that pass one of their parameters into a plain
/// HTTP request to a vendor's API ([`super::http::detect`]):
/// `def send(cls, chat_id, text): cls.post(URL, json={"chat_id": chat_id,
/// "text": text})`, `async request(path, body) { return fetch(BASE + path,
/// { body: JSON.stringify(body) }) }`. A parameter counts when it is an
/// argument as it is, or a value of the body the request sends (built in
/// the call or in a variable a few lines up); the key it is sent under is
/// what a call site's bare value is classified by. Methods count in every
/// language here: their call sites are found through `self`/`this` in
/// their own class and through the class's name (`Telegram.send(...)`),
/// besides declared types. Wrappers of these in the same file follow
/// ([`chain`]).
///
/// A Ruby method that forwards nothing sends its object's own data (see
/// [`keeps_state`]): what its request sends (`sent`, the fields
/// [`super::http::detect`] found in the request's lines, a message's text
/// left out) is carried to each of its calls
/// (`moneyhash_result = create_moneyhash_customer`, whose request posts
/// `customer_params` built from the object's customer).
pub fn of_requests(
    lang: Lang,
    facts: &FileFacts,
    requests: &[super::http::Request],
    names: &super::http::Assignments<'_>,
    specs: &calls::Specs,
    sent: &[CallField],
) -> Vec<Wrapper> {
    let Some(family) = Family::of(lang) else {
        return Vec::new();
    };
    if requests.is_empty() || facts.functions.is_empty() {
        return Vec::new();
    }
    let mut out: BTreeMap<(String, u32, VendorIx), Wrapper> = BTreeMap::new();
    for f in &facts.functions {
        let params = params_in(f, facts);
        let state = keeps_state(family, f);
        if params.is_empty() && !state {
            continue;
        }
        for call in &f.calls {
            for req in requests
                .iter()
                .filter(|r| r.line == call.line && r.callee == call.callee)
            {
                let mut forwards = request_forwards(f, call, req.url_at, &params, names);
                forwards.extend(url_forwards(f, call, req.url_at, &params));
                if forwards.is_empty() && !state {
                    continue;
                }
                for &v in &req.vendors {
                    // Only a request that passes on none of the method's
                    // parameters sends nothing but the object's own data.
                    let carries = if forwards.is_empty() {
                        own_sent(sent, call, v)
                    } else {
                        Vec::new()
                    };
                    if forwards.is_empty() && carries.is_empty() {
                        continue;
                    }
                    let w = out.entry((f.name.clone(), f.line, v)).or_insert_with(|| {
                        let via = format!("a request ({})", calls::dotted(&call.callee));
                        Wrapper {
                            request: true,
                            ..Wrapper::of(f, family, v, via, f.owner.clone())
                        }
                    });
                    w.add(forwards.clone(), carries);
                }
            }
        }
    }
    if out.is_empty() {
        return Vec::new();
    }
    chain(family, facts, specs, &mut out, true);
    out.into_values().collect()
}

/// What the request `call` sends to `v` (`sent`, found in its lines), as
/// (category, name), a message's text left out (each caller composes it;
/// see [`own_datum`]).
fn own_sent(sent: &[CallField], call: &Call, v: VendorIx) -> Vec<(String, String)> {
    sent.iter()
        .filter(|s| s.vendor == v && s.line >= call.line && s.line <= call.end_line.max(call.line))
        .filter(|s| !s.category.starts_with("user.content"))
        .map(|s| (s.category.clone(), s.name.clone()))
        .collect()
}

/// Functions that write what they are given into one model provider's
/// entry of the options a provider-neutral model SDK sends with a request
/// (`providerOptions.openrouter`, `{ openrouter: { user: userId } }`): the
/// SDK passes that entry to that provider only, so each is a wrapper of
/// that provider, forwarding the parameters it writes as a member's or a
/// key's value (`next.user = userId`, `email_account_id: emailAccountId`).
/// Its callers, in this file and others, are followed like any wrapper's.
/// `keys` are each provider's names for its entry; the body is read from
/// the definition to the next function not nested in it (at most
/// [`WRITER_LINES`] lines). JS/TS only (the SDK's language).
pub fn option_writers(
    lang: Lang,
    facts: &FileFacts,
    text: &str,
    keys: &[(VendorIx, Vec<String>)],
) -> Vec<Wrapper> {
    let Some(family @ Family::Js) = Family::of(lang) else {
        return Vec::new();
    };
    if keys.is_empty() || !text.contains("providerOptions") {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let fs = &facts.functions;
    let mut out = Vec::new();
    for (i, f) in fs.iter().enumerate() {
        let params = params_of(&f.params);
        if params.is_empty() {
            continue;
        }
        let after = fs.get(i + 1 + nested_in(f, facts).len()).map(|g| g.line);
        let last = f.line.saturating_add(WRITER_LINES);
        let end = after.map_or(last, |l| l.min(last));
        let body = lines
            .get(f.line as usize..(end as usize).saturating_sub(1).min(lines.len()))
            .unwrap_or_default();
        for (v, names) in keys {
            if !body.iter().any(|l| names.iter().any(|k| names_entry(l, k))) {
                continue;
            }
            let forwards: Vec<Forward> = params
                .iter()
                .filter(|p| body.iter().any(|l| writes_value(l, p.name)))
                .map(|p| Forward::of_param(*p))
                .collect();
            if forwards.is_empty() {
                continue;
            }
            let via = format!("its provider options ({})", names.join(", "));
            let mut w = Wrapper::of(f, family, *v, via, None);
            w.add(forwards, Vec::new());
            out.push(w);
        }
    }
    out
}

/// How far [`option_writers`] reads a function's body.
const WRITER_LINES: u32 = 80;

/// True when `line` names the entry `key` of an options object: as a
/// member (`options.openrouter`, `options?.openrouter`,
/// `options["openrouter"]`) or as a key (`openrouter: {...}`).
fn names_entry(line: &str, key: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    line.match_indices(key).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let rest = &line[at + key.len()..];
        if before.is_some_and(ident) || rest.chars().next().is_some_and(ident) {
            return false;
        }
        let quoted = matches!(before, Some('"' | '\''));
        let rest = if quoted {
            rest.get(1..).unwrap_or("")
        } else {
            rest
        };
        let head = line[..at].trim_end_matches(['"', '\'']);
        head.ends_with('.')
            || (quoted && head.ends_with('['))
            || (rest.trim_start().starts_with(':') && !rest.trim_start().starts_with("::"))
    })
}

/// True when `line` writes `name` whole as a member's value (`x.user =
/// name;`, `x["user"] = name`) or as a key's (`user: name,`).
fn writes_value(line: &str, name: &str) -> bool {
    let t = line.trim();
    let whole = |v: &str| v.trim().trim_end_matches([';', ',']).trim() == name;
    if let Some((lhs, rhs)) = t.split_once(" = ") {
        let lhs = lhs.trim();
        if (lhs.contains('.') || lhs.ends_with(']'))
            && !["const ", "let ", "var "]
                .iter()
                .any(|d| lhs.starts_with(d))
            && whole(rhs)
        {
            return true;
        }
    }
    t.split(['{', ',']).any(|part| {
        part.split_once(':').is_some_and(|(k, v)| {
            let k = k.trim().trim_matches(['"', '\'']);
            !k.is_empty()
                && k.chars().all(|c| c.is_alphanumeric() || c == '_')
                && whole(v.split('}').next().unwrap_or(v))
        })
    })
}

/// The parameters a request passes on: as arguments (not its URL, nor
/// transport settings), or as values of the body it sends.
fn request_forwards(
    f: &FunctionDef,
    call: &Call,
    url_at: usize,
    params: &[Param<'_>],
    names: &super::http::Assignments<'_>,
) -> Vec<Forward> {
    let mut out: Vec<Forward> = Vec::new();
    let mut push = |p: Param<'_>, key: Option<&str>| {
        if out
            .iter()
            .any(|f| f.index == p.index && f.member.as_deref() == p.member)
        {
            return;
        }
        out.push(Forward {
            index: p.index,
            name: p.member.unwrap_or(p.name).to_string(),
            event_name: false,
            implies: None,
            key: key.map(str::to_string),
            member: p.member.map(str::to_string),
            read: None,
            unless: None,
        });
    };
    for (i, arg) in call.args.iter().enumerate() {
        if i == url_at
            || !written_in(f, arg)
            || arg
                .key
                .as_deref()
                .is_some_and(super::http::is_transport_key)
            || super::http::is_app_config(&arg.expr)
        {
            continue;
        }
        if let Some(p) = forward_of(arg, params).or_else(|| serialised(&arg.expr, params)) {
            // A body passed whole (`json=payload`, `body:
            // JSON.stringify(body)`) is classified by what the call site
            // puts in it, not by the client's keyword.
            let key = arg.key.as_deref().filter(|k| !super::http::is_body_key(k));
            push(p, key);
            continue;
        }
        for (key, value, _) in super::http::payload_pairs(&arg.expr, arg.line, &names.at) {
            let pair = Arg {
                key: Some(key.to_string()),
                expr: value.to_string(),
                line: arg.line,
                position: None,
            };
            if let Some(p) = forward_of(&pair, params) {
                push(p, Some(key));
            }
        }
    }
    out.sort();
    out
}

/// The parameter a request's body serialises whole: `JSON.stringify(body)`
/// (also as one alternative, `body === undefined ? undefined :
/// JSON.stringify(body)`), `json.dumps(payload)`, `json_encode($data)`,
/// `JSON.generate(params)`, `params.to_json`.
fn serialised<'p>(expr: &str, params: &[Param<'p>]) -> Option<Param<'p>> {
    const CALLS: &[&str] = &[
        "JSON.stringify(",
        "json.dumps(",
        "json_encode(",
        "JSON.generate(",
        "JSON.dump(",
        "Json.encodeToString(",
    ];
    let e = expr.trim();
    params.iter().copied().find(|p| {
        CALLS.iter().any(|c| {
            e.match_indices(c).any(|(at, _)| {
                let inner = &e[at + c.len()..];
                inner
                    .split([')', ','])
                    .next()
                    .is_some_and(|a| a.trim() == p.name)
            })
        }) || e
            .strip_suffix(".to_json")
            .is_some_and(|head| head.trim() == p.name)
    })
}

/// The parameters a request's URL carries under a query key: interpolated
/// after it (`?email=${email}`), or set on the URL object before the
/// request in the same function (`url.searchParams.set("distinct_id",
/// options.email)`). A value in the URL's path with no key is most often
/// the vendor's own object id, and is left out as `http::url_data` does.
fn url_forwards(f: &FunctionDef, call: &Call, url_at: usize, params: &[Param<'_>]) -> Vec<Forward> {
    let Some(url) = call.args.get(url_at) else {
        return Vec::new();
    };
    let forward = |p: Param<'_>, key: &str| Forward {
        index: p.index,
        name: p.member.unwrap_or(p.name).to_string(),
        event_name: false,
        implies: None,
        key: Some(key.to_string()),
        member: p.member.map(str::to_string),
        read: None,
        unless: None,
    };
    let mut out = Vec::new();
    for (key, name) in super::classify::interpolations(&url.expr) {
        let Some(key) = key else { continue };
        let value = Arg {
            key: None,
            expr: name.to_string(),
            line: url.line,
            position: None,
        };
        if let Some(p) = forward_of(&value, params) {
            out.push(forward(p, key));
        }
    }
    // `u.toString()`, `u.href`: the URL object the request reads.
    let root = url.expr.trim();
    let root = root
        .strip_suffix(".toString()")
        .or_else(|| root.strip_suffix(".href"))
        .unwrap_or(root);
    if root.is_empty()
        || !root
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
    {
        return out;
    }
    for c in f.calls.iter().filter(|c| c.line <= call.line) {
        if let Some((key, v)) = super::http::query_set(c, root)
            && let Some(p) = forward_of(v, params)
        {
            out.push(forward(p, key));
        }
    }
    out
}

/// Wrappers of the file's own wrappers, a few levels deep:
/// `sendInvitationEmail({ to })` calling `sendEmail({ to, subject })`,
/// which calls `resend.emails.send({ to, subject })`. The outer function
/// forwards what it passes on in the places the inner one forwards, and
/// carries what it adds there of its own.
fn chain(
    family: Family,
    facts: &FileFacts,
    specs: &calls::Specs,
    out: &mut BTreeMap<(String, u32, VendorIx), Wrapper>,
    methods: bool,
) {
    const LEVELS: usize = 4;
    let chosen = function_aliases(family, facts);
    for _ in 0..LEVELS {
        let inner: Vec<Wrapper> = out
            .values()
            .filter(|w| w.owner.is_none() || methods)
            .cloned()
            .collect();
        let made = if inner.iter().any(|w| w.name.ends_with("()")) {
            returned_functions(facts, |k| inner.iter().any(|w| w.name == k))
        } else {
            Vec::new()
        };
        let mut grew = false;
        for f in facts
            .functions
            .iter()
            .filter(|f| f.owner.is_none() || methods)
        {
            each_call_through(family, f, facts, |call, through| {
                let callee = calls::dotted(&call.callee);
                let callee = returned_called(&made, callee, Some(f), facts);
                let names: Vec<&str> = std::iter::once(callee.as_str())
                    .chain(aliased(&chosen, &callee, Some(f), facts))
                    .collect();
                for w in inner.iter().filter(|w| {
                    names.iter().any(|n| calls_inner(n, f, w)) && visible_from(w.within, f, facts)
                }) {
                    if w.name == f.name && w.line == f.line {
                        continue;
                    }
                    let passed = through.passed(call, w, specs);
                    let via = format!("{} → {}", w.name, w.via);
                    grew |= enter(out, f, w, via, passed, methods);
                }
            });
        }
        if !grew {
            break;
        }
    }
}

/// Makes `f`, around a call of the wrapper `w` where it passes on
/// `passed` (its forwards and what it carries there), a wrapper of the
/// next level in `out` (a method only where `methods`): nothing when it
/// passes nothing on, or when its callers would be further than
/// [`MAX_LEVEL`]. `via` names the chain from `w` on. True when `out` grew
/// or a wrapper in it came nearer to the vendor.
fn enter(
    out: &mut BTreeMap<(String, u32, VendorIx), Wrapper>,
    f: &FunctionDef,
    w: &Wrapper,
    via: String,
    passed: (Vec<Forward>, Vec<(String, String)>),
    methods: bool,
) -> bool {
    let (forwards, carries) = passed;
    // A Ruby object's method around another that sends the object's own
    // data sends it too (see [`keeps_state`]).
    let state = keeps_state(w.family, f) && !carries.is_empty();
    if forwards.is_empty() && !state {
        return false;
    }
    // Its callers would be one level further than the deepest followed.
    if usize::from(w.level) >= MAX_LEVEL {
        return false;
    }
    let mut grew = false;
    let key = (f.name.clone(), f.line, w.vendor);
    let entry = out.entry(key).or_insert_with(|| {
        grew = true;
        let owner = f.owner.clone().filter(|_| methods);
        Wrapper {
            request: w.request,
            level: w.level + 1,
            dispatched: w.dispatched,
            ..Wrapper::of(f, w.family, w.vendor, via.clone(), owner)
        }
    });
    entry.dispatched |= w.dispatched;
    // A function around several wrappers is as far from the vendor as its
    // shortest chain, whichever was seen first: its callers are followed
    // that far.
    if entry.level > w.level + 1 {
        entry.level = w.level + 1;
        entry.via = via;
        grew = true;
    }
    entry.add(forwards, carries);
    grew
}

/// A method of a Ruby class. Ruby's service objects keep what they act
/// on in the object (`@credit_note = credit_note` in `initialize`, read
/// back as `credit_note`, or through a reader such as `customer`), so a
/// method whose vendor call sends data of the object's own, not of its
/// parameters (`metadata: {customer_id: customer.id}` in
/// `create_stripe_refund`), sends it at every call, and so does a method
/// that calls it, on the same object or on one it makes
/// (`StripeService.new(credit_note).create`): each is a wrapper that
/// carries that data (reported at its call sites) with nothing forwarded.
/// Methods of the other languages, whose objects are built by their
/// callers from values a wrapper does not see, need a forwarded parameter.
fn keeps_state(family: Family, f: &FunctionDef) -> bool {
    family == RUBY && f.owner.is_some()
}

/// Calls `visit` with each call of `f`'s body (its nested functions'
/// among them) and `f` as it passes that call its parameters
/// ([`Through`]); nothing when `f` has no parameter to pass on and keeps
/// no state of its own (see [`keeps_state`]). [`chain`] and
/// [`around_methods`] differ only in which wrappers a call reaches.
fn each_call_through<'a>(
    family: Family,
    f: &'a FunctionDef,
    facts: &'a FileFacts,
    mut visit: impl FnMut(&'a Call, &Through<'_, 'a>),
) {
    let params = params_in(f, facts);
    if params.is_empty() && !keeps_state(family, f) {
        return;
    }
    let end = body_end(f, facts);
    let outer = enclosing_params(f, facts);
    for (call, nested) in body_calls(f, facts) {
        let through = Through {
            f,
            params: &params,
            outer: &outer,
            end,
            nested,
        };
        visit(call, &through);
    }
}

/// The function `f` around a call of the wrapper `w` (one of its body's
/// calls; `nested` when made in a function defined in `f`), with its
/// forwardable `params`, those of the functions it is in (`outer`), and
/// the last line of its body (`end`).
struct Through<'t, 'p> {
    f: &'t FunctionDef,
    params: &'t [Param<'p>],
    outer: &'t [Param<'p>],
    end: u32,
    nested: bool,
}

impl Through<'_, '_> {
    /// What `f` passes on to `w` at `call`: its own parameters in the
    /// places `w` forwards (the forwards `f` gets as a wrapper of the next
    /// level), and what it carries there (`w`'s own data, and what `f`
    /// adds of its own in those places).
    fn passed(
        &self,
        call: &Call,
        w: &Wrapper,
        specs: &calls::Specs,
    ) -> (Vec<Forward>, Vec<(String, String)>) {
        let (f, params, outer, end, nested) =
            (self.f, self.params, self.outer, self.end, self.nested);
        let mut forwards = Vec::new();
        let mut carries = w.carries.clone();
        for fw in &w.forwards {
            // A fallback (`userId ?? email`) is passed on only
            // where this call leaves its preferred parameter
            // to this function's own callers.
            let unless = match preferred_arg(call, fw) {
                None => None,
                Some(a) => match forward_of(a, params) {
                    Some(q) if is_param(&a.expr, q.name) => Some(Box::new(Forward::of_param(q))),
                    _ => continue,
                },
            };
            for arg in call.args.iter().filter(|a| forwarded(a, fw)) {
                let whole = is_whole(arg, fw);
                // A value a payload method builds elsewhere
                // (`invoice.id` in `payment_url_params`) names
                // that method's `invoice`, not this parameter.
                let here = (f.line..=end).contains(&arg.line);
                let mine = if here {
                    let mine = passed_on(arg, fw, params);
                    if mine.is_empty() {
                        through_helper(f, arg, fw, params)
                    } else {
                        mine
                    }
                } else {
                    Vec::new()
                };
                // `runAgent(options)` passing this function's
                // own `options` whole where the inner one
                // reads `options.messages`: this one reads it.
                let object = passes_object(arg, fw);
                let own = if mine.is_empty() {
                    None
                } else {
                    own_key(arg, fw, w.vendor, specs)
                };
                for p in &mine {
                    if object && p.member.is_none() && is_param(&arg.expr, p.name) {
                        forwards.push(Forward {
                            index: p.index,
                            unless: unless.clone(),
                            ..fw.clone()
                        });
                        continue;
                    }
                    forwards.push(Forward {
                        index: p.index,
                        name: p.member.unwrap_or(p.name).to_string(),
                        event_name: fw.event_name && whole,
                        implies: fw.implies.clone().filter(|_| whole),
                        key: own
                            .clone()
                            .or_else(|| fw.key.clone())
                            .or_else(|| arg.key.clone()),
                        member: p.member.map(str::to_string),
                        // What it reads off the parameter, where it is
                        // passed whole or sent under a key of its own.
                        read: if whole {
                            read_off(&arg.expr, p.name).or_else(|| fw.read.clone())
                        } else if own.is_some() {
                            read_off(&arg.expr, p.name)
                        } else {
                            None
                        },
                        unless: unless.clone(),
                    });
                }
                // What a nested function reads of the function
                // it is in is that function's.
                if mine.is_empty() && !nested && forward_of(arg, outer).is_none() {
                    carries.extend(own_data(w, fw, call, arg, specs));
                }
            }
        }
        (forwards, carries)
    }
}

/// The deepest level whose calls are call sites: the vendor's own call is
/// level 0, a wrapper's callers level 1, their callers level 2, and so on
/// (the benchmark's labelling rule stops at the same level).
pub const MAX_LEVEL: usize = 4;

/// True when `callee`, called in `f`, is the file's wrapper `w`: a free
/// function by its name, a method of `f`'s own class by its name or
/// through the object itself (`self.send`, `this.request`,
/// `$this->request`, `cls.post`).
fn calls_inner(callee: &str, f: &FunctionDef, w: &Wrapper) -> bool {
    match &w.owner {
        None => w.name == callee,
        Some(owner) => {
            f.owner.as_ref() == Some(owner)
                && (callee == w.name || self_method(callee).is_some_and(|m| m == w.name))
        }
    }
}

/// True when `arg` is written in `f`'s body (from its `def` line to its
/// last call's end), not in a payload method the extractor expanded into
/// the call.
fn written_in(f: &FunctionDef, arg: &Arg) -> bool {
    let end = f.calls.iter().map(|c| c.end_line).max().unwrap_or(f.line);
    (f.line..=end).contains(&arg.line)
}

/// The functions defined in `f` (by [`FunctionDef::within`]), at most a
/// few hundred. The extractor lists functions in source order, a function
/// before those defined in it, so they follow `f` in one run: the cost is
/// theirs, not the file's.
fn nested_in<'a>(f: &FunctionDef, facts: &'a FileFacts) -> Vec<&'a FunctionDef> {
    const MAX: usize = 256;
    let fs = &facts.functions;
    let start = fs.partition_point(|g| g.line <= f.line);
    let mut lines = vec![f.line];
    let mut out: Vec<&FunctionDef> = Vec::new();
    for g in fs.get(start..).unwrap_or_default() {
        match g.within {
            Some(w) if out.len() < MAX && lines.contains(&w) => {
                lines.push(g.line);
                out.push(g);
            }
            _ => break,
        }
    }
    out
}

/// The function defined at `line` (by binary search: see [`nested_in`]).
fn function_at(facts: &FileFacts, line: u32) -> Option<&FunctionDef> {
    let fs = &facts.functions;
    fs.get(fs.partition_point(|g| g.line < line))
        .filter(|g| g.line == line)
}

/// `f`'s calls, then those of the functions defined in it (`true`): a
/// closure's call can pass on what `f` was given
/// (`createGenerateText({ account })` returning a function whose nested
/// `generate` sends `account.email`).
fn body_calls<'a>(f: &'a FunctionDef, facts: &'a FileFacts) -> Vec<(&'a Call, bool)> {
    let mut out: Vec<(&Call, bool)> = f.calls.iter().map(|c| (c, false)).collect();
    for g in nested_in(f, facts) {
        out.extend(g.calls.iter().map(|c| (c, true)));
    }
    out
}

/// The last line of `f`'s body as its calls (nested functions' included)
/// show it.
fn body_end(f: &FunctionDef, facts: &FileFacts) -> u32 {
    body_calls(f, facts)
        .iter()
        .map(|(c, _)| c.end_line.max(c.line))
        .max()
        .unwrap_or(f.line)
}

/// The parameters of the functions `f` is defined in.
fn enclosing_params<'a>(f: &FunctionDef, facts: &'a FileFacts) -> Vec<Param<'a>> {
    let mut out = Vec::new();
    let mut at = f.within;
    for _ in 0..4 {
        let Some(line) = at else { break };
        let Some(g) = function_at(facts, line) else {
            break;
        };
        out.extend(params_in(g, facts));
        at = g.within;
    }
    out
}

/// True when a function defined at `within` (nested there, or at the top
/// level when `None`) can be called from `f`: its own enclosing function
/// or a function nested in it.
fn visible_from(within: Option<u32>, f: &FunctionDef, facts: &FileFacts) -> bool {
    let Some(w) = within else { return true };
    let mut at = Some(f.line);
    for _ in 0..5 {
        match at {
            Some(line) if line == w => return true,
            Some(line) => at = function_at(facts, line).and_then(|g| g.within),
            None => return false,
        }
    }
    false
}

/// The member path read off the parameter `name` in `expr`:
/// `account.email` → `email`, `options?.user.id` → `user.id`.
fn read_off(expr: &str, name: &str) -> Option<String> {
    let e = expr.trim().trim_start_matches('$');
    let rest = e.strip_prefix(name)?;
    let rest = rest
        .strip_prefix("?.")
        .or_else(|| rest.strip_prefix('.'))
        .or_else(|| rest.strip_prefix("->"))?;
    let path: String = rest.replace("?.", ".");
    let ok = !path.is_empty()
        && path
            .split('.')
            .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_alphanumeric() || c == '_'));
    ok.then_some(path)
}

/// The method a call on the object itself names: `self.send` → `send`,
/// `this.request`, `cls.post`, `static.make`, `self::make` (dotted).
fn self_method(callee: &str) -> Option<&str> {
    let (recv, method) = callee.split_once('.')?;
    (matches!(recv, "self" | "this" | "cls" | "static" | "@") && !method.contains('.'))
        .then_some(method)
}

/// The parameter an argument passes on, as it is or as a member.
fn forward_of<'p>(arg: &Arg, params: &[Param<'p>]) -> Option<Param<'p>> {
    params.iter().copied().find(|p| passes(arg, p.name))
}

/// True when `arg` passes on the parameter `name`: as it is, a member of
/// it, interpolated in a string, or as a fallback.
fn passes(arg: &Arg, name: &str) -> bool {
    is_param(&arg.expr, name)
        || member_of(&arg.expr, name)
        || interpolated(&arg.expr, name)
        || alternative(&arg.expr, name)
        || formatted(arg, name)
}

/// The parameters of the function an argument passes on in the place of
/// the inner wrapper's `fw` ([`forwards_all`]); and where that place is a
/// prompt (`email: getEmailForLLM(message)` where the inner function writes
/// `email` into one), what a helper writes from a parameter is in it.
fn passed_on<'p>(arg: &Arg, fw: &Forward, params: &[Param<'p>]) -> Vec<Param<'p>> {
    let mine = forwards_all(arg, params);
    if !mine.is_empty()
        || !fw
            .key
            .as_deref()
            .is_some_and(|k| calls::is_message_text(Some(k), &arg.expr))
    {
        return mine;
    }
    params
        .iter()
        .copied()
        .filter(|p| helper_of(&arg.expr, p.name))
        .collect()
}

/// The parameters a helper's call in the place of a message is given as
/// message text, where the extractor expanded a local it is given:
/// `messages: await convertToModelMessages([...history, newUserMessage])`
/// with `newUserMessage = { parts: [{ type: "text", text: messageText }] }`
/// holds `messageText`. Only text (`parts.text`): an id written beside it
/// is not in the message.
fn through_helper<'p>(
    f: &FunctionDef,
    arg: &Arg,
    fw: &Forward,
    params: &[Param<'p>],
) -> Vec<Param<'p>> {
    let message = |k: Option<&str>| k.is_some_and(|k| calls::is_message_text(Some(k), &arg.expr));
    if !message(fw.key.as_deref()) && !message(arg.key.as_deref()) {
        return Vec::new();
    }
    let e = arg.expr.trim_start();
    let e = e.strip_prefix("await ").unwrap_or(e);
    let Some((callee, _)) = e.split_once('(') else {
        return Vec::new();
    };
    let callee = callee.trim();
    let Some(inner) = f
        .calls
        .iter()
        .find(|c| c.callee == callee && (arg.line..=arg.line.saturating_add(1)).contains(&c.line))
    else {
        return Vec::new();
    };
    params
        .iter()
        .copied()
        .filter(|p| {
            inner.args.iter().any(|a| {
                a.key.is_some()
                    && calls::is_message_text(a.key.as_deref(), &a.expr)
                    && (is_param(&a.expr, p.name) || member_of(&a.expr, p.name))
            })
        })
        .collect()
}

/// True when `arg` is message text a helper writes from the parameter
/// `name` (`prompt: getUserPrompt({ title, transcript })`): the text
/// carries it. Only for message text: what a helper computes from a value
/// for another key (`tokens: countTokens(messages)`) is not the value.
fn formatted(arg: &Arg, name: &str) -> bool {
    calls::is_message_text(arg.key.as_deref(), &arg.expr) && helper_of(&arg.expr, name)
}

/// True when `expr` is a first-party helper's call given `name` among its
/// arguments (`getEmailForLLM(message)`, `format({ title, transcript })`).
fn helper_of(expr: &str, name: &str) -> bool {
    // `await convertToModelMessages([...history, message])`.
    let expr = expr.trim_start();
    let expr = expr.strip_prefix("await ").unwrap_or(expr);
    let Some((callee, rest)) = expr.split_once('(') else {
        return false;
    };
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    if callee.trim().is_empty() || !callee.trim().chars().all(|c| ident(c) || c == '.') {
        return false;
    }
    rest.match_indices(name).any(|(at, _)| {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.')
            && !after.is_some_and(|c| ident(c) || c == ':')
    })
}

/// True when `expr` picks `name` as one of its alternatives, as it is:
/// `test ? "delivered@example.com" : to`, `to ?? fallback`, `to || admin`.
fn alternative(expr: &str, name: &str) -> bool {
    let e = expr.trim();
    if !(e.contains('?') || e.contains("||")) || e.starts_with(['"', '\'', '`']) {
        return false;
    }
    e.split(['?', ':', '|'])
        .map(str::trim)
        .any(|part| part == name || part.strip_prefix('$') == Some(name))
}

/// The parameter `expr` prefers to `name` when it is `other ?? name` or
/// `other || name` (`userId ?? email`): `name` is only sent where `other`
/// is absent.
fn preferred<'p>(expr: &str, name: &str, params: &[Param<'p>]) -> Option<Param<'p>> {
    let (left, right) = expr.split_once("??").or_else(|| expr.split_once("||"))?;
    if !is_param(right.trim(), name) {
        return None;
    }
    let left = left.trim();
    params
        .iter()
        .copied()
        .find(|q| q.name != name && is_param(left, q.name))
}

/// The argument of `call` that passes the parameter `fw` is a fallback
/// for ([`Forward::unless`]), if it passes one: then `fw` is not sent.
fn preferred_arg<'c>(call: &'c Call, fw: &Forward) -> Option<&'c Arg> {
    let u = fw.unless.as_deref()?;
    call.args.iter().find(|a| forwarded(a, u))
}

/// Every parameter `arg` passes on ([`forward_of`] gives the first): a
/// string built from several (`prompt`) passes each.
fn forwards_all<'p>(arg: &Arg, params: &[Param<'p>]) -> Vec<Param<'p>> {
    params
        .iter()
        .copied()
        .filter(|p| passes(arg, p.name))
        .collect()
}

/// The parameters a vendor call receives as they are.
fn forwards_of(call: &Call, callee: &str, spec: &CallSpec, params: &[Param<'_>]) -> Vec<Forward> {
    let event_call = calls::sends_events(callee);
    let mut out = Vec::new();
    for p in params {
        let name = p.name;
        let member = p.member.map(str::to_string);
        let call_name = p.member.unwrap_or(name).to_string();
        if let Some(arg) = call
            .args
            .iter()
            .find(|a| is_param(&a.expr, name) || alternative(&a.expr, name))
        {
            let first = arg.position == Some(0) && arg.key.is_none();
            // `capture({ distinctId, event, properties })`: the event's name.
            let named = matches!(
                arg.key.as_deref(),
                Some("event" | "eventName" | "event_name")
            );
            out.push(Forward {
                index: p.index,
                name: call_name,
                event_name: (first || named) && event_call,
                implies: spec.implies().filter(|_| first).map(str::to_string),
                key: arg.key.clone(),
                member,
                read: None,
                unless: preferred(&arg.expr, name, params).map(|q| Box::new(Forward::of_param(q))),
            });
        } else {
            for arg in call.args.iter().filter(|a| {
                member_of(&a.expr, name) || interpolated(&a.expr, name) || formatted(a, name)
            }) {
                // `{ email: options.email }`: what the call site puts in
                // `options` reaches the vendor; its own keys say what it is.
                // `capture(event.name, ...)`: the object the event is named
                // from is the event, not a person's data. What the call implies
                // of its first argument (`screen(screen.getName())` records a
                // screen view) holds of the object it is read from.
                let first = arg.position == Some(0) && arg.key.is_none();
                out.push(Forward {
                    index: p.index,
                    name: call_name.clone(),
                    event_name: first && event_call,
                    implies: spec.implies().filter(|_| first).map(str::to_string),
                    key: None,
                    member: member.clone(),
                    read: read_off(&arg.expr, name),
                    unless: None,
                });
            }
        }
    }
    out
}

/// What a wrapper's vendor call sends that none of its parameters gives:
/// a user id it adds to every event (`capture(name, analyticsId, props)`).
/// What it reads of the parameters of the functions it is defined in
/// (`outer`) is theirs, not its own.
fn carried(
    call: &Call,
    v: VendorIx,
    specs: &calls::Specs,
    params: &[Param<'_>],
    outer: &[Param<'_>],
) -> Vec<(String, String)> {
    call.args
        .iter()
        .filter(|a| forward_of(a, params).is_none() && forward_of(a, outer).is_none())
        .filter_map(|a| own_datum(a, v, specs))
        .collect()
}

/// A datum a wrapper adds of its own (not from its parameters), as
/// (category, name). A message's text is not one: each call site composes
/// it (a template rendered from what it passes).
fn own_datum(arg: &Arg, v: VendorIx, specs: &calls::Specs) -> Option<(String, String)> {
    if calls::is_literal(&arg.expr) {
        return None;
    }
    let category = calls::classify_for(arg, v, specs)?;
    if category.starts_with("user.content") {
        return None;
    }
    Some((
        category,
        arg.key.clone().unwrap_or_else(|| arg.expr.clone()),
    ))
}

/// The key of its own a parameter passed on in `arg`, in the place of
/// `fw`, is sent under, when `arg` writes it under a key inside that
/// whole and is personal data there (`organization_id:
/// add_on.organization_id` in the `properties:` hash): what the callers'
/// values are known by, rather than the whole's key. None for a member
/// that is not (`name: plan.name`): the whole's key stays.
fn own_key(arg: &Arg, fw: &Forward, v: VendorIx, specs: &calls::Specs) -> Option<String> {
    let (whole, k) = (fw.key.as_ref().unwrap_or(&fw.name), arg.key.as_ref()?);
    (k.strip_prefix(whole.as_str())
        .is_some_and(|rest| rest.starts_with('.'))
        && calls::classify_for(arg, v, specs).is_some())
    .then(|| k.clone())
}

/// What `f` sends of its own where it passes `arg`, none of its
/// parameters, in the place of `w`'s forward `fw`: the datum the value is
/// ([`own_datum`]), or else what a call site passing it would send through
/// `fw` (`invoice_created(invoice)` in a service's `call`, where the
/// wrapper sends `invoice.organization.id`: the organization, which every
/// caller of `call` sends too).
fn own_data(
    w: &Wrapper,
    fw: &Forward,
    call: &Call,
    arg: &Arg,
    specs: &calls::Specs,
) -> Vec<(String, String)> {
    if let Some(d) = own_datum(arg, w.vendor, specs) {
        return vec![d];
    }
    if calls::is_literal(&arg.expr) {
        return Vec::new();
    }
    let mut fields = BTreeSet::new();
    field_of(w, fw, call, arg, specs, &mut fields);
    fields
        .into_iter()
        .filter(|f| !f.category.starts_with("user.content"))
        .map(|f| (f.category, f.name))
        .collect()
}

/// True when `expr` is a string that interpolates the parameter `name`:
/// `` `<p>Hi ${name}</p>` ``, `"Hi #{name}"`, `f"Hi {name}"`.
fn interpolated(expr: &str, name: &str) -> bool {
    let e = expr.trim();
    let opens: &[&str] = if e.starts_with('`') {
        &["${"]
    } else if e.starts_with('"') {
        &["#{"]
    } else if e.starts_with(['f', 'F']) && e[1..].starts_with(['"', '\'']) {
        &["{"]
    } else {
        return false;
    };
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    opens.iter().any(|open| {
        e.match_indices(open).any(|(at, _)| {
            let inner = e[at + open.len()..].trim_start();
            // Written through a helper that escapes or encodes the same
            // text (`${escapeHtml(identity.email)}`, `JSON.stringify`), not
            // one that makes something else of it (`formatMention(botId)`).
            let inner = match inner.split_once('(') {
                Some((f, rest))
                    if f.chars().all(|c| ident(c) || c == '.')
                        && calls::identifier_words(f).iter().any(|w| {
                            matches!(w.as_str(), "escape" | "encode" | "sanitize" | "stringify")
                        }) =>
                {
                    rest.trim_start()
                }
                _ => inner,
            };
            inner
                .strip_prefix(name)
                .is_some_and(|rest| !rest.starts_with(ident))
        })
    })
}

/// True when `expr` reads a member of the parameter `name`: `options.email`,
/// `options?.email`, `opts["email"]`, `$data['email']`, `data->email`.
fn member_of(expr: &str, name: &str) -> bool {
    let e = expr.trim().trim_start_matches('$');
    e.strip_prefix(name).is_some_and(|rest| {
        rest.starts_with('.')
            || rest.starts_with("?.")
            || rest.starts_with('[')
            || rest.starts_with("->")
    })
}

/// The JS/TS workspace packages of a monorepo: (package name, folder),
/// read from each `package.json`'s `name`, so that `import { send } from
/// "@acme/email"` reaches `packages/email/src/send.ts`.
pub type Workspaces = Vec<(String, String)>;

/// All the wrappers of a scan, with what phase 2 needs to find call sites.
#[derive(Debug, Default)]
pub struct Wrappers {
    list: Vec<Wrapper>,
    workspaces: Workspaces,
    /// For each method wrapper's class: the class and every type it
    /// extends or implements (see [`type_decls`]).
    types: BTreeMap<String, BTreeSet<String>>,
    /// Ruby's factory methods (see [`super::ruby_tree`]): by the method's
    /// path (`Invoices.Payments.PaymentProviders.Factory.for`), the
    /// classes whose objects (or the classes themselves) it gives.
    factories: BTreeMap<String, BTreeSet<String>>,
    /// The same, by class: the paths of the factory methods that give it.
    made_by: BTreeMap<String, BTreeSet<String>>,
    /// The tree's own class methods that enqueue a job like
    /// [`JOB_ENQUEUE`]'s (see [`super::ruby_tree`]).
    enqueuers: BTreeSet<String>,
}

impl Wrappers {
    /// True when the method wrapper `w` belongs to one of the `held` types
    /// or to a type one of them extends or implements.
    fn fits(&self, w: &Wrapper, held: &[String]) -> bool {
        // A Ruby class is the one its whole path names (see
        // [`ruby_constants`]); its ancestors are not types a value is
        // declared of.
        if w.family == RUBY {
            return w.owner.as_ref().is_some_and(|o| held.contains(o));
        }
        w.owner.as_ref().is_some_and(|o| {
            self.types
                .get(o)
                .is_some_and(|ts| held.iter().any(|t| ts.contains(t)))
                || held.iter().any(|t| t == o)
        })
    }

    /// Collects and sorts the wrappers found in phase 1.
    pub fn new(mut list: Vec<Wrapper>, workspaces: Workspaces) -> Self {
        list.sort();
        list.dedup();
        Wrappers {
            list,
            workspaces,
            types: BTreeMap::new(),
            factories: BTreeMap::new(),
            made_by: BTreeMap::new(),
            enqueuers: BTreeSet::new(),
        }
    }

    /// Sets the tree's own job-enqueuing class methods
    /// (`perform_after_commit`).
    pub fn set_enqueuers(&mut self, names: &BTreeSet<String>) {
        self.enqueuers = names.clone();
    }

    /// True when `method`, called on a job class, enqueues its `perform`.
    pub fn enqueues(&self, method: &str) -> bool {
        JOB_ENQUEUE.contains(&method) || self.enqueuers.contains(method)
    }

    /// The tree's own job-enqueuing class methods.
    pub fn enqueuers(&self) -> &BTreeSet<String> {
        &self.enqueuers
    }

    /// True when `callee`, called in `within`, is a method of what one of
    /// Ruby's factory methods gives (`Factory.for(invoice).generate_payment_url`).
    fn through_factory(&self, family: Family, callee: &str, within: Option<&FunctionDef>) -> bool {
        family == RUBY
            && !self.factories.is_empty()
            && callee
                .rsplit_once('.')
                .is_some_and(|(recv, _)| !self.factory_classes(recv, within).is_empty())
    }

    /// The classes a call of the factory method `path` (as written in a
    /// method of `within`'s class) may give: none when it is not one.
    fn factory_classes(&self, path: &str, within: Option<&FunctionDef>) -> Vec<String> {
        if self.factories.is_empty()
            || !path
                .rsplit('.')
                .next()
                .is_some_and(|m| m.starts_with(|c: char| c.is_ascii_lowercase()))
        {
            return Vec::new();
        }
        let owner = within.and_then(|f| f.owner.as_deref());
        ruby_constants(&[path.to_string()], owner)
            .iter()
            .filter_map(|key| self.factories.get(key))
            .flatten()
            .cloned()
            .collect()
    }

    /// Records Ruby's factory methods of the tree (see [`super::ruby_tree`]),
    /// keeping those that give the class of a method wrapper.
    pub fn set_factories(&mut self, all: &BTreeMap<String, BTreeSet<String>>) {
        let owners = self.owners();
        let mut factories: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut made_by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (path, classes) in all {
            for class in classes.iter().filter(|c| owners.contains(c.as_str())) {
                factories
                    .entry(path.clone())
                    .or_default()
                    .insert(class.clone());
                made_by
                    .entry(class.clone())
                    .or_default()
                    .insert(path.clone());
            }
        }
        self.factories = factories;
        self.made_by = made_by;
    }

    /// The classes of the method wrappers, which [`Wrappers::set_types`]
    /// needs the ancestors of.
    pub fn owners(&self) -> BTreeSet<&str> {
        self.list
            .iter()
            .filter_map(|w| w.owner.as_deref())
            .collect()
    }

    /// Records the type declarations of the tree (name, the types it
    /// extends or implements): a method wrapper's call site may hold its
    /// object under any of its class's ancestors (`analyticsTracker:
    /// AnalyticsTracker` for a `DefaultAnalytics : AnalyticsTracker`).
    pub fn set_types(&mut self, decls: &BTreeMap<String, BTreeSet<String>>) {
        let owners: Vec<String> = self.owners().into_iter().map(str::to_string).collect();
        for owner in owners {
            let mut seen: BTreeSet<String> = BTreeSet::new();
            let mut todo = vec![owner.clone()];
            while let Some(t) = todo.pop() {
                if seen.len() > 64 || !seen.insert(t.clone()) {
                    continue;
                }
                if let Some(supers) = decls.get(&t) {
                    todo.extend(supers.iter().cloned());
                }
            }
            self.types.insert(owner, seen);
        }
    }

    /// True when no file defines a wrapper.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every wrapper, sorted.
    pub fn all(&self) -> &[Wrapper] {
        &self.list
    }

    /// The families with wrappers.
    pub fn families(&self) -> BTreeSet<Family> {
        self.list.iter().map(|w| w.family).collect()
    }

    /// True when a file at `rel` with `text`, in `family`, may call one of
    /// the wrappers named `name`: it defines one, sits in a Go wrapper's
    /// folder, or mentions an exported wrapper's module.
    pub fn may_call(&self, family: Family, rel: &str, text: &str, name: &str) -> bool {
        // The answer depends on where a wrapper is and what it belongs to,
        // not its vendor: one function of a model SDK is a wrapper of each
        // provider, side by side in the sorted list, asked about once.
        let mut prev: Option<(&str, Option<&String>, bool)> = None;
        self.list
            .iter()
            .filter(|w| w.family == family && w.name == name)
            .filter(|w| {
                let here = (w.file.as_str(), w.owner.as_ref(), w.exported);
                prev.replace(here) != Some(here)
            })
            .any(|w| {
                w.file == rel
                    || (w.family == RUBY
                        && w.owner.as_ref().is_some_and(|o| {
                            ruby_may_name(o, text)
                                || self
                                    .made_by
                                    .get(o)
                                    .is_some_and(|fs| fs.iter().any(|f| ruby_may_make(f, text)))
                        }))
                    || w.owner
                        .as_ref()
                        .filter(|_| w.family != RUBY)
                        .is_some_and(|o| {
                            self.types.get(o).is_some_and(|ts| {
                                ts.iter().any(|t| {
                                    text.contains(t.as_str()) || text.contains(&decapitalised(t))
                                })
                            })
                        })
                    || (family == Family::Go && dir_of(&w.file) == dir_of(rel))
                    || (family == Family::Jvm && kotlin_free_may_call(w, rel, text))
                    || (w.exported
                        && !family.typed()
                        && mentions_module(family, text, &w.file, &self.workspaces))
            })
    }
}

/// True when a Ruby `text` may name the class `owner`
/// (`Charges.CreateService`): it holds each of its names, as a path
/// (`Charges::CreateService`) or as a module it is written in and the
/// class (`module Charges` ... `CreateService`).
fn ruby_may_name(owner: &str, text: &str) -> bool {
    // The class's own name first, used as a receiver (`CreateService.call`,
    // `CreateService.new(...)`, also across a line break): the most
    // telling, so the most often absent.
    let class = owner.rsplit('.').next().unwrap_or(owner);
    let used = text.match_indices(class).any(|(at, _)| {
        text[at + class.len()..]
            .trim_start()
            .starts_with(['.', ':'])
    });
    used && owner.rsplit('.').skip(1).all(|name| text.contains(name))
}

/// True when a Ruby `text` may call the factory method `path`
/// (`Invoices.Payments.PaymentProviders.Factory.for`): it holds `.for` and
/// may name the factory's class.
fn ruby_may_make(path: &str, text: &str) -> bool {
    path.rsplit_once('.').is_some_and(|(class, method)| {
        text.contains(&format!(".{method}")) && ruby_may_name(class, text)
    })
}

/// True when the Kotlin top-level function `w`, defined in another file,
/// is visible from `rel`: same folder (the same package, by convention),
/// or imported by name (`import im.app.location.zoomToLocation`).
fn kotlin_free_visible(w: &Wrapper, rel: &str, facts: &FileFacts) -> bool {
    w.owner.is_none()
        && w.exported
        && w.file != rel
        && w.file.ends_with(".kt")
        && (dir_of(&w.file) == dir_of(rel)
            || facts.imports.iter().any(|i| {
                i.module
                    .strip_suffix(w.name.as_str())
                    .is_some_and(|head| head.ends_with('.'))
            }))
}

/// Kotlin top-level functions at a call: an extension function is called
/// on a receiver (`map?.zoomToLocation(x)`, callee `map.zoomToLocation`),
/// so a visible one matches by the method's name; a bare call of a name
/// the file's own class defines as a method is that method, not another
/// file's function.
fn kotlin_free_calls<'w>(
    callee: &str,
    rel: &str,
    facts: &FileFacts,
    visible: &BTreeMap<String, Vec<&'w Wrapper>>,
    ws: &mut Vec<&'w Wrapper>,
) {
    let kotlin_free = |w: &Wrapper| w.owner.is_none() && w.file.ends_with(".kt");
    match callee.rsplit_once('.') {
        Some((_, method)) => {
            for w in visible.get(method).into_iter().flatten() {
                if kotlin_free(w) && w.extension && !ws.contains(w) {
                    ws.push(w);
                }
            }
        }
        None => {
            let method_here = facts
                .functions
                .iter()
                .any(|f| f.owner.is_some() && f.name == callee);
            if method_here {
                ws.retain(|w| !(kotlin_free(w) && w.file != rel));
            }
        }
    }
}

/// Marks the Kotlin extension functions among a file's wrappers, from
/// the header of each definition in `text` (`fun MapLibreMap?.zoomTo(`,
/// `fun <T> List<T>.send(`), read from its line and the two after it
/// (annotations come first).
pub fn mark_extensions(list: &mut [Wrapper], text: &str) {
    if !list
        .iter()
        .any(|w| w.owner.is_none() && w.family == Family::Jvm)
    {
        return;
    }
    let lines: Vec<&str> = text.lines().collect();
    for w in list
        .iter_mut()
        .filter(|w| w.owner.is_none() && w.family == Family::Jvm)
    {
        let at = usize::try_from(w.line).unwrap_or(0).saturating_sub(1);
        let call = format!(".{}(", w.name);
        w.extension = lines
            .iter()
            .skip(at)
            .take(3)
            .any(|l| l.find("fun ").is_some_and(|f| l[f..].contains(&call)));
    }
}

/// The text check of [`kotlin_free_visible`], before parsing: same folder,
/// or an import line ending with `.name`.
fn kotlin_free_may_call(w: &Wrapper, rel: &str, text: &str) -> bool {
    w.owner.is_none()
        && w.exported
        && w.file.ends_with(".kt")
        && (dir_of(&w.file) == dir_of(rel)
            || text.lines().any(|l| {
                let l = l.trim();
                l.starts_with("import ")
                    && l.strip_suffix(w.name.as_str())
                        .is_some_and(|head| head.ends_with('.'))
            }))
}

/// True when a file's text may import the module `file`: it has the
/// module's last name, or (JS/TS) the name of the workspace package that
/// holds it.
fn mentions_module(family: Family, text: &str, file: &str, workspaces: &Workspaces) -> bool {
    text.contains(module_hint(file))
        || (family == Family::Js
            && workspaces
                .iter()
                .any(|(name, dir)| in_dir(file, dir) && text.contains(name.as_str())))
}

/// True when `file` lies in the folder `dir` (`""`: the root).
fn in_dir(file: &str, dir: &str) -> bool {
    dir.is_empty()
        || file
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// A client instance bound to a vendor at the top level of a module that
/// other files use: `export const resend = key ? new Resend(key) : null`
/// in `client.ts`, `stripe_client = StripeClient(key)` in `clients.py`, a
/// Go package-level `var client = openai.NewClient()` that the package's
/// other files call. Its users' calls are the vendor's
/// ([`calls::detect_seeded`]), and their functions can be wrappers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Handle {
    /// The exported name.
    pub name: String,
    /// Its language family.
    pub family: Family,
    /// The file that defines it (set by the pipeline).
    pub file: String,
    /// The vendors it is bound to.
    pub vendors: BTreeSet<VendorIx>,
    /// For a function a client made (`export const publishAiCall =
    /// tb.buildIngestEndpoint({...})`), the vendor method that made it:
    /// calling it is calling that method.
    pub made_by: Option<String>,
}

/// The handles a file defines (`file` left empty), seeing other files'
/// handles under the names of `seed` ([`handle_seed`]). `text` is the
/// file's source, read for where each binding sits (`export const`, module
/// level) and for what a factory returns. Besides clients, in JS/TS and
/// Python: a function a client made, and a factory, an exported function
/// that returns a client (`export const getTinybird = () => { ...; return
/// tb; }`), whose result is the client where it is called.
pub fn handles(
    lang: Lang,
    facts: &FileFacts,
    index: &Index,
    specs: &calls::Specs,
    text: &str,
    seed: &calls::Seed,
) -> Vec<Handle> {
    let Some(family) = Family::of(lang).filter(|f| !f.typed() || *f == RUBY) else {
        return Vec::new();
    };
    if facts.bindings.is_empty() {
        return Vec::new();
    }
    let bound = calls::bound_names_from(lang, facts, index, seed.bound.clone());
    if bound.is_empty() {
        return Vec::new();
    }
    // The functions clients made, read only for a file that shares a
    // binding (most files share none).
    let made = std::cell::OnceCell::new();
    let made = || {
        made.get_or_init(|| {
            seed.with_endpoints(calls::endpoints(
                facts,
                &bound,
                specs,
                &calls::aliases(facts),
            ))
        })
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out: BTreeMap<&str, Handle> = BTreeMap::new();
    if matches!(family, Family::Js | Family::Python) {
        for f in facts
            .functions
            .iter()
            .filter(|f| f.exported && f.owner.is_none() && f.within.is_none())
        {
            let vendors: BTreeSet<VendorIx> = returned_names(&lines, f.line, family)
                .filter_map(|n| bound.get(n))
                .flatten()
                .copied()
                .collect();
            if !vendors.is_empty() && !seed.bound.contains_key(&f.name) {
                out.entry(f.name.as_str()).or_insert_with(|| Handle {
                    name: f.name.clone(),
                    family,
                    file: String::new(),
                    vendors,
                    made_by: None,
                });
            }
        }
    }
    for b in &facts.bindings {
        let plain = !b.name.is_empty()
            && b.name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$');
        let Some(vendors) = bound.get(&b.name).filter(|v| plain && !v.is_empty()) else {
            continue;
        };
        let at = usize::try_from(b.line).unwrap_or(0).saturating_sub(1);
        let Some(line) = lines.get(at) else {
            continue;
        };
        let shared = match family {
            Family::Js => js_exported(line, &b.name, text),
            Family::Python => !line.starts_with([' ', '\t']) && !b.name.starts_with('_'),
            Family::Go => go_package_level(&lines, at),
            RUBY => ruby_global_constant(&lines, at, &b.name),
            Family::Jvm | Family::Other(_) => false,
        };
        if shared && !seed.bound.contains_key(&b.name) {
            let made_by = made()
                .get(&b.name)
                .and_then(|maker| maker.split_once('.'))
                .map(|(_, method)| method.to_string());
            out.entry(b.name.as_str()).or_insert_with(|| Handle {
                name: b.name.clone(),
                family,
                file: String::new(),
                vendors: vendors.clone(),
                made_by,
            });
        }
    }
    out.into_values().collect()
}

/// The plain names the function defined on 1-based `line` returns
/// (`return tb;`), read from the text: up to its end, the next line
/// that closes a block at the margin (JS) or is no deeper than the `def`
/// (Python), within 300 lines.
fn returned_names<'t>(
    lines: &'t [&'t str],
    line: u32,
    family: Family,
) -> impl Iterator<Item = &'t str> + 't {
    let start = usize::try_from(line)
        .unwrap_or(usize::MAX)
        .saturating_sub(1);
    let indent = |l: &str| l.len() - l.trim_start().len();
    let margin = lines.get(start).map_or(0, |l| indent(l));
    lines
        .iter()
        .skip(start.saturating_add(1))
        .take(300)
        .take_while(move |l| match family {
            Family::Python => l.trim().is_empty() || indent(l) > margin,
            _ => !(indent(l) <= margin && l.trim_start().starts_with('}')),
        })
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("return ")?;
            let name = rest.trim_end_matches([';', ' ']);
            (!name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '$'))
            .then_some(name)
        })
}

/// Ruby's family: its constants are the one kind of handle it has.
const RUBY: Family = Family::Other(Lang::Ruby);

/// A Ruby constant (`SEGMENT_CLIENT = Segment::Analytics.new(...)`) outside
/// any class or module: Rails initializers define such clients, and every
/// file of the application sees them without a `require`. Read from the
/// indentation: no enclosing line (one indented less) opens a `class` or
/// `module`; `if`/`unless` blocks around it do not count.
fn ruby_global_constant(lines: &[&str], at: usize, name: &str) -> bool {
    let constant = name.len() > 1
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let Some(line) = lines.get(at) else {
        return false;
    };
    if !constant {
        return false;
    }
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut depth = indent(line);
    for l in lines[..at].iter().rev() {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') || depth == 0 {
            continue;
        }
        if indent(l) < depth {
            if t.starts_with("class ") || t.starts_with("module ") {
                return false;
            }
            depth = indent(l);
        }
    }
    true
}

/// `export const NAME =` on its line, or a top-level `const NAME =` that an
/// `export { ..., NAME }` list or `module.exports` names.
fn js_exported(line: &str, name: &str, text: &str) -> bool {
    let word_after = |rest: &str, w: &str| {
        rest.strip_prefix(w)
            .is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$'))
    };
    for decl in ["const ", "let ", "var "] {
        if let Some(rest) = line
            .strip_prefix("export ")
            .and_then(|l| l.strip_prefix(decl))
            && word_after(rest.trim_start(), name)
        {
            return true;
        }
    }
    let top_level = ["const ", "let ", "var "].iter().any(|d| {
        line.strip_prefix(d)
            .is_some_and(|r| word_after(r.trim_start(), name))
    });
    top_level
        && text.lines().any(|l| {
            let l = l.trim_start();
            (l.starts_with("export {") || l.starts_with("module.exports"))
                && l.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .any(|w| w == name)
        })
}

/// A Go binding at package level: `var client = ...` at the start of its
/// line, or a line inside a `var ( ... )` block.
fn go_package_level(lines: &[&str], at: usize) -> bool {
    let Some(line) = lines.get(at) else {
        return false;
    };
    if line.starts_with("var ") {
        return true;
    }
    if !line.starts_with([' ', '\t']) || line.contains(":=") {
        return false;
    }
    // The nearest line above that starts at column 0 opens the block.
    lines[..at]
        .iter()
        .rev()
        .find(|l| !l.is_empty() && !l.starts_with([' ', '\t']))
        .is_some_and(|l| l.trim_end().starts_with("var ("))
}

/// What a file sees of other files' handles ([`handle_names`]): the
/// vendors of each local name, and the method that made each function
/// handle.
pub fn handle_seed(
    lang: Lang,
    rel: &str,
    facts: &FileFacts,
    handles: &[Handle],
    workspaces: &Workspaces,
) -> calls::Seed {
    let mut out = calls::Seed::default();
    let Some(family) = Family::of(lang) else {
        return out;
    };
    for (local, seen) in handle_names(family, rel, facts, handles, workspaces) {
        for h in seen {
            out.bound
                .entry(local.clone())
                .or_default()
                .extend(h.vendors.iter().copied());
            if let Some(m) = &h.made_by {
                out.endpoints.insert(local.clone(), m.clone());
            }
        }
    }
    out
}

/// The handles a file at `rel` sees, by the local names it sees them
/// under: imported by name (`import { resend } from "./client"`, `import {
/// resend as r }`, `from app.clients import stripe_client`), any handle of
/// the file's own Go package (folder), and Ruby's global constants.
fn handle_names<'h>(
    family: Family,
    rel: &str,
    facts: &FileFacts,
    handles: &'h [Handle],
    workspaces: &Workspaces,
) -> BTreeMap<String, Vec<&'h Handle>> {
    let mut seed: BTreeMap<String, Vec<&'h Handle>> = BTreeMap::new();
    let own: Vec<&Handle> = handles
        .iter()
        .filter(|h| h.family == family && h.file != rel)
        .collect();
    if own.is_empty() {
        return seed;
    }
    if family == RUBY {
        // Global constants: every file sees them.
        for h in own {
            seed.entry(h.name.clone()).or_default().push(h);
        }
        return seed;
    }
    if family == Family::Go {
        for h in own.into_iter().filter(|h| dir_of(&h.file) == dir_of(rel)) {
            seed.entry(h.name.clone()).or_default().push(h);
        }
        return seed;
    }
    for imp in &facts.imports {
        for &h in &own {
            if !names_module(family, rel, &imp.module, &h.file, workspaces) {
                continue;
            }
            for (original, alias) in &imp.renamed {
                if original == &h.name {
                    seed.entry(alias.clone()).or_default().push(h);
                }
            }
            if imp.bindings.iter().any(|b| b.trim() == h.name)
                && !imp.renamed.iter().any(|(o, _)| o == &h.name)
            {
                seed.entry(h.name.clone()).or_default().push(h);
            }
        }
    }
    seed
}

/// True when a file at `rel` with `text` may use `h`: it mentions the
/// handle's name followed by a member access, and sits in its Go package or
/// mentions its module.
pub fn may_use(h: &Handle, family: Family, rel: &str, text: &str, workspaces: &Workspaces) -> bool {
    h.family == family
        && h.file != rel
        && (if family == Family::Go {
            dir_of(&h.file) == dir_of(rel)
        } else if family == RUBY {
            true
        } else {
            mentions_module(family, text, &h.file, workspaces)
        })
}

/// The folder of a relative path (`""` at the root).
fn dir_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// A path without its extension.
fn stem(rel: &str) -> &str {
    match rel.rsplit_once('.') {
        Some((s, _)) if !s.ends_with('/') && !s.is_empty() => s,
        _ => rel,
    }
}

/// The word an import of a wrapper's module must contain: the file's stem,
/// or its folder's name for `index.*`, `__init__.py` and Go packages.
fn module_hint(rel: &str) -> &str {
    let s = stem(rel);
    let last = s.rsplit('/').next().unwrap_or(s);
    if last == "index" || last == "__init__" || rel.ends_with(".go") {
        let d = dir_of(rel);
        d.rsplit('/').next().unwrap_or(d)
    } else {
        last
    }
}

/// `a/b/../c/./d` → `a/c/d`; `None` when it climbs above the root.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// True when `path` is `suffix` or ends with `/suffix`.
fn ends_at_boundary(path: &str, suffix: &str) -> bool {
    !suffix.is_empty()
        && (path == suffix
            || path
                .strip_suffix(suffix)
                .is_some_and(|head| head.ends_with('/')))
}

const JS_EXTENSIONS: &[&str] = &[
    ".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx", ".vue", ".svelte",
];

/// Path aliases bundlers and TS configs commonly map to the source root.
const JS_ALIASES: &[&str] = &["@/", "~/", "~~/", "#/", "#", "$lib/"];

/// True when the JS/TS specifier `spec`, imported from `from`, names the
/// module file `target`: a relative path, a path alias, or a workspace
/// package of the monorepo that holds it (`@acme/email`, `@acme/email/send`;
/// any of its files, since its entry point re-exports them).
fn js_names(from: &str, spec: &str, target: &str, workspaces: &Workspaces) -> bool {
    if !spec.starts_with('.')
        && workspaces.iter().any(|(name, dir)| {
            (spec == name
                || spec
                    .strip_prefix(name.as_str())
                    .is_some_and(|r| r.starts_with('/')))
                && in_dir(target, dir)
        })
    {
        return true;
    }
    let spec = JS_EXTENSIONS
        .iter()
        .find_map(|e| spec.strip_suffix(e))
        .unwrap_or(spec);
    let t = stem(target);
    let t_index = t.strip_suffix("/index");
    let same = |p: &str| p == t || t_index == Some(p);
    if spec.starts_with("./") || spec.starts_with("../") {
        let joined = format!("{}/{}", dir_of(from), spec);
        return normalise(&joined).is_some_and(|p| same(&p));
    }
    let Some(rest) = JS_ALIASES.iter().find_map(|a| spec.strip_prefix(a)) else {
        return false;
    };
    ends_at_boundary(t, rest) || t_index.is_some_and(|ti| ends_at_boundary(ti, rest))
}

/// True when the Python module `module`, imported from `from`, is the file
/// `target` (`a.b` is `…/a/b.py` or `…/a/b/__init__.py`; `.b` is beside `from`).
fn python_names(from: &str, module: &str, target: &str) -> bool {
    let t = stem(target);
    let t_init = t.strip_suffix("/__init__");
    let dots = module.chars().take_while(|&c| c == '.').count();
    let rest = module[dots..].replace('.', "/");
    if dots > 0 {
        let mut base = dir_of(from).to_string();
        for _ in 1..dots {
            match base.rsplit_once('/') {
                Some((up, _)) => base = up.to_string(),
                None if !base.is_empty() => base.clear(),
                None => return false,
            }
        }
        let p = match (base.is_empty(), rest.is_empty()) {
            (_, true) => base,
            (true, false) => rest,
            (false, false) => format!("{base}/{rest}"),
        };
        return t == p || t_init == Some(p.as_str());
    }
    ends_at_boundary(t, &rest) || t_init.is_some_and(|ti| ends_at_boundary(ti, &rest))
}

/// True when the Go import path `module` is the package in `target`'s folder.
fn go_names(module: &str, target: &str) -> bool {
    ends_at_boundary(module, dir_of(target))
}

/// A module plus one more segment: `app` + `analytics` → `app.analytics`,
/// `.` + `analytics` → `.analytics`, `./lib` + `analytics` → `./lib/analytics`.
fn child_module(family: Family, module: &str, name: &str) -> String {
    match family {
        Family::Python if module.ends_with('.') => format!("{module}{name}"),
        Family::Python => format!("{module}.{name}"),
        _ => format!("{}/{name}", module.trim_end_matches('/')),
    }
}

fn names_module(
    family: Family,
    from: &str,
    module: &str,
    target: &str,
    workspaces: &Workspaces,
) -> bool {
    match family {
        Family::Js => js_names(from, module, target, workspaces),
        Family::Python => python_names(from, module, target),
        Family::Go => go_names(module, target),
        Family::Jvm | Family::Other(_) => false,
    }
}

/// The wrappers each callee (dotted) of a file refers to.
fn visible<'w>(
    family: Family,
    rel: &str,
    facts: &FileFacts,
    wrappers: &'w Wrappers,
) -> BTreeMap<String, Vec<&'w Wrapper>> {
    let mut out: BTreeMap<String, Vec<&'w Wrapper>> = BTreeMap::new();
    let own: Vec<&Wrapper> = wrappers
        .all()
        .iter()
        .filter(|w| w.family == family)
        .collect();
    for w in &own {
        if w.file == rel || (family == Family::Go && dir_of(&w.file) == dir_of(rel)) {
            out.entry(w.name.clone()).or_default().push(w);
        }
    }
    if family == Family::Jvm {
        // Kotlin's top-level functions (extension functions among them) are
        // visible without an import in their package, and elsewhere through
        // `import pkg.name`.
        for w in own.iter().filter(|w| kotlin_free_visible(w, rel, facts)) {
            out.entry(w.name.clone()).or_default().push(w);
        }
    }
    if family.typed() {
        return out;
    }
    // Functions of this file shadow imported names of theirs.
    let local: BTreeSet<&str> = facts
        .functions
        .iter()
        .filter(|f| f.owner.is_none())
        .map(|f| f.name.as_str())
        .collect();
    // Other files' exported wrappers, by file: whether an import names a
    // module is asked once per file, not once per wrapper (a function of
    // a model SDK is a wrapper of each provider it may reach).
    let mut by_file: BTreeMap<&str, Vec<&Wrapper>> = BTreeMap::new();
    for w in own.iter().filter(|w| w.exported && w.file != rel) {
        by_file.entry(w.file.as_str()).or_default().push(w);
    }
    let names =
        |module: &str, file: &str| names_module(family, rel, module, file, &wrappers.workspaces);
    for imp in &facts.imports {
        // `import { capture as track } from "./analytics"`: `track(...)`.
        if !imp.renamed.is_empty() {
            for (file, ws) in &by_file {
                if !names(&imp.module, file) {
                    continue;
                }
                for (original, alias) in &imp.renamed {
                    for w in ws {
                        let Some(key) = imported_as(&w.name, original, alias) else {
                            continue;
                        };
                        if !local.contains(alias.as_str()) {
                            out.entry(key).or_default().push(w);
                        }
                    }
                }
            }
        }
        for b in &imp.bindings {
            let b = b.trim();
            if b.is_empty() {
                continue;
            }
            let nested = child_module(family, &imp.module, b);
            let last = b.rsplit('.').next().unwrap_or(b);
            for (file, ws) in &by_file {
                if names(&imp.module, file) {
                    for w in ws {
                        // `import { capture } from "./analytics"`, `from
                        // app.analytics import capture`.
                        if imported_as(&w.name, b, b).is_some() && !local.contains(b) {
                            out.entry(w.name.clone()).or_default().push(w);
                        }
                        // `import * as analytics from "./analytics"`,
                        // `import app.analytics`, Go's `analytics.Track`.
                        out.entry(format!("{b}.{}", w.name)).or_default().push(w);
                    }
                }
                // `from app import analytics` → `analytics.capture`.
                if family != Family::Go && names(&nested, file) {
                    for w in ws {
                        out.entry(format!("{last}.{}", w.name)).or_default().push(w);
                    }
                }
            }
        }
    }
    for list in out.values_mut() {
        list.sort();
        list.dedup();
    }
    out
}

/// The name a wrapper is called by where `original` is imported as
/// `alias`: the alias for the function itself, `alias()` for the function
/// it returns (`createGenerateText()`).
fn imported_as(wrapper: &str, original: &str, alias: &str) -> Option<String> {
    if wrapper == original {
        return Some(alias.to_string());
    }
    let made = wrapper.strip_suffix("()")?;
    (made == original).then(|| format!("{alias}()"))
}

/// The method wrappers a call reaches: through a receiver of their class
/// or one it extends (`analyticsTracker.capture(...)`), a job class
/// (`SegmentTrackJob.perform_later`), the object itself (`self.send`), the
/// class (`Telegram.send`), or, where the language has an implicit `self`,
/// a bare name in a method of the class.
fn methods_called<'w>(
    family: Family,
    callee: &str,
    within: Option<&FunctionDef>,
    facts: &FileFacts,
    wrappers: &Wrappers,
    methods: &[&'w Wrapper],
) -> Vec<&'w Wrapper> {
    let mut out: Vec<&Wrapper> = Vec::new();
    // `analyticsTracker.capture(...)` where `analyticsTracker` is
    // declared of the wrapper's class or one of its ancestors.
    if let Some((recv, method)) = callee.rsplit_once('.') {
        let mut held: Vec<String> = receiver_types(recv, facts)
            .into_iter()
            .map(str::to_string)
            .collect();
        // An object made where it is called (`StripeService.new(note).create`
        // in Ruby, `Tracker().capture(e)` in Kotlin is a call of its own).
        let made = recv.strip_suffix(".new").filter(|_| family == RUBY);
        let path = made.unwrap_or(recv);
        // A job configured before it is enqueued
        // (`CreateJob.set(wait: 5.minutes).perform_later(...)`, Sidekiq's
        // `.set(queue: :low).perform_async`) is that job.
        let path = match path.strip_suffix(".set") {
            Some(job) if family == RUBY && wrappers.enqueues(method) => job,
            _ => path,
        };
        // A background job enqueued through its class
        // (`SegmentTrackJob.perform_later(...)`, Sidekiq's
        // `perform_async`) runs its `perform` with those arguments. Ruby
        // names a class by its whole path (`Billing::SyncJob`), resolved
        // below.
        let class = path
            .rsplit('.')
            .next()
            .filter(|c| c.starts_with(|ch: char| ch.is_ascii_uppercase()))
            .map(|c| if family == RUBY { path } else { c });
        if made.is_some() {
            held.extend(class.map(str::to_string));
        }
        // Ruby's bang method is the same operation, raising on failure
        // (`CreateService.call!(...)`, a service object's `call`).
        let method = match method.strip_suffix('!') {
            Some(plain) if family == RUBY && !methods.iter().any(|w| w.name == method) => plain,
            _ => method,
        };
        let method = match class {
            Some(class) if wrappers.enqueues(method) => {
                held.push(class.to_string());
                "perform"
            }
            _ => method,
        };
        // A TypeScript local holds what a function made
        // (`emailProvider = await createEmailProvider(...)`): a binding's
        // root names a type only when it is one.
        if family == Family::Js {
            held.retain(|t| t.starts_with(|c: char| c.is_ascii_uppercase()));
        }
        if held.is_empty() {
            // A field declared in a base class (`analyticsTracker` from
            // `VectorBaseFragment`): injected fields are named after
            // their type.
            held.extend(type_named_like(recv));
        }
        // The object itself (`self.send(...)` in a method of the
        // class), and a class method called through its class
        // (`Telegram.send(...)`).
        if self_method(callee).is_some() {
            held.extend(within.and_then(|f| f.owner.clone()));
        } else if held.is_empty() {
            held.extend(class.map(str::to_string));
        }
        if family == RUBY {
            let owner = within.and_then(|f| f.owner.as_deref());
            held = ruby_constants(&held, owner);
            // What a class's factory method gives
            // (`Factory.for(invoice).call!(:generate_payment_url, ...)`,
            // `CreatePaymentFactory.new_instance(...).call!`): an object of
            // any of the classes it chooses among.
            if made.is_none() {
                held.extend(wrappers.factory_classes(path, within));
            }
        }
        for w in methods.iter().filter(|w| w.name == method) {
            if wrappers.fits(w, &held) {
                out.push(*w);
            }
        }
    } else if family.implicit_self()
        && let Some(owner) = within.and_then(|f| f.owner.clone())
    {
        // `create_payment_link(body)` in a method of the class: the
        // object itself.
        let held = [owner];
        for w in methods.iter().filter(|w| w.name == callee) {
            if wrappers.fits(w, &held) {
                out.push(*w);
            }
        }
    }
    out
}

/// True when a call in a file whose path names the vendors `named` (see
/// `folders::named_by_path`) reaches `w`'s vendor: always, unless `w`'s
/// chain (or the call itself, `chosen`) goes through a factory that picks
/// one provider among several, and the path names others only
/// (`stripe_create_job.rb` calling the generic payment service).
fn reaches(w: &Wrapper, chosen: bool, named: &[VendorIx]) -> bool {
    !(w.dispatched || chosen) || named.is_empty() || named.contains(&w.vendor)
}

/// The classes Ruby code in a method of `owner` may mean by each of
/// `names` (see [`super::ruby_tree::constants`]).
fn ruby_constants(names: &[String], owner: Option<&str>) -> Vec<String> {
    super::ruby_tree::constants(names, owner)
}

/// The calls of one file that go through a wrapper: call evidence for the
/// wrapper's vendor, and the fields passed in the forwarded parameters.
pub fn resolve(
    lang: Lang,
    (rel, named): (&str, &[VendorIx]),
    facts: &FileFacts,
    wrappers: &Wrappers,
    specs: &calls::Specs,
) -> (Vec<Finding>, Vec<CallField>) {
    let mut findings = Vec::new();
    let mut fields: BTreeSet<CallField> = BTreeSet::new();
    let Some(family) = Family::of(lang) else {
        return (findings, Vec::new());
    };
    let visible = visible(family, rel, facts, wrappers);
    let methods: Vec<&Wrapper> = wrappers
        .all()
        .iter()
        .filter(|w| w.family == family && w.owner.is_some())
        .collect();
    if visible.is_empty() && methods.is_empty() {
        return (findings, Vec::new());
    }
    // Each call with the function it is made in, if any (a function's
    // calls may also be listed among the file's, which come second).
    let all = facts
        .functions
        .iter()
        .flat_map(|f| f.calls.iter().map(move |c| (c, Some(f))))
        .chain(facts.calls.iter().map(|c| (c, None)));
    // This file's own wrappers, by name and line, for the plumbing test
    // below (once per file, not once per call).
    // (A Ruby method that only carries its object's data passes nothing
    // of its own on: its calls are call sites.)
    let own_wrappers: BTreeSet<(&str, u32)> = wrappers
        .all()
        .iter()
        .filter(|x| x.file == rel && !x.forwards.is_empty())
        .map(|x| (x.name.as_str(), x.line))
        .collect();
    let made = if visible.keys().any(|k| k.ends_with("()")) {
        returned_functions(facts, |k| visible.contains_key(k))
    } else {
        Vec::new()
    };
    let chosen = function_aliases(family, facts);
    let mut seen: BTreeSet<(u32, &str)> = BTreeSet::new();
    for (call, within) in all {
        if !seen.insert((call.line, call.callee.as_str())) {
            continue;
        }
        let callee = calls::dotted(&call.callee);
        let callee = returned_called(&made, callee, within, facts);
        let mut ws: Vec<&Wrapper> = visible.get(&callee).cloned().unwrap_or_default();
        for name in aliased(&chosen, &callee, within, facts) {
            for w in visible.get(name).into_iter().flatten() {
                if !ws.contains(w) {
                    ws.push(w);
                }
            }
        }
        if family == Family::Jvm {
            kotlin_free_calls(&callee, rel, facts, &visible, &mut ws);
        }
        let chosen = wrappers.through_factory(family, &callee, within);
        for w in methods_called(family, &callee, within, facts, wrappers, &methods) {
            if !ws.contains(&w) {
                ws.push(w);
            }
        }
        ws.retain(|w| reaches(w, chosen, named));
        // A call a wrapper of this file makes in passing on its own
        // parameters is the wrappers' plumbing: the outer wrapper's callers
        // are the call sites (what it adds of its own, it carries there).
        let from_wrapper =
            within.is_some_and(|f| own_wrappers.contains(&(f.name.as_str(), f.line)));
        for w in ws {
            // A method's calls from its own class are the class's plumbing
            // (`capture` calling a private `send`, pending properties
            // replayed); its callers elsewhere are the call sites. A
            // request wrapper's are call sites too: an API client's other
            // methods compose what it sends (`notify` writing the message
            // `self.send` posts, `scheduleBot` the body of `this.request`).
            // A Ruby method that carries its object's data is called
            // on that object by the method that gave it the data
            // (`create(customer)` setting `@customer`, then
            // `create_stripe_customer`): that call is where the data goes
            // in, a call site (see [`keeps_state`]).
            // So is a Ruby service's call of its own private helper
            // (`track_add_on_created(result.add_on)` in `call`) from a
            // method that passes none of its parameters on there: the
            // record it passes is the object's own.
            let state = w.forwards.is_empty();
            let own_record = family == RUBY && !from_wrapper;
            if w.owner.is_some()
                && w.file == rel
                && (!w.request || from_wrapper)
                && !state
                && !own_record
            {
                continue;
            }
            // A function defined in another (`const generate = ...` in
            // `createGenerateText`) is called only from there: another
            // function's `generate` is its own.
            if w.file == rel
                && w.within.is_some()
                && !within.is_some_and(|f| visible_from(w.within, f, facts))
            {
                continue;
            }
            // The wrapper's own recursive call is not a call site.
            if w.file == rel
                && facts.functions.iter().any(|f| {
                    f.name == w.name && f.line == w.line && f.calls.iter().any(|c| c == call)
                })
            {
                continue;
            }
            findings.push(Finding {
                vendor: w.vendor,
                kind: EvidenceKind::Call,
                line: call.line,
                text: Some(format!(
                    "{} → {} ({}:{}): {}",
                    w.name,
                    w.via,
                    w.file,
                    w.line,
                    call.text.trim()
                )),
                scope: Scope::Production,
            });
            site_fields(w, call, within, specs, &mut fields);
            for (category, name) in &w.carries {
                fields.insert(CallField {
                    vendor: w.vendor,
                    category: category.clone(),
                    name: format!("{name} (added by {} at {}:{})", w.name, w.file, w.line),
                    line: call.line,
                });
            }
        }
    }
    (findings, fields.into_iter().collect())
}

/// Local names that stand for a function by its name, not for what a
/// call of it gave back (JavaScript and TypeScript): `const publish =
/// archive ? publishArchive : publishDelete`, `const send = sendEmail`;
/// as (the local name, the line, the function's name). A binding whose
/// line calls the name (`const sent = sendEmail(...)`) is the call's
/// result.
fn function_aliases(family: Family, facts: &FileFacts) -> Vec<(&str, u32, &str)> {
    if family != Family::Js {
        return Vec::new();
    }
    let plain = |n: &str| {
        !n.is_empty()
            && n.split('.').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
            })
    };
    let mut candidates: Vec<&Binding> = facts
        .bindings
        .iter()
        .filter(|b| plain(&b.name) && !b.name.contains('.') && plain(&b.root) && b.root != b.name)
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let called: BTreeSet<(u32, String)> = facts
        .all_calls()
        .map(|c| (c.line, calls::dotted(&c.callee)))
        .collect();
    candidates.retain(|b| {
        !called.contains(&(b.line, b.root.clone()))
            && !called.contains(&(b.line.saturating_add(1), b.root.clone()))
    });
    candidates
        .into_iter()
        .map(|b| (b.name.as_str(), b.line, b.root.as_str()))
        .collect()
}

/// The functions `callee` stands for where it is called (in `within`, or
/// at the top level): [`function_aliases`] made in that function's body.
fn aliased<'a>(
    chosen: &'a [(&'a str, u32, &'a str)],
    callee: &str,
    within: Option<&FunctionDef>,
    facts: &FileFacts,
) -> Vec<&'a str> {
    if callee.contains('.') || !chosen.iter().any(|(name, _, _)| *name == callee) {
        return Vec::new();
    }
    let span = within.map(|f| f.line..=body_end(f, facts));
    chosen
        .iter()
        .filter(|(name, line, _)| *name == callee && span.as_ref().is_none_or(|s| s.contains(line)))
        .map(|(_, _, root)| *root)
        .collect()
}

/// Local names bound to a function a visible function returned, where
/// that returned function is a wrapper (`const generate =
/// createGenerateText(opts)`, then `generate({ prompt })` calls the
/// wrapper `createGenerateText()`), or parameters declared as one
/// (`generate: ReturnType<typeof createGenerateText>`): (the line of the
/// function that binds the name, `None` at the top level; the name; the
/// wrapper's key in `visible`). The name is that function's own, and its
/// nested ones'.
fn returned_functions(
    facts: &FileFacts,
    is_wrapper: impl Fn(&str) -> bool,
) -> Vec<(Option<u32>, String, String)> {
    let mut out = Vec::new();
    // A function's calls may also be listed among the file's, which come
    // second: the first is where the call is.
    let all = facts
        .functions
        .iter()
        .flat_map(|f| f.calls.iter().map(move |c| (c, Some(f.line))))
        .chain(facts.calls.iter().map(|c| (c, None)));
    let mut seen: BTreeSet<(u32, &str)> = BTreeSet::new();
    for (c, at) in all {
        if !seen.insert((c.line, c.callee.as_str())) {
            continue;
        }
        let maker = calls::dotted(&c.callee);
        let key = format!("{maker}()");
        if !is_wrapper(&key) {
            continue;
        }
        for b in facts.bindings.iter().filter(|b| {
            b.root == maker
                && !b.name.contains('.')
                && (b.line..=b.line.saturating_add(2)).contains(&c.line)
        }) {
            out.push((at, b.name.clone(), key.clone()));
        }
    }
    // A parameter declared as one (`generate: ReturnType<typeof
    // createGenerateText>`), in the function it is a parameter of.
    for b in facts
        .bindings
        .iter()
        .filter(|b| b.root.ends_with("()") && !b.name.contains('.') && is_wrapper(&b.root))
    {
        let at = facts
            .functions
            .iter()
            .filter(|f| f.line <= b.line)
            .map(|f| f.line)
            .max();
        out.push((at, b.name.clone(), b.root.clone()));
    }
    out.sort();
    out.dedup();
    out
}

/// `callee`, called in `within`, as the returned function it is bound to
/// there ([`returned_functions`]), or as it is.
fn returned_called(
    made: &[(Option<u32>, String, String)],
    callee: String,
    within: Option<&FunctionDef>,
    facts: &FileFacts,
) -> String {
    made.iter()
        .find(|(at, local, _)| {
            *local == callee
                && match within {
                    Some(f) => visible_from(*at, f, facts),
                    None => at.is_none(),
                }
        })
        .map_or(callee, |(_, _, key)| key.clone())
}

/// Functions of this file that pass their own parameters on to another
/// file's wrapper in the places it forwards (`clearSpecific({ userId })`
/// around an imported `captureException(error, { extra: { userId } })`),
/// and functions that pass theirs on to those, a few levels deep
/// ([`chain`], to [`MAX_LEVEL`]): wrappers of this file, whose calls the
/// pipeline's next level resolves here and, when exported, in other files.
/// Their evidence names the whole chain with the imported wrapper's place
/// (`clearSpecific → captureException (utils/error.ts:3) →
/// Sentry.captureException`).
/// Methods of another file are called through receivers, not by a name
/// [`chain`] can match: in Ruby they are followed by their class, in
/// TypeScript and JavaScript by the receiver's declared type or the type
/// it is named after ([`around_methods`]); in the other languages, not
/// across files.
pub fn outer_of_imported(
    lang: Lang,
    (rel, named): (&str, &[VendorIx]),
    facts: &FileFacts,
    wrappers: &Wrappers,
    specs: &calls::Specs,
) -> Vec<Wrapper> {
    let Some(family) = Family::of(lang) else {
        return Vec::new();
    };
    if facts.functions.is_empty() {
        return Vec::new();
    }
    // Each imported wrapper, under the name this file calls it by, as if
    // it were this file's (no line of it here, so no function is it).
    let mut out: BTreeMap<(String, u32, VendorIx), Wrapper> = BTreeMap::new();
    let mut places: BTreeMap<(String, VendorIx), String> = BTreeMap::new();
    for (name, ws) in visible(family, rel, facts, wrappers) {
        for w in ws
            .into_iter()
            .filter(|w| w.file != rel && w.owner.is_none())
        {
            let seed = Wrapper {
                name: name.clone(),
                line: u32::MAX,
                within: None,
                extension: false,
                ..w.clone()
            };
            places.insert((name.clone(), w.vendor), format!("{}:{}", w.file, w.line));
            out.insert((name.clone(), u32::MAX, w.vendor), seed);
        }
    }
    // Ruby: this file's methods around another file's method, called
    // through its class (a job's, a service object's). TypeScript: a
    // class's methods around an imported wrapper (`GmailProvider`'s
    // `sendEmailWithHtml(body)` around `utils/gmail/mail.ts`'s), and
    // methods around another file's method wrapper called through an
    // interface (`emailProvider.sendEmailWithHtml(...)`, where
    // `GmailProvider implements EmailProvider`). Not yet in Kotlin, Java
    // and Swift, whose view models dispatch every action through one
    // method (`viewModel.handle(action)`), so that a caller passing an
    // action that sends nothing would be taken for one that does.
    let methods = matches!(family, RUBY | Family::Js);
    if methods {
        around_methods(family, (rel, named), facts, wrappers, specs, &mut out);
    }
    if out.is_empty() {
        return Vec::new();
    }
    chain(family, facts, specs, &mut out, methods);
    let known: BTreeSet<(&str, u32, VendorIx)> = wrappers
        .all()
        .iter()
        .filter(|w| w.file == rel)
        .map(|w| (w.name.as_str(), w.line, w.vendor))
        .collect();
    out.into_iter()
        .filter(|((name, line, v), _)| {
            *line != u32::MAX && !known.contains(&(name.as_str(), *line, *v))
        })
        .map(|(_, mut w)| {
            w.file = rel.to_string();
            // `captureException → Sentry.x` names where captureException is
            // (a local name shadows an imported one, so the first match is it).
            let mut steps: Vec<String> = w.via.split(" → ").map(str::to_string).collect();
            if let Some(step) = steps
                .iter_mut()
                .find(|s| places.contains_key(&(s.to_string(), w.vendor)))
            {
                let place = &places[&(step.clone(), w.vendor)];
                *step = format!("{step} ({place})");
            }
            w.via = steps.join(" → ");
            w
        })
        .collect()
}

/// Adds to `out` the functions and methods of this Ruby or TypeScript file
/// (`rel`) that pass their own parameters on to another file's method
/// wrapper, reached through its class (`SegmentTrackJob.perform_later(...)`
/// in `Utils::SegmentTrack.invoice_created(invoice)`) or a receiver of a
/// type it implements (`emailProvider.sendEmailWithHtml({ to })`), or that call a method
/// carrying an object's data (see [`keeps_state`]):
/// wrappers of the next level, whose own callers the pipeline resolves.
/// Their evidence names the method's place.
fn around_methods(
    family: Family,
    (rel, named): (&str, &[VendorIx]),
    facts: &FileFacts,
    wrappers: &Wrappers,
    specs: &calls::Specs,
    out: &mut BTreeMap<(String, u32, VendorIx), Wrapper>,
) {
    let methods: Vec<&Wrapper> = wrappers
        .all()
        .iter()
        .filter(|w| w.family == family && w.owner.is_some() && w.file != rel)
        .collect();
    if methods.is_empty() {
        return;
    }
    for f in &facts.functions {
        each_call_through(family, f, facts, |call, through| {
            let callee = calls::dotted(&call.callee);
            let chosen = wrappers.through_factory(family, &callee, Some(f));
            for w in methods_called(family, &callee, Some(f), facts, wrappers, &methods) {
                if !reaches(w, chosen, named) {
                    continue;
                }
                let passed = through.passed(call, w, specs);
                let via = format!("{} ({}:{}) → {}", w.name, w.file, w.line, w.via);
                if chosen && !w.dispatched {
                    let w = Wrapper {
                        dispatched: true,
                        ..w.clone()
                    };
                    enter(out, f, &w, via, passed, true);
                } else {
                    enter(out, f, w, via, passed, true);
                }
            }
        });
    }
}

/// `AnalyticsTracker` → `analyticsTracker`, the conventional name of a
/// field of that type.
fn decapitalised(t: &str) -> String {
    let mut c = t.chars();
    c.next()
        .map(|h| h.to_ascii_lowercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// The type a field is conventionally named after: `analyticsTracker` →
/// `AnalyticsTracker`, also as a member of another object
/// (`request.emailProvider`, a middleware's context, → `EmailProvider`).
fn type_named_like(recv: &str) -> Option<String> {
    let bare = ["this.", "self.", "$this."]
        .iter()
        .find_map(|p| recv.strip_prefix(p))
        .unwrap_or(recv);
    let bare = bare.rsplit('.').next().unwrap_or(bare);
    if bare.is_empty()
        || !bare.starts_with(|c: char| c.is_ascii_lowercase())
        || matches!(bare, "self" | "this" | "cls" | "static")
    {
        return None;
    }
    let mut c = bare.chars();
    c.next()
        .map(|h| h.to_ascii_uppercase().to_string() + c.as_str())
}

/// The declared types of a receiver (`analyticsTracker`,
/// `this.analyticsTracker`), from the file's typed bindings (fields,
/// parameters and locals declared with a type).
fn receiver_types<'f>(recv: &str, facts: &'f FileFacts) -> Vec<&'f str> {
    let bare = ["this.", "self.", "$this."]
        .iter()
        .find_map(|p| recv.strip_prefix(p))
        .unwrap_or(recv);
    if bare.contains('.') || bare.is_empty() {
        return Vec::new();
    }
    facts
        .bindings
        .iter()
        .filter(|b| {
            b.name == bare
                || b.name
                    .strip_prefix("this.")
                    .or_else(|| b.name.strip_prefix("self."))
                    .or_else(|| b.name.strip_prefix('@'))
                    .is_some_and(|n| n == bare)
        })
        .map(|b| b.root.as_str())
        .collect()
}

/// The type declarations of a source text, by a light reading of their
/// headers: `class A : B(), C` and `interface I : J` (Kotlin), `class A
/// extends B implements C, D` (Java, PHP), `final class A: P` (Swift), each
/// as (name, the simple names it extends or implements). Used to know a
/// method wrapper's class's ancestors across files no scan parsed.
pub fn type_decls(text: &str) -> Vec<(String, Vec<String>)> {
    const KEYWORDS: &[&str] = &[
        "class",
        "interface",
        "object",
        "protocol",
        "struct",
        "trait",
    ];
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    for kw in KEYWORDS {
        for (at, _) in text.match_indices(kw) {
            let end = at + kw.len();
            let before_ok =
                at == 0 || b[at - 1] == b' ' || b[at - 1] == b'\t' || b[at - 1] == b'\n';
            if !before_ok || b.get(end).is_none_or(|&c| c != b' ') {
                continue;
            }
            let rest = &text[end..];
            let name_start = rest.len() - rest.trim_start().len();
            let name: String = rest[name_start..]
                .bytes()
                .take_while(|&c| ident(c))
                .map(char::from)
                .collect();
            if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                continue;
            }
            let header = header_after(&rest[name_start + name.len()..]);
            let supers = supertypes(&header);
            out.push((name, supers));
        }
    }
    out
}

/// A declaration's header after its name, up to its body, with bracketed
/// parts (constructor parameters, type arguments) removed.
fn header_after(rest: &str) -> String {
    let mut out = String::new();
    let mut parens = 0usize;
    let mut angles = 0usize;
    for (i, c) in rest.char_indices() {
        if i > 2000 {
            break;
        }
        match c {
            '(' => parens += 1,
            ')' => parens = parens.saturating_sub(1),
            '<' if parens == 0 => angles += 1,
            '>' if parens == 0 => angles = angles.saturating_sub(1),
            '{' | ';' if parens == 0 && angles == 0 => break,
            '\n' if parens == 0 && angles == 0 => {
                // A header goes on when its line ends with `,` or `:`, or the
                // next one starts with `:`, `,`, `extends` or `implements`.
                let next = rest[i + 1..].trim_start();
                let line_end = out.trim_end();
                if !(line_end.ends_with(',')
                    || line_end.ends_with(':')
                    || next.starts_with([':', ','])
                    || next.starts_with("extends")
                    || next.starts_with("implements"))
                {
                    break;
                }
                out.push(' ');
            }
            _ if parens == 0 && angles == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The simple names after `:`, `extends` or `implements` in a header.
fn supertypes(header: &str) -> Vec<String> {
    let mut lists: Vec<&str> = Vec::new();
    if let Some((_, after)) = header.split_once(':') {
        lists.push(after);
    }
    for kw in ["extends", "implements"] {
        for (at, _) in header.match_indices(kw) {
            lists.push(&header[at + kw.len()..]);
        }
    }
    let mut out = Vec::new();
    for list in lists {
        // Up to the next keyword of the header.
        let list = ["extends", "implements", "where"]
            .iter()
            .filter_map(|k| list.find(k))
            .min()
            .map_or(list, |i| &list[..i]);
        for item in list.split(',') {
            let item = item.trim();
            let item = item.split(" by ").next().unwrap_or(item);
            let name: String = item
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.' || *c == '\\')
                .collect();
            let simple = name.rsplit(['.', '\\']).next().unwrap_or("").to_string();
            if simple.starts_with(|c: char| c.is_ascii_uppercase()) && !out.contains(&simple) {
                out.push(simple);
            }
        }
    }
    out
}

/// True when a call-site argument is in a forwarded parameter's place.
fn forwarded(arg: &Arg, fw: &Forward) -> bool {
    if let Some(m) = &fw.member {
        // `sendEmail({ to: user.email })`: the key of the object passed in
        // the destructured parameter's place; or that object whole
        // (`sendEmail(options)`), of which the wrapper reads the member.
        return arg.position == Some(fw.index)
            && (arg.key.as_deref().and_then(|k| k.split('.').next()) == Some(m.as_str())
                || passes_object(arg, fw));
    }
    match arg.position {
        Some(p) => p == fw.index,
        None => arg
            .key
            .as_deref()
            .is_some_and(|k| k.split('.').next() == Some(fw.name.as_str())),
    }
}

/// True when `arg` is a whole object named at the place of a destructured
/// parameter `fw` (`runAgent(options)` for `runAgent({ messages })`, or
/// `const { messages } = options` in its body): the wrapper reads
/// `fw.member` off it.
fn passes_object(arg: &Arg, fw: &Forward) -> bool {
    fw.member.is_some()
        && arg.key.is_none()
        && arg.position == Some(fw.index)
        && calls::is_plain_chain(&arg.expr)
}

/// True when the argument is the whole forwarded parameter, not a part
/// of it.
fn is_whole(arg: &Arg, fw: &Forward) -> bool {
    if let Some(m) = &fw.member {
        return arg.key.as_deref() == Some(m.as_str());
    }
    match arg.position {
        Some(_) => arg.key.is_none(),
        // A keyword argument named exactly like the parameter.
        None => arg.key.as_deref() == Some(fw.name.as_str()),
    }
}

/// True when a forwarded parameter is a location by what the wrapper does
/// with it (a renderer's camera).
fn implied_place(fw: &Forward) -> bool {
    fw.implies
        .as_deref()
        .is_some_and(|c| c.starts_with("user.location"))
}

/// What a request wrapper's call site writes out in the body it passes
/// (`body: new URLSearchParams({ chat_id, text })`), by each key.
fn body_fields(
    w: &Wrapper,
    call: &Call,
    arg: &Arg,
    specs: &calls::Specs,
    fields: &mut BTreeSet<CallField>,
) {
    for (key, value, _) in super::http::payload_pairs(&arg.expr, arg.line, &BTreeMap::new()) {
        if calls::is_literal(value) {
            continue;
        }
        let pair = Arg {
            key: Some(key.to_string()),
            expr: value.to_string(),
            ..arg.clone()
        };
        classified_at(w, call, arg, &pair, key, specs, fields);
    }
}

/// The field `seen` gives, if it classifies, named `name` and reported
/// where `arg` of `call` is (see [`calls::at_call`]).
fn classified_at(
    w: &Wrapper,
    call: &Call,
    arg: &Arg,
    seen: &Arg,
    name: &str,
    specs: &calls::Specs,
    fields: &mut BTreeSet<CallField>,
) {
    if let Some(category) = calls::classify_for(seen, w.vendor, specs) {
        let (line, _) = calls::at_call(call, arg);
        fields.insert(CallField {
            vendor: w.vendor,
            category,
            name: name.to_string(),
            line,
        });
    }
}

/// A name or member chain, as it is or spread (`...emailAccount`).
fn spread_or_chain(expr: &str) -> Option<&str> {
    let e = expr.trim();
    let e = e.strip_prefix("...").unwrap_or(e);
    calls::is_plain_chain(e).then_some(e)
}

/// True when `arg` is a spread and the object literal it is spread into
/// writes the first member of `path` itself (`{ ...account, email: x }`):
/// that one is read as its own argument.
fn writes_read(call: &Call, arg: &Arg, path: &str) -> bool {
    if !arg.expr.trim().starts_with("...") {
        return false;
    }
    let first = path.split('.').next().unwrap_or(path);
    let written = match &arg.key {
        Some(k) => format!("{k}.{first}"),
        None => first.to_string(),
    };
    call.args.iter().any(|a| {
        a.position == arg.position
            && a.key.as_deref().is_some_and(|k| {
                k.strip_prefix(written.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            })
    })
}

/// The fields a call site of `w` (made in `within`) passes in the places
/// of its forwarded parameters.
fn site_fields(
    w: &Wrapper,
    call: &Call,
    within: Option<&FunctionDef>,
    specs: &calls::Specs,
    fields: &mut BTreeSet<CallField>,
) {
    for arg in &call.args {
        for fw in &w.forwards {
            if let Some(object) = spread_param(call, arg, fw, within) {
                member_field(w, fw, call, arg, object, specs, fields);
            } else if forwarded(arg, fw) && preferred_arg(call, fw).is_none() {
                field_of(w, fw, call, arg, specs, fields);
            }
        }
    }
}

/// The member `fw.member` of `object`, which `arg` passes whole in the
/// place of a destructured parameter: known by its key, or else by the
/// message text it is sent in.
fn member_field(
    w: &Wrapper,
    fw: &Forward,
    call: &Call,
    arg: &Arg,
    object: &str,
    specs: &calls::Specs,
    fields: &mut BTreeSet<CallField>,
) {
    let Some(m) = &fw.member else {
        return;
    };
    let member = Arg {
        key: Some(m.clone()),
        expr: format!("{object}.{m}"),
        ..arg.clone()
    };
    let by_place = fw.key.as_ref().map(|k| Arg {
        key: Some(k.clone()),
        ..member.clone()
    });
    let seen = if calls::classify_for(&member, w.vendor, specs).is_some() {
        &member
    } else {
        by_place
            .as_ref()
            .filter(|b| calls::is_message_text(b.key.as_deref(), &b.expr))
            .unwrap_or(&member)
    };
    classified_at(w, call, arg, seen, &member.expr, specs, fields);
}

/// The parameter of `within` that `arg` spreads into the object literal
/// passed in the place of the destructured parameter `fw`
/// (`buildListTool({ ...options, terms })` in `(options: ToolOptions) =>`):
/// the wrapper reads `fw.member` off it, unless the literal writes that
/// member itself (`{ ...options, email: x }`, read as its own argument).
/// A spread local (`...conversion`, what a call returned) is not one: its
/// members are not known.
fn spread_param<'c>(
    call: &Call,
    arg: &'c Arg,
    fw: &Forward,
    within: Option<&FunctionDef>,
) -> Option<&'c str> {
    let m = fw.member.as_deref()?;
    let object = arg.expr.trim().strip_prefix("...")?;
    (arg.key.is_none()
        && arg.position == Some(fw.index)
        && !writes_read(call, arg, m)
        && within.is_some_and(|f| f.params.iter().any(|p| p == object)))
    .then_some(object)
}

/// The fields one argument of a wrapper's call site gives, reported where
/// [`calls::at_call`] says (at the call when the value was built before it).
fn field_of(
    w: &Wrapper,
    fw: &Forward,
    call: &Call,
    arg: &Arg,
    specs: &calls::Specs,
    fields: &mut BTreeSet<CallField>,
) {
    // `runAgent(options)` where the wrapper sends `options.messages`: that
    // member of the object, known by its key or else by the message text
    // it is sent in.
    if passes_object(arg, fw) {
        member_field(w, fw, call, arg, arg.expr.trim(), specs, fields);
        return;
    }
    let whole = is_whole(arg, fw);
    // A bare value (`u.ID`) is what the vendor receives under the key the
    // wrapper passes it with (`UserId: userID`). What a request wrapper
    // passes whole as the request's body is known by what it holds, not
    // by the name it has on the way (`callApi({ body })`).
    let keyed;
    let seen = match (&fw.key, &arg.key) {
        (_, Some(k)) if whole && w.request && super::http::is_body_key(k) => {
            body_fields(w, call, arg, specs, fields);
            keyed = Arg {
                key: None,
                ..arg.clone()
            };
            &keyed
        }
        (Some(k), None) if whole => {
            keyed = Arg {
                key: Some(k.clone()),
                ..arg.clone()
            };
            &keyed
        }
        _ => arg,
    };
    // What a renderer's camera is given is sent as the area it shows (the
    // implied category below), whatever the value's own name says.
    let place = implied_place(fw);
    // `determineStatus({ message, emailAccount })` where the wrapper puts
    // `emailAccount` in a prompt: the call site's key only names the
    // parameter, so a value its own name says nothing of is known by the
    // message text the vendor receives it in.
    let by_place;
    let mut category = calls::classify_for(seen, w.vendor, specs);
    if category.is_none()
        && whole
        && let (Some(k), Some(member)) = (&fw.key, &fw.member)
        && arg.key.as_deref() == Some(member.as_str())
        && calls::is_message_text(Some(k), &arg.expr)
    {
        by_place = Arg {
            key: Some(k.clone()),
            ..arg.clone()
        };
        category = calls::classify_for(&by_place, w.vendor, specs);
    }
    if let Some(category) = category.filter(|_| !place) {
        if !(whole && fw.event_name && !category.starts_with("user.unique_id")) {
            let (line, name) = calls::at_call(call, arg);
            fields.insert(CallField {
                vendor: w.vendor,
                category,
                name,
                line,
            });
        }
    }
    // `identifyAccount(account)` where the wrapper sends `account.email`:
    // that member of what the call site passes.
    // An object spread in its place (`emailAccount: { ...emailAccount,
    // account }`) is that object with more: the member is its.
    if let Some(path) = fw.read.as_deref().filter(|_| whole)
        && let Some(object) = spread_or_chain(&arg.expr)
        && !writes_read(call, arg, path)
    {
        let member = Arg {
            key: None,
            expr: format!("{object}.{path}"),
            ..arg.clone()
        };
        classified_at(w, call, arg, &member, &member.expr, specs, fields);
    }
    // A location written as a constant (`DEFAULT_CENTER`) is a place of
    // the application, not a person's.
    let constant_place = place && super::renderers::constant(&arg.expr);
    if let Some(implied) = &fw.implies
        && whole
        && !calls::is_literal(&arg.expr)
        && !constant_place
    {
        // Named by the member the wrapper reads, when it reads one
        // (`identifyUser(u)` around `identify(user.id)`: `u.id`).
        let expr = match fw.read.as_deref() {
            Some(path) if calls::is_plain_chain(&arg.expr) => {
                format!("{}.{path}", arg.expr.trim())
            }
            _ => arg.expr.clone(),
        };
        let (line, name) = calls::at_call(
            call,
            &Arg {
                key: None,
                expr,
                ..arg.clone()
            },
        );
        fields.insert(CallField {
            vendor: w.vendor,
            category: calls::implied_category(implied, &arg.expr),
            name,
            line,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_providers_entry_is_named_as_a_member_or_a_key_not_in_a_string() {
        assert!(names_entry(
            "const o = options.openrouter || {};",
            "openrouter"
        ));
        assert!(names_entry("const o = options?.openrouter;", "openrouter"));
        assert!(names_entry("options[\"openrouter\"] = next;", "openrouter"));
        assert!(names_entry(
            "return { ...options, openrouter: next };",
            "openrouter"
        ));
        assert!(names_entry("  \"openrouter\": { user },", "openrouter"));
        assert!(!names_entry(
            "if (provider !== \"openrouter\") return o;",
            "openrouter"
        ));
        assert!(!names_entry("const openrouterKey = env.KEY;", "openrouter"));
        assert!(!names_entry("Provider::openrouter::x", "openrouter"));
    }

    #[test]
    fn a_value_is_written_into_a_member_or_under_a_key() {
        assert!(writes_value("    next.user = userId;", "userId"));
        assert!(writes_value("trace[\"account\"] = accountId", "accountId"));
        assert!(writes_value("return { user: userId, label };", "userId"));
        assert!(writes_value(
            "  email_account_id: emailAccountId,",
            "emailAccountId"
        ));
        // A local, a type, a test, a value computed from it.
        assert!(!writes_value("const id = userId;", "userId"));
        assert!(!writes_value("  userId?: string;", "userId"));
        assert!(!writes_value("if (next.user === userId) return;", "userId"));
        assert!(!writes_value("next.user = hash(userId);", "userId"));
    }

    #[test]
    fn a_member_read_off_a_parameter_is_its_path() {
        assert_eq!(
            read_off("account.email", "account").as_deref(),
            Some("email")
        );
        assert_eq!(
            read_off("options?.user.id", "options").as_deref(),
            Some("user.id")
        );
        assert_eq!(read_off("$data->email", "data").as_deref(), Some("email"));
        assert_eq!(read_off("accountant.email", "account"), None);
        assert_eq!(read_off("account", "account"), None);
        assert_eq!(read_off("account.emails[0]", "account"), None);
        assert_eq!(read_off("account.getEmail()", "account"), None);
    }

    #[test]
    fn parameter_names_lose_types_defaults_and_spreads() {
        assert_eq!(param_name("props: Record<string, unknown> = {}"), "props");
        assert_eq!(param_name("...rest"), "rest");
        assert_eq!(param_name("**kwargs"), "kwargs");
        assert_eq!(param_name("event?"), "event");
    }

    #[test]
    fn js_specifiers_resolve_relative_and_aliased() {
        let t = "web/src/lib/analytics.ts";
        let ws: Workspaces = vec![("@acme/track".into(), "packages/track".into())];
        assert!(js_names("web/src/pages/a.tsx", "../lib/analytics", t, &ws));
        assert!(js_names("web/src/lib/b.ts", "./analytics.js", t, &ws));
        assert!(js_names("web/src/x.ts", "@/lib/analytics", t, &ws));
        assert!(!js_names("web/src/x.ts", "analytics", t, &ws));
        assert!(!js_names("web/src/x.ts", "./analytics", t, &ws));
        assert!(!js_names("web/src/x.ts", "@segment/analytics", t, &ws));
        assert!(js_names(
            "web/src/x.ts",
            "./lib/analytics",
            "web/src/lib/analytics/index.ts",
            &ws
        ));
        assert!(!js_names("a.ts", "../../../x", "x.ts", &ws));
        // A workspace package, by its name or a subpath.
        let lib = "packages/track/src/capture.ts";
        assert!(js_names("apps/web/a.ts", "@acme/track", lib, &ws));
        assert!(js_names("apps/web/a.ts", "@acme/track/capture", lib, &ws));
        assert!(!js_names("apps/web/a.ts", "@acme/tracker", lib, &ws));
        assert!(!js_names("apps/web/a.ts", "@acme/track", t, &ws));
    }

    #[test]
    fn python_modules_resolve_dotted_and_relative() {
        let t = "api/app/analytics.py";
        assert!(python_names("api/app/views.py", "app.analytics", t));
        assert!(python_names("api/app/views.py", ".analytics", t));
        assert!(python_names("api/app/sub/views.py", "..analytics", t));
        assert!(!python_names("api/app/views.py", "analytics_lib", t));
        assert!(!python_names("api/app/views.py", "other.analytics2", t));
        assert!(python_names(
            "api/app/views.py",
            "app.analytics",
            "api/app/analytics/__init__.py"
        ));
        assert!(python_names("api/app/views.py", ".", "api/app/__init__.py"));
    }

    #[test]
    fn go_import_paths_match_the_package_folder() {
        assert!(go_names(
            "github.com/acme/shop/internal/analytics",
            "internal/analytics/track.go"
        ));
        assert!(!go_names(
            "github.com/acme/shop/internal/analytics2",
            "internal/analytics/track.go"
        ));
        assert!(!go_names("github.com/acme/shop", "main.go"));
    }

    #[test]
    fn parameters_interpolated_into_strings() {
        assert!(interpolated("`<p>Hi ${name}</p>`", "name"));
        assert!(interpolated("`Hi ${ name.first }`", "name"));
        assert!(interpolated("\"Hi #{name}\"", "name"));
        assert!(interpolated("f\"Hi {name}\"", "name"));
        assert!(!interpolated("`Hi ${names}`", "name"));
        assert!(!interpolated("'Hi {name}'", "name"));
        assert!(member_of("options.email", "options"));
        assert!(member_of("options?.email", "options"));
        assert!(!member_of("optionsList.email", "options"));
    }

    #[test]
    fn type_declarations_and_their_ancestors() {
        let kt = "@Singleton\nclass DefaultVectorAnalytics @Inject constructor(\n    private val a: A,\n    b: B<C>,\n) : VectorAnalytics, Closeable by x {\n}\ninterface VectorAnalytics : AnalyticsTracker {\n    fun capture(e: E)\n}\n";
        let got = type_decls(kt);
        assert!(got.contains(&(
            "DefaultVectorAnalytics".to_string(),
            vec!["VectorAnalytics".to_string(), "Closeable".to_string()]
        )));
        assert!(got.contains(&(
            "VectorAnalytics".to_string(),
            vec!["AnalyticsTracker".to_string()]
        )));
        let java =
            "public final class Tracker extends Base<T> implements com.acme.Analytics, Flushable {";
        assert_eq!(
            type_decls(java),
            [(
                "Tracker".to_string(),
                vec![
                    "Base".to_string(),
                    "Analytics".to_string(),
                    "Flushable".to_string()
                ]
            )]
        );
        let swift = "final class AnalyticsService: AnalyticsServiceProtocol {\n}";
        assert_eq!(
            type_decls(swift),
            [(
                "AnalyticsService".to_string(),
                vec!["AnalyticsServiceProtocol".to_string()]
            )]
        );
        assert!(type_decls("// a class of its own\nval x = 1").is_empty());
    }

    #[test]
    fn module_hints() {
        assert_eq!(module_hint("web/src/lib/analytics.ts"), "analytics");
        assert_eq!(module_hint("web/src/lib/track/index.ts"), "track");
        assert_eq!(module_hint("app/analytics/__init__.py"), "analytics");
        assert_eq!(module_hint("internal/events/send.go"), "events");
    }
}
