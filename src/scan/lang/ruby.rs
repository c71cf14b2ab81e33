//! Ruby, by tree-sitter-ruby: `require`/`require_relative`/`gem`, method
//! calls with receivers (`Stripe::Customer.create` → `Stripe.Customer.create`),
//! keyword and hash arguments (`email: x`, `:email => x`), assignments
//! (including `||=`), `def`.
//!
//! A receiver call without arguments or a block (`user.email`) reads an
//! attribute far more often than it sends anything, so it is not recorded
//! as a call (except `.new`); it still appears in callee paths and values.

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children};
use super::{Arg, ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Extracts the facts of a Ruby source.
pub(crate) fn extract(
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    engine::parse_and_walk(Lang::Ruby, src, limits, deadline, visit)
}

struct Rb;

const VARIABLES: &[&str] = &[
    "identifier",
    "instance_variable",
    "class_variable",
    "global_variable",
];

impl Syntax for Rb {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        if node.kind() == "array" {
            return Some(engine::elements(node, "splat_argument"));
        }
        if node.kind() != "hash" {
            return None;
        }
        Some(
            children(node)
                .into_iter()
                .filter_map(|c| entry(ctx, c))
                .collect(),
        )
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        // A `hash_key_symbol` is a value only in Ruby 3.1's shorthand
        // (`identify(traits:)` passes the local `traits`; see [`entry`]).
        (VARIABLES.contains(&node.kind()) || node.kind() == "hash_key_symbol")
            .then(|| ctx.text(node).trim_end_matches(':').to_string())
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "identifier" | "constant" | "instance_variable" | "class_variable"
            | "global_variable" | "self" => Step::Name(ctx.text(node).to_string()),
            "hash_key_symbol" => Step::Name(ctx.text(node).trim_end_matches(':').to_string()),
            "call" => {
                let method = node
                    .child_by_field_name("method")
                    .map(|m| ctx.text(m).to_string())
                    .unwrap_or_default();
                match node.child_by_field_name("receiver") {
                    Some(r) => Step::Member(r, method),
                    None if !method.is_empty() => Step::Name(method),
                    None => Step::Opaque,
                }
            }
            "scope_resolution" => {
                let name = node
                    .child_by_field_name("name")
                    .map(|m| ctx.text(m).to_string())
                    .unwrap_or_default();
                match node.child_by_field_name("scope") {
                    Some(s) => Step::Member(s, name),
                    None => Step::Name(name),
                }
            }
            "element_reference" => node
                .child_by_field_name("object")
                .map_or(Step::Opaque, |o| Step::Member(o, String::new())),
            "parenthesized_statements" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, Step::Through),
            _ => Step::Opaque,
        }
    }
}

/// One entry of a hash or of an argument list.
fn entry<'t>(ctx: &Ctx<'_>, node: Node<'t>) -> Option<Entry<'t>> {
    match node.kind() {
        "pair" => {
            let key = node.child_by_field_name("key")?;
            // Ruby 3.1's `name:` passes the local or method `name`.
            let value = node.child_by_field_name("value").unwrap_or(key);
            Some(Entry::Keyed(key_text(ctx, key), value))
        }
        "hash_splat_argument" | "splat_argument" | "block_argument" => Some(Entry::Spread(node)),
        _ => Some(Entry::Positional(node)),
    }
}

fn key_text(ctx: &Ctx<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "hash_key_symbol" => ctx.text(key).trim_end_matches(':').to_string(),
        "simple_symbol" => ctx.text(key).trim_start_matches(':').to_string(),
        "string" | "delimited_symbol" => string_value(ctx, key).to_string(),
        _ => ctx.compact(key),
    }
}

/// A string's value: its contents between the delimiters.
fn string_value<'s>(ctx: &Ctx<'s>, node: Node<'_>) -> &'s str {
    let mut cursor = node.walk();
    let parts: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    match (parts.first(), parts.last()) {
        (Some(first), Some(last)) => ctx.slice(first.start_byte(), last.end_byte()),
        _ => "",
    }
}

fn string_arg<'s>(ctx: &Ctx<'s>, call: Node<'_>) -> Option<&'s str> {
    let args = call.child_by_field_name("arguments")?;
    let first = children(args).into_iter().next()?;
    let plain =
        first.kind() == "string" && !children(first).iter().any(|c| c.kind() == "interpolation");
    plain.then(|| string_value(ctx, first))
}

const IMPORTS: &[&str] = &["require", "require_relative", "gem", "load"];

/// Methods that return the hash they are called on, with the same keys or
/// fewer empty ones (`{ email: ... }.compact`).
const SAME_HASH: &[&str] = &[
    "compact",
    "compact_blank",
    "freeze",
    "to_h",
    "with_indifferent_access",
    "symbolize_keys",
    "stringify_keys",
    "deep_symbolize_keys",
    "deep_stringify_keys",
];

/// The hash literal a value is, looking through [`SAME_HASH`] calls on it.
fn hash_literal<'t>(ctx: &Ctx<'_>, value: Node<'t>) -> Option<Node<'t>> {
    let mut v = value;
    for _ in 0..4 {
        match v.kind() {
            "hash" => return Some(v),
            "call"
                if v.child_by_field_name("arguments").is_none()
                    && v.child_by_field_name("method")
                        .is_some_and(|m| SAME_HASH.contains(&ctx.text(m))) =>
            {
                v = v.child_by_field_name("receiver")?;
            }
            "parenthesized_statements" => v = children(v).into_iter().next()?,
            _ => return None,
        }
    }
    None
}

fn assign(ctx: &mut Ctx<'_>, left: Node<'_>, right: Node<'_>, at: Node<'_>) {
    if VARIABLES.contains(&left.kind())
        && let Some(hash) = hash_literal(ctx, right)
    {
        let args = engine::flatten(ctx, &Rb, vec![Entry::Positional(hash)]);
        ctx.record_literal(ctx.text(left).to_string(), args);
        return;
    }
    if left.kind() == "element_reference" {
        // `props[:email] = user.email` adds to a recorded hash.
        let object = left.child_by_field_name("object");
        let key = children(left)
            .into_iter()
            .find(|c| Some(c.id()) != object.map(|o| o.id()))
            .filter(|k| matches!(k.kind(), "simple_symbol" | "string" | "delimited_symbol"))
            .map(|k| key_text(ctx, k));
        if let (Some(object), Some(key)) = (object, key) {
            let arg = Arg {
                key: Some(key),
                expr: ctx.compact(right),
                line: ctx.line(right),
                position: None,
            };
            let var = ctx.text(object).to_string();
            if ctx.extend_literal(&var, arg) {
                return;
            }
        }
    }
    let name = match left.kind() {
        k if VARIABLES.contains(&k) || k == "constant" => ctx.text(left).to_string(),
        "call" => engine::path(ctx, &Rb, left),
        _ => return,
    };
    if let Some(root) = engine::root(ctx, &Rb, right) {
        ctx.push_binding(name, root, at);
    }
}

/// What a method returns as its last expression, looking through calls on
/// it: `{ email: ... }`, `{ ... }.compact`, `payload.merge(other)`,
/// `payload`.
fn returned_value(method: Node<'_>) -> Option<Node<'_>> {
    let mut last = children(method).into_iter().last()?;
    if last.kind() == "body_statement" {
        last = children(last).into_iter().last()?;
    }
    if last.kind() == "return" {
        last = children(last).into_iter().next()?;
        if last.kind() == "argument_list" {
            last = children(last).into_iter().next()?;
        }
    }
    while last.kind() == "call" {
        last = last.child_by_field_name("receiver")?;
    }
    matches!(last.kind(), "hash" | "identifier").then_some(last)
}

/// A reader method without parameters that builds a client of a class
/// (`def client = GoCardlessPro::Client.new(...)`, or memoised:
/// `@client || Stripe::StripeClient.new(...)`, `@client ||= ...`) binds its
/// name to that class, as an assignment would: `client.customers.create`
/// in another method of the class is then a call on that client. One that
/// returns a constant (`def api_url = API_URL`) binds its name to the
/// constant, for [`crate::scan::remote`]'s URL definitions.
fn reader_binding(ctx: &mut Ctx<'_>, method: Node<'_>) {
    if method.kind() != "method" || method.child_by_field_name("parameters").is_some() {
        return;
    }
    let Some(name) = method.child_by_field_name("name") else {
        return;
    };
    let Some(mut last) = children(method).into_iter().last() else {
        return;
    };
    if last.kind() == "body_statement" {
        match children(last).into_iter().last() {
            Some(l) => last = l,
            None => return,
        }
    }
    let value = match last.kind() {
        "binary"
            if last
                .child_by_field_name("operator")
                .is_some_and(|o| ctx.text(o) == "||") =>
        {
            last.child_by_field_name("right")
        }
        "operator_assignment" => last.child_by_field_name("right"),
        _ => Some(last),
    }
    .filter(|v| match v.kind() {
        // A client made (`Stripe::StripeClient.new(...)`), not what a
        // call of the vendor's API gives back (`Stripe::Refund.create(...)`
        // returns the refund).
        "call" => v
            .child_by_field_name("method")
            .is_some_and(|m| ctx.text(m) == "new"),
        k => matches!(k, "constant" | "scope_resolution"),
    });
    let Some(value) = value else {
        return;
    };
    if let Some(root) =
        engine::root(ctx, &Rb, value).filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))
    {
        let name = ctx.text(name).to_string();
        ctx.push_binding(name, root, method);
    }
}

fn params(ctx: &Ctx<'_>, method: Node<'_>) -> Vec<String> {
    let Some(list) = method.child_by_field_name("parameters") else {
        return Vec::new();
    };
    children(list)
        .into_iter()
        .map(|p| match p.kind() {
            "optional_parameter" | "keyword_parameter" => p
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string())
                .unwrap_or_default(),
            _ => ctx.compact(p),
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// The call a dispatch by name makes: `obj.send(:create, x)`
/// (`public_send`, `__send__`), or a class's `call`/`call!` given a
/// method's name first (`StripeService.call!(:create, customer)`, a
/// service object convention), as `obj.create` / `StripeService.create`.
fn dispatched(
    ctx: &Ctx<'_>,
    node: Node<'_>,
    receiver: Option<Node<'_>>,
    method: &str,
) -> Option<String> {
    let by_name = matches!(method, "send" | "public_send" | "__send__")
        || (matches!(method, "call" | "call!")
            && receiver.is_some_and(|r| {
                matches!(r.kind(), "constant" | "scope_resolution") || made_by_class(r)
            }));
    if !by_name {
        return None;
    }
    let args = node.child_by_field_name("arguments")?;
    let first = children(args).into_iter().next()?;
    if first.kind() != "simple_symbol" {
        return None;
    }
    let name = ctx.text(first).trim_start_matches(':');
    match receiver {
        Some(r) => Some(format!("{}.{name}", engine::path(ctx, &Rb, r))),
        None => Some(name.to_string()),
    }
}

/// True when `receiver` is a class (`SegmentTrack.flush`,
/// `Billing::Sync.call`) or an object made there
/// (`StripeService.new(note).create`): a method called on it without
/// arguments does something, where one on a value (`user.email`) reads an
/// attribute.
fn made_or_class(ctx: &Ctx<'_>, receiver: Option<Node<'_>>) -> bool {
    receiver.is_some_and(|r| match r.kind() {
        "constant" | "scope_resolution" => true,
        "call" => r
            .child_by_field_name("method")
            .is_some_and(|m| ctx.text(m) == "new"),
        _ => false,
    })
}

/// True when `node` is a call of a class's method (`Factory.for(invoice)`,
/// `CreatePaymentFactory.new_instance(...)`): what it gives is an object
/// (a factory's), on which a service object's `call` acts
/// (`Factory.for(invoice).call!(:generate_payment_url, invoice)`).
fn made_by_class(node: Node<'_>) -> bool {
    node.kind() == "call"
        && node
            .child_by_field_name("receiver")
            .is_some_and(|r| matches!(r.kind(), "constant" | "scope_resolution"))
}

/// True when the identifier `node`, in a method's body, is a statement of
/// its own or the value assigned (`stripe_result = create_stripe_refund`):
/// a call of a method without arguments, as Ruby writes one (a local read
/// there would do nothing, or copy a local, which no wrapper is named
/// like). Not an argument, receiver or operand, where locals are read.
fn bare_call(node: Node<'_>, parent: Option<Node<'_>>) -> bool {
    let Some(parent) = parent else {
        return false;
    };
    match parent.kind() {
        "body_statement" | "then" | "else" | "ensure" | "begin" => true,
        "assignment" | "operator_assignment" => parent
            .child_by_field_name("right")
            .is_some_and(|r| r.id() == node.id()),
        // `notify_customer if paid?`: the statement, not the condition.
        "if_modifier" | "unless_modifier" | "rescue_modifier" => parent
            .child_by_field_name("body")
            .is_some_and(|b| b.id() == node.id()),
        _ => false,
    }
}

/// True when the identifier `node` names a local of the method it is in:
/// a parameter (of the method or of a block), or a name assigned before
/// it in the method (`total = refund`, `@x ||= y` is not one).
fn local(ctx: &Ctx<'_>, node: Node<'_>, anc: &[Node<'_>]) -> bool {
    let name = ctx.text(node);
    let Some(method) = anc
        .iter()
        .rev()
        .find(|a| matches!(a.kind(), "method" | "singleton_method"))
    else {
        return false;
    };
    // The 16 KB before it at most: each bare name looks back once, so a
    // huge method costs its size times a bound, not its size squared.
    const LOOKBACK: usize = 16 * 1024;
    let mut start = method
        .start_byte()
        .max(node.start_byte().saturating_sub(LOOKBACK));
    while !ctx.source().is_char_boundary(start) {
        start += 1;
    }
    let before = ctx.slice(start, node.start_byte());
    let word = |c: char| c.is_alphanumeric() || c == '_';
    before.match_indices(name).any(|(at, _)| {
        let prev = before[..at].chars().next_back();
        let rest = &before[at + name.len()..];
        if prev.is_some_and(|c| word(c) || c == '@' || c == '.' || c == ':')
            || rest.starts_with(word)
        {
            return false;
        }
        let rest = rest.trim_start_matches([' ', '\t']);
        // `name = ...`, `name ||= ...`, `name += ...`, a parameter
        // (`def create(name)`, `|name|`, `name:` with a default).
        (rest.starts_with('=')
            && !rest.starts_with("==")
            && !rest.starts_with("=>")
            && !rest.starts_with("=~"))
            || rest.starts_with("||=")
            || rest.starts_with("+=")
            || rest.starts_with("-=")
            || rest.starts_with([')', '|', ','])
            || (rest.starts_with(':') && !rest.starts_with("::"))
    })
}

fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, anc: &[Node<'_>]) {
    match node.kind() {
        "call" => {
            let method = node.child_by_field_name("method");
            let method_name = method.map(|m| ctx.text(m)).unwrap_or("");
            let receiver = node.child_by_field_name("receiver");
            if receiver.is_none() && IMPORTS.contains(&method_name) {
                if let Some(module) = string_arg(ctx, node) {
                    let dynamic = ctx.in_function();
                    ctx.import(module, Vec::new(), node, dynamic);
                    return;
                }
            }
            let arguments = node.child_by_field_name("arguments");
            let has_block = node.child_by_field_name("block").is_some();
            // A service object's `call` on what a class's method made
            // (`CreatePaymentFactory.new_instance(...).call!`) acts too.
            let acts =
                matches!(method_name, "call" | "call!") && receiver.is_some_and(made_by_class);
            // `create_requested_credit_note!`: a name no local can have,
            // a call of the object's own method.
            let own_bang = receiver.is_none() && method_name.ends_with('!');
            if arguments.is_none()
                && !has_block
                && method_name != "new"
                && !made_or_class(ctx, receiver)
                && !acts
                && !own_bang
            {
                return;
            }
            let entries = arguments
                .map(|a| {
                    children(a)
                        .into_iter()
                        .filter_map(|c| entry(ctx, c))
                        .collect()
                })
                .unwrap_or_default();
            let mut args = engine::flatten(ctx, &Rb, entries);
            let mut callee = engine::path(ctx, &Rb, node);
            if let Some(named) = dispatched(ctx, node, receiver, method_name) {
                // `StripeService.call!(:create, customer)` is
                // `StripeService.create(customer)`.
                callee = named;
                args.retain(|a| a.position != Some(0));
                for a in &mut args {
                    a.position = a.position.map(|p| p - 1);
                }
            }
            ctx.grow_literal(&callee, &args);
            ctx.call(callee, args, node, method.unwrap_or(node));
        }
        "assignment" | "operator_assignment" => {
            if let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                assign(ctx, left, right, node);
            }
        }
        "class" | "module" => {
            // Qualified by the modules and classes it is nested in
            // (`Charges.CreateService`): a Rails app has a `CreateService`
            // in many modules, and a call names the one it means.
            let outer = ctx.current_class().and_then(|(o, _)| o);
            let name = node
                .child_by_field_name("name")
                .map(|n| engine::path(ctx, &Rb, n))
                .map(|n| match outer {
                    Some(o) => format!("{o}.{n}"),
                    None => n,
                });
            ctx.enter_class(name, true);
        }
        "method" | "singleton_method" => {
            if let (Some(name), Some(value)) =
                (node.child_by_field_name("name"), returned_value(node))
            {
                let name = ctx.text(name).to_string();
                engine::record_returned(ctx, &Rb, &name, value);
            }
            reader_binding(ctx, node);
            let owner = ctx.current_class().and_then(|(o, _)| o);
            let def = node.child_by_field_name("name").map(|n| FunctionDef {
                name: ctx.text(n).to_string(),
                owner,
                params: params(ctx, node),
                exported: true,
                line: ctx.line(node),
                calls: Vec::new(),
                within: None,
            });
            ctx.enter_function(def);
        }
        "block" | "do_block" | "lambda" => ctx.enter_function(None),
        "identifier"
            if ctx.in_function()
                && bare_call(node, anc.last().copied())
                && !local(ctx, node, anc) =>
        {
            let name = ctx.text(node).to_string();
            ctx.call(name, Vec::new(), node, node);
        }
        "string" => {
            let value = string_value(ctx, node);
            ctx.push_string(value, node);
        }
        _ => {}
    }
}
