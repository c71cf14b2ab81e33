//! JavaScript (with JSX), TypeScript and TSX: tree-sitter-javascript for
//! JS/JSX, tree-sitter-typescript's two grammars for TS and TSX. The node
//! kinds used here exist in all three grammars.

use std::collections::HashSet;
use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children, unquote};
use super::{Arg, ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Which grammar a file needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    JavaScript,
    TypeScript,
    Tsx,
}

/// Extracts the facts of a JS/TS source whose first line is line
/// `line_offset + 1` of the file (script blocks embedded in HTML, Vue and
/// Svelte start further down).
pub(crate) fn extract(
    dialect: Dialect,
    src: &str,
    line_offset: u32,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    extract_quoting(dialect, src, src, line_offset, limits, deadline)
}

/// [`extract`], with `text` fields quoted from `display` (the script as
/// written, when `src` has its template tags blanked).
pub(crate) fn extract_quoting(
    dialect: Dialect,
    src: &str,
    display: &str,
    line_offset: u32,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    let lang = match dialect {
        Dialect::JavaScript => Lang::JavaScript,
        Dialect::TypeScript => Lang::TypeScript,
        Dialect::Tsx => Lang::Tsx,
    };
    let tree = engine::parse(lang, src, deadline)?;
    let mut ctx = Ctx::new(src, line_offset, limits, deadline);
    ctx.set_display(display);
    let mut exported: HashSet<String> = HashSet::new();
    engine::walk(&tree, &mut ctx, |ctx, node, anc| {
        visit(ctx, node, anc, &mut exported)
    })?;
    let mut facts = ctx.finish();
    for f in &mut facts.functions {
        if f.owner.is_none() && exported.contains(&f.name) {
            f.exported = true;
        }
    }
    Ok(facts)
}

struct Js;

const WRAPPERS: &[&str] = &[
    "parenthesized_expression",
    "await_expression",
    "non_null_expression",
    "as_expression",
    "satisfies_expression",
    "type_assertion",
];

/// Strips parentheses, `await`, `!` and type assertions.
fn unwrap(node: Node<'_>) -> Node<'_> {
    let mut n = node;
    for _ in 0..16 {
        if !WRAPPERS.contains(&n.kind()) {
            break;
        }
        // `<T>x` has the type first: the expression is the last child.
        let inner = if n.kind() == "type_assertion" {
            children(n).into_iter().last()
        } else {
            children(n).into_iter().next()
        };
        match inner {
            Some(i) => n = i,
            None => break,
        }
    }
    n
}

/// A value that is sent or left out: `cond && { id }`, `cond ? extra :
/// undefined`, `cond ? {} : { id }` give what is sent when anything is
/// (then unwrapped). A choice between two values is not one of these: which
/// of them is sent is the program's to decide (see [`passed_literals`]).
fn included(node: Node<'_>) -> Node<'_> {
    let mut n = unwrap(node);
    for _ in 0..8 {
        let next = match n.kind() {
            "binary_expression"
                if n.child_by_field_name("operator")
                    .is_some_and(|o| o.kind() == "&&") =>
            {
                n.child_by_field_name("right")
            }
            "ternary_expression" => {
                match (
                    n.child_by_field_name("consequence").map(unwrap),
                    n.child_by_field_name("alternative").map(unwrap),
                ) {
                    (Some(a), Some(b)) if nothing(b) && !nothing(a) => Some(a),
                    (Some(a), Some(b)) if nothing(a) && !nothing(b) => Some(b),
                    _ => None,
                }
            }
            _ => None,
        };
        match next {
            Some(x) => n = unwrap(x),
            None => break,
        }
    }
    n
}

/// `undefined`, `null`, `{}`, `[]`: what a value left out is replaced with.
fn nothing(node: Node<'_>) -> bool {
    match node.kind() {
        "undefined" | "null" => true,
        "object" | "array" => node.named_child_count() == 0,
        _ => false,
    }
}

impl Syntax for Js {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        let node = included(node);
        if node.kind() == "array" {
            return Some(engine::elements(node, "spread_element"));
        }
        if node.kind() != "object" {
            return None;
        }
        let mut out = Vec::new();
        for child in children(node) {
            match child.kind() {
                "pair" => {
                    let (Some(key), Some(value)) = (
                        child.child_by_field_name("key"),
                        child.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    out.push(Entry::Keyed(key_text(ctx, key), value));
                }
                "shorthand_property_identifier" => {
                    out.push(Entry::Keyed(ctx.text(child).to_string(), child));
                }
                "spread_element" => out.push(Entry::Spread(child)),
                "method_definition" => {
                    if let Some(name) = child.child_by_field_name("name") {
                        out.push(Entry::Keyed(key_text(ctx, name), child));
                    }
                }
                _ => {}
            }
        }
        Some(out)
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        let node = included(node);
        // `{ messages }` names the variable `messages` too.
        matches!(node.kind(), "identifier" | "shorthand_property_identifier")
            .then(|| ctx.text(node).to_string())
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "identifier"
            | "property_identifier"
            | "private_property_identifier"
            | "this"
            | "super"
            | "type_identifier"
            | "shorthand_property_identifier"
            | "import" => Step::Name(ctx.text(node).to_string()),
            "member_expression" => {
                match (
                    node.child_by_field_name("object"),
                    node.child_by_field_name("property"),
                ) {
                    (Some(o), Some(p)) => Step::Member(o, ctx.text(p).to_string()),
                    _ => Step::Opaque,
                }
            }
            "subscript_expression" => {
                let Some(object) = node.child_by_field_name("object") else {
                    return Step::Opaque;
                };
                let segment = node
                    .child_by_field_name("index")
                    .filter(|i| i.kind() == "string")
                    .map(|i| unquote(ctx.text(i)).to_string())
                    .unwrap_or_default();
                Step::Member(object, segment)
            }
            "call_expression" => node
                .child_by_field_name("function")
                .map_or(Step::Opaque, Step::Through),
            "new_expression" => node
                .child_by_field_name("constructor")
                .map_or(Step::Opaque, Step::Through),
            // `key ? new Resend(key) : null`, `cached ?? new Stripe(key)`:
            // the client is the branch that builds something.
            "ternary_expression" => {
                let builds = |n: &Node<'t>| {
                    matches!(
                        n.kind(),
                        "new_expression" | "call_expression" | "await_expression"
                    )
                };
                let yes = node.child_by_field_name("consequence");
                let no = node.child_by_field_name("alternative");
                match (yes, no) {
                    (Some(y), _) if builds(&y) => Step::Through(y),
                    (_, Some(n)) if builds(&n) => Step::Through(n),
                    _ => Step::Opaque,
                }
            }
            "binary_expression" => {
                let op = node.child_by_field_name("operator").map(|o| ctx.text(o));
                match (op, node.child_by_field_name("right")) {
                    (Some("??" | "||"), Some(r))
                        if matches!(r.kind(), "new_expression" | "call_expression") =>
                    {
                        Step::Through(r)
                    }
                    _ => Step::Opaque,
                }
            }
            k if WRAPPERS.contains(&k) => {
                let inner = unwrap(node);
                if inner.id() == node.id() {
                    Step::Opaque
                } else {
                    Step::Through(inner)
                }
            }
            _ => Step::Opaque,
        }
    }
}

fn key_text(ctx: &Ctx<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "string" => unquote(ctx.text(key)).to_string(),
        _ => ctx.compact(key),
    }
}

/// A literal module name: a string, or a template without substitutions.
fn literal_module<'s>(ctx: &Ctx<'s>, node: Node<'_>) -> Option<&'s str> {
    match node.kind() {
        "string" => Some(unquote(ctx.text(node))),
        "template_string"
            if !children(node)
                .iter()
                .any(|c| c.kind() == "template_substitution") =>
        {
            Some(unquote(ctx.text(node)))
        }
        _ => None,
    }
}

fn first_arg(call: Node<'_>) -> Option<Node<'_>> {
    let args = call.child_by_field_name("arguments")?;
    children(args).into_iter().next()
}

/// The names a destructuring pattern (or a plain identifier) binds.
fn pattern_names(ctx: &Ctx<'_>, pattern: Node<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![pattern];
    let mut budget = 4096usize;
    while let Some(n) = stack.pop() {
        budget = budget.saturating_sub(1);
        if budget == 0 {
            break;
        }
        match n.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                out.push(ctx.text(n).to_string())
            }
            "pair_pattern" => {
                if let Some(v) = n.child_by_field_name("value") {
                    stack.push(v);
                }
            }
            "assignment_pattern" | "object_assignment_pattern" => {
                if let Some(l) = n.child_by_field_name("left") {
                    stack.push(l);
                }
            }
            "object_pattern" | "array_pattern" | "rest_pattern" => {
                for c in children(n).into_iter().rev() {
                    stack.push(c);
                }
            }
            _ => {}
        }
    }
    out
}

/// The names bound to the result of an import call:
/// `const { a } = await import('x')`, `const x = require('x').default`.
fn import_bindings(ctx: &Ctx<'_>, call: Node<'_>, anc: &[Node<'_>]) -> Vec<String> {
    let mut child = call;
    let mut through_member = false;
    for a in anc.iter().rev().take(8) {
        let is = |field: &str| a.child_by_field_name(field).map(|n| n.id()) == Some(child.id());
        match a.kind() {
            k if WRAPPERS.contains(&k) => {}
            "member_expression" if is("object") => through_member = true,
            // `require('debug')('app')` still names the module; a method
            // call on it (`import('x').then(...)`) does not.
            "call_expression" if is("function") && !through_member => {}
            "variable_declarator" if is("value") => {
                return a
                    .child_by_field_name("name")
                    .map(|n| pattern_names(ctx, n))
                    .unwrap_or_default();
            }
            "assignment_expression" if is("right") => {
                return a
                    .child_by_field_name("left")
                    .map(|l| vec![engine::path(ctx, &Js, l)])
                    .unwrap_or_default();
            }
            _ => break,
        }
        child = *a;
    }
    Vec::new()
}

fn params(ctx: &Ctx<'_>, function: Node<'_>) -> Vec<String> {
    if let Some(p) = function.child_by_field_name("parameter") {
        return vec![ctx.text(p).to_string()];
    }
    let Some(list) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in children(list) {
        let p = match p.kind() {
            "required_parameter" | "optional_parameter" => {
                match p
                    .child_by_field_name("pattern")
                    .or_else(|| p.child_by_field_name("name"))
                {
                    Some(pattern) if pattern.kind() == "this" => continue,
                    Some(pattern) => pattern,
                    None => continue,
                }
            }
            _ => p,
        };
        let p = if p.kind() == "assignment_pattern" {
            p.child_by_field_name("left").unwrap_or(p)
        } else {
            p
        };
        out.push(match p.kind() {
            "object_pattern" => object_pattern_text(ctx, p),
            _ => ctx.compact(p),
        });
    }
    out
}

/// A destructuring parameter as its keys and names, however long the
/// pattern is written (`{ to, subject: title, cc = [] }` → `{ to,
/// subject: title, cc }`): defaults, types and nested patterns left out
/// (at most 64 entries).
fn object_pattern_text(ctx: &Ctx<'_>, pattern: Node<'_>) -> String {
    let mut entries: Vec<String> = Vec::new();
    for e in children(pattern).into_iter().take(64) {
        let entry = match e.kind() {
            "shorthand_property_identifier_pattern" => Some(ctx.text(e).to_string()),
            "object_assignment_pattern" => e
                .child_by_field_name("left")
                .filter(|l| l.kind() == "shorthand_property_identifier_pattern")
                .map(|l| ctx.text(l).to_string()),
            "pair_pattern" => {
                match (e.child_by_field_name("key"), e.child_by_field_name("value")) {
                    (Some(k), Some(v)) => {
                        let v = if v.kind() == "assignment_pattern" {
                            v.child_by_field_name("left").unwrap_or(v)
                        } else {
                            v
                        };
                        (v.kind() == "identifier")
                            .then(|| format!("{}: {}", key_text(ctx, k), ctx.text(v)))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        entries.extend(entry);
    }
    format!("{{ {} }}", entries.join(", "))
}

fn args_of(ctx: &Ctx<'_>, call: Node<'_>) -> Vec<Arg> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    if args.kind() == "template_string" {
        return engine::flatten(ctx, &Js, vec![Entry::Positional(args)]);
    }
    let entries = children(args)
        .into_iter()
        .map(|a| {
            if a.kind() == "spread_element" {
                Entry::Spread(a)
            } else {
                Entry::Positional(a)
            }
        })
        .collect();
    engine::flatten(ctx, &Js, entries)
}

/// The object literals a value is made of when it is not one itself: both
/// branches of `cond ? { a } : { a, b }`, and the one argument of a helper
/// of the same file that returns its argument spread into a new object
/// (`disableLinkUnfurls(cond ? {...} : {...})` where the function returns
/// `{ ...message, unfurl: false }`). Any other call returns something
/// else than its argument: a key built from it (`getKey({ id })`), a
/// serialised message, a database row (`prisma.user.findUnique({ where })`).
fn passed_literals<'t>(ctx: &Ctx<'_>, value: Node<'t>) -> Option<Vec<Node<'t>>> {
    fn objects(n: Node<'_>) -> Option<Vec<Node<'_>>> {
        let n = unwrap(n);
        match n.kind() {
            "object" => Some(vec![n]),
            "ternary_expression" => {
                let a = unwrap(n.child_by_field_name("consequence")?);
                let b = unwrap(n.child_by_field_name("alternative")?);
                (a.kind() == "object" && b.kind() == "object").then(|| vec![a, b])
            }
            _ => None,
        }
    }
    match value.kind() {
        "ternary_expression" => objects(value),
        "call_expression" => {
            let callee = value.child_by_field_name("function")?;
            if callee.kind() != "identifier" {
                return None;
            }
            let args = children(value.child_by_field_name("arguments")?);
            let literals = match args.as_slice() {
                [one] => objects(*one)?,
                _ => return None,
            };
            // Searched last: only a call given a literal reads the file.
            spreads_its_argument(ctx.source(), ctx.text(callee)).then_some(literals)
        }
        _ => None,
    }
}

/// True when the file defines `function NAME(param` (or `const NAME =
/// (param`) and the next lines spread that parameter (`...param`): the
/// helper returns its argument with more keys. Lexical and bounded.
fn spreads_its_argument(src: &str, name: &str) -> bool {
    const BODY: usize = 600;
    if name.is_empty() {
        return false;
    }
    for prefix in ["function ", "const ", "let "] {
        let needle = format!("{prefix}{name}");
        let mut from = 0;
        while let Some(i) = src.get(from..).and_then(|t| t.find(&needle)) {
            let at = from + i + needle.len();
            from = at;
            let rest = src.get(at..).unwrap_or("");
            // `function f<T>(p`, `const f = (p`, `const f = async (p`.
            let Some(open) = rest.find('(').filter(|&o| o < 120) else {
                continue;
            };
            let head = &rest[..open];
            if head
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
            {
                continue; // a longer name that starts with NAME
            }
            let param: String = rest[open + 1..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
                .collect();
            if param.is_empty() {
                continue;
            }
            let mut end = (at + open + BODY).min(src.len());
            while !src.is_char_boundary(end) {
                end -= 1;
            }
            let body = src.get(at + open..end).unwrap_or("");
            if body.contains(&format!("...{param}")) {
                return true;
            }
        }
    }
    false
}

/// The names a choice between two named values picks from (`cond ?
/// publishArchive : publishDelete`, `cond ? api.archive : api.trash`):
/// `None` when a branch is anything else (a call, a literal).
fn named_choices(ctx: &Ctx<'_>, value: Node<'_>) -> Option<Vec<String>> {
    if value.kind() != "ternary_expression" {
        return None;
    }
    let named = |n: Option<Node<'_>>| {
        let n = unwrap(n?);
        matches!(n.kind(), "identifier" | "member_expression").then(|| ctx.text(n).to_string())
    };
    let yes = named(value.child_by_field_name("consequence"))?;
    let no = named(value.child_by_field_name("alternative"))?;
    Some(if yes == no { vec![yes] } else { vec![yes, no] })
}

/// Records `name = value`: a literal for data flow, or a binding.
fn assign(ctx: &mut Ctx<'_>, name: Node<'_>, value: Node<'_>, at: Node<'_>) {
    let value_inner = unwrap(value);
    match name.kind() {
        "identifier" => {
            let var = ctx.text(name).to_string();
            if Js.entries(ctx, value_inner).is_some() {
                let args = engine::flatten(ctx, &Js, vec![Entry::Positional(value_inner)]);
                // `const opts = { ...options, args }`: the object is the
                // one it spreads, with more (rooted like a template's
                // names, see [`super::Binding`]).
                if value_inner.kind() == "object" {
                    let spreads: Vec<Node<'_>> = children(value_inner)
                        .into_iter()
                        .filter(|c| c.kind() == "spread_element")
                        .collect();
                    let mut roots = Vec::new();
                    push_roots(ctx, &spreads, &mut roots);
                    for root in roots {
                        ctx.push_binding(var.clone(), format!("${{{root}}}"), at);
                    }
                }
                ctx.record_literal(var, args);
            } else if let Some(literals) = passed_literals(ctx, value_inner) {
                let entries = literals.into_iter().map(Entry::Positional).collect();
                let args = engine::flatten(ctx, &Js, entries);
                ctx.record_literal(var, args);
            } else if let Some(template) = template_of(value_inner) {
                template_bindings(ctx, &var, template, at);
            } else if let Some(choices) = named_choices(ctx, value_inner) {
                // `const publish = archive ? publishArchive : publishDelete`:
                // the name stands for either, one binding each.
                for root in choices {
                    ctx.push_binding(var.clone(), root, at);
                }
            } else if let Some(root) = engine::root(ctx, &Js, value) {
                ctx.push_binding(var, root, at);
            } else if let Some(root) = fallback_of(ctx, value_inner) {
                // `const tz = timezone || DEFAULT_TIMEZONE`: the value is
                // the name wherever it is set, so it carries it (rooted
                // like a template's names, see [`super::Binding`]).
                ctx.push_binding(var, format!("${{{root}}}"), at);
            }
        }
        "object_pattern" | "array_pattern" => {
            if let Some(root) = engine::root(ctx, &Js, value) {
                for n in pattern_names(ctx, name) {
                    // `const { gmail } = options`: also the member itself,
                    // which a typed parameter may have bound.
                    if name.kind() == "object_pattern" && value.kind() == "identifier" {
                        ctx.push_binding(n.clone(), format!("{root}.{n}"), at);
                    }
                    ctx.push_binding(n, root.clone(), at);
                }
                // `const [options, ...rest] = args`: also each element by
                // its place (`args[0]`), which a rest parameter's call
                // sites fill by position.
                if name.kind() == "array_pattern" && value.kind() == "identifier" {
                    // Places are counted by commas, so a hole (`[, b]`) counts.
                    let mut cursor = name.walk();
                    let elements: Vec<Node<'_>> = name.children(&mut cursor).collect();
                    let mut i = 0usize;
                    for e in elements {
                        match e.kind() {
                            "," => i += 1,
                            "identifier" => {
                                let n = ctx.text(e).to_string();
                                ctx.push_binding(n, format!("{root}[{i}]"), at);
                            }
                            "assignment_pattern" => {
                                if let Some(l) = e.child_by_field_name("left")
                                    && l.kind() == "identifier"
                                {
                                    let n = ctx.text(l).to_string();
                                    ctx.push_binding(n, format!("{root}[{i}]"), at);
                                }
                            }
                            _ => {}
                        }
                        if i >= 16 {
                            break;
                        }
                    }
                }
            }
        }
        "member_expression" | "subscript_expression" => {
            // `props.email = user.email` adds to a recorded literal.
            if let Some(object) = name.child_by_field_name("object") {
                if object.kind() == "identifier" {
                    let key = if name.kind() == "member_expression" {
                        name.child_by_field_name("property")
                            .map(|p| ctx.text(p).to_string())
                    } else {
                        name.child_by_field_name("index")
                            .filter(|i| i.kind() == "string")
                            .map(|i| unquote(ctx.text(i)).to_string())
                    };
                    if let Some(key) = key {
                        let arg = Arg {
                            key: Some(key),
                            expr: ctx.compact(value),
                            line: ctx.line(value),
                            position: None,
                        };
                        let var = ctx.text(object).to_string();
                        if ctx.extend_literal(&var, arg) {
                            return;
                        }
                    }
                }
            }
            if let Some(root) = engine::root(ctx, &Js, value) {
                let target = engine::path(ctx, &Js, name);
                ctx.push_binding(target, root, at);
            }
        }
        _ => {}
    }
}

/// The template string a value is, or whose own methods give it
/// (`` `...`.trim() ``, `` `...`.split("\n").join(" ") ``).
fn template_of(value: Node<'_>) -> Option<Node<'_>> {
    let mut at = value;
    for _ in 0..8 {
        match at.kind() {
            "template_string" => return Some(at),
            "call_expression" => {
                let f = at.child_by_field_name("function")?;
                if f.kind() != "member_expression" {
                    return None;
                }
                at = f.child_by_field_name("object")?;
            }
            "parenthesized_expression" | "await_expression" => at = *children(at).first()?,
            _ => return None,
        }
    }
    None
}

/// The name a fallback expression prefers: `timezone` in `timezone ||
/// DEFAULT_TIMEZONE` and `options.to ?? admin` (its root); not a count of
/// it (`timezone?.length ?? 0`).
fn fallback_of(ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
    if node.kind() != "binary_expression" {
        return None;
    }
    let op = node.child_by_field_name("operator").map(|o| ctx.text(o));
    if !matches!(op, Some("||" | "??")) {
        return None;
    }
    let left = unwrap(node.child_by_field_name("left")?);
    if !matches!(left.kind(), "identifier" | "member_expression") {
        return None;
    }
    // `timezone?.length ?? 0` is a number, not the timezone.
    let last = ctx.text(left).rsplit(['.', '?']).next().unwrap_or("");
    if crate::scan::classify::COUNTS.contains(&last.to_ascii_lowercase().as_str()) {
        return None;
    }
    engine::root(ctx, &Js, left)
}

/// How many names one template string is bound to.
const MAX_TEMPLATE_ROOTS: usize = 12;

/// `const prompt = \`Summarise: ${text}\``: one binding per name the
/// template interpolates, rooted at `${text}` (see [`super::Binding`]), so
/// that the value is known to carry those names (at most
/// [`MAX_TEMPLATE_ROOTS`]), and the names a helper called there is given
/// (`${stringifyEmail(email, 500)}`).
fn template_bindings(ctx: &mut Ctx<'_>, var: &str, template: Node<'_>, at: Node<'_>) {
    let mut roots: Vec<String> = Vec::new();
    for sub in children(template)
        .into_iter()
        .filter(|c| c.kind() == "template_substitution")
    {
        let Some(expr) = children(sub).into_iter().next() else {
            continue;
        };
        // `${stringifyEmail(email, 500)}`: what a helper formats is in
        // the string too (its arguments, one level down, and the values
        // of an object it is given: `${getEmailListPrompt({ messages:
        // threadMessages })}`).
        let mut exprs = vec![expr];
        if expr.kind() == "call_expression"
            && let Some(args) = expr.child_by_field_name("arguments")
        {
            for a in children(args) {
                push_values(a, &mut exprs);
            }
        }
        push_roots(ctx, &exprs, &mut roots);
    }
    for root in roots {
        ctx.push_binding(var.to_string(), format!("${{{root}}}"), at);
    }
}

/// `node` itself, or for an object the values it holds (a pair's value, a
/// shorthand member, a spread).
fn push_values<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    if node.kind() == "object" {
        out.extend(children(node).into_iter().filter_map(|m| match m.kind() {
            "pair" => m.child_by_field_name("value"),
            "shorthand_property_identifier" | "spread_element" => Some(m),
            _ => None,
        }));
    } else {
        out.push(node);
    }
}

/// The root names of `exprs`, each once, at most [`MAX_TEMPLATE_ROOTS`].
fn push_roots(ctx: &Ctx<'_>, exprs: &[Node<'_>], roots: &mut Vec<String>) {
    for &e in exprs {
        let root = match e.kind() {
            "shorthand_property_identifier" => Some(ctx.text(e).to_string()),
            "spread_element" => children(e)
                .into_iter()
                .next()
                .and_then(|v| engine::root(ctx, &Js, v)),
            _ => engine::root(ctx, &Js, e),
        };
        if let Some(root) = root
            && !roots.contains(&root)
            && roots.len() < MAX_TEMPLATE_ROOTS
        {
            roots.push(root);
        }
    }
}

fn is_field(node: Node<'_>, field: &str, child: Node<'_>) -> bool {
    node.child_by_field_name(field).map(|n| n.id()) == Some(child.id())
}

/// The name a function expression gets from where it is assigned, and
/// whether that makes it exported.
fn function_name(ctx: &Ctx<'_>, node: Node<'_>, anc: &[Node<'_>]) -> Option<(String, bool)> {
    let parent = *anc.last()?;
    match parent.kind() {
        "variable_declarator" if is_field(parent, "value", node) => {
            let name = parent.child_by_field_name("name")?;
            if name.kind() != "identifier" {
                return None;
            }
            let exported = anc.len() >= 3 && anc[anc.len() - 3].kind() == "export_statement";
            Some((ctx.text(name).to_string(), exported))
        }
        "assignment_expression" if is_field(parent, "right", node) => {
            let left = parent.child_by_field_name("left")?;
            match left.kind() {
                "identifier" => Some((ctx.text(left).to_string(), false)),
                "member_expression" => {
                    let object = engine::path(ctx, &Js, left.child_by_field_name("object")?);
                    let property = ctx.text(left.child_by_field_name("property")?).to_string();
                    let exported = object == "exports" || object == "module.exports";
                    Some((property, exported))
                }
                _ => None,
            }
        }
        // `function createGenerateText(opts) { return async (...args) =>
        // {...} }`, `const make = (opts) => (event) => ...`: the function a
        // named function returns, called where its result is bound
        // (`const generate = createGenerateText(opts); generate(...)`), is
        // named after it with `()`.
        "return_statement" => returned_by(ctx),
        "arrow_function" if is_field(parent, "body", node) => returned_by(ctx),
        _ => None,
    }
}

/// The name of a function literal the current function returns:
/// `createGenerateText()`, exported with it (free functions only).
fn returned_by(ctx: &Ctx<'_>) -> Option<(String, bool)> {
    let outer = ctx.current_function()?;
    if outer.owner.is_some() || outer.name.ends_with(')') {
        return None;
    }
    Some((format!("{}()", outer.name), outer.exported))
}

/// True for a TypeScript import or re-export that names only types:
/// `import type ...`, `export type { X } from ...`, or braces whose every
/// specifier is `type X`.
fn is_type_only(node: Node<'_>) -> bool {
    fn has_type_keyword(n: Node<'_>) -> bool {
        let mut cursor = n.walk();
        n.children(&mut cursor)
            .any(|c| !c.is_named() && c.kind() == "type")
    }
    if has_type_keyword(node) {
        return true;
    }
    let kids = children(node);
    let specs: Vec<Node<'_>> = kids
        .iter()
        .flat_map(|c| match c.kind() {
            "import_clause" => children(*c),
            "export_clause" => vec![*c],
            _ => Vec::new(),
        })
        .flat_map(|c| match c.kind() {
            "named_imports" | "export_clause" => children(c)
                .into_iter()
                .filter(|s| matches!(s.kind(), "import_specifier" | "export_specifier"))
                .collect(),
            // A default or namespace binding is a value.
            "identifier" | "namespace_import" => vec![c],
            _ => Vec::new(),
        })
        .collect();
    !specs.is_empty() && specs.iter().all(|s| has_type_keyword(*s))
}

/// The root name of a parameter's or field's declared type: `WebClient` in
/// `client: WebClient`, `gmail_v1` in `gmail: gmail_v1.Gmail`; for a
/// function another returns (`generate: ReturnType<typeof
/// createGenerateText>`), that function's name with `()`, as the function
/// literal it returns is named.
fn declared_type(ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
    let t = node.child_by_field_name("type")?;
    let text = ctx.text(t).trim_start_matches(':').trim_start();
    if let Some(rest) = text.strip_prefix("ReturnType<typeof ") {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$'))
            .collect();
        return (rest[name.len()..].trim_start().starts_with('>') && !name.is_empty())
            .then(|| format!("{name}()"));
    }
    let root: String = text
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$'))
        .collect();
    root.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some(root)
}

/// One node of the walk: each kind that yields a fact has its own step.
fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, anc: &[Node<'_>], exported: &mut HashSet<String>) {
    let parent_kind = anc.last().map(|p| p.kind()).unwrap_or("");
    match node.kind() {
        "required_parameter" | "optional_parameter" => typed_parameter(ctx, node),
        "import_statement" => import_statement(ctx, node),
        "export_statement" => export_statement(ctx, node, exported),
        "call_expression" => call_expression(ctx, node, anc),
        "new_expression" => {
            let Some(constructor) = node.child_by_field_name("constructor") else {
                return;
            };
            let callee = engine::path(ctx, &Js, constructor);
            let args = args_of(ctx, node);
            ctx.call(callee, args, node, constructor);
        }
        "variable_declarator" => {
            if let (Some(name), Some(value)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) {
                assign(ctx, name, value, node);
            }
        }
        "assignment_expression" => assignment(ctx, node, exported),
        "public_field_definition" | "field_definition" => field_definition(ctx, node),
        "class_declaration" | "class" | "abstract_class_declaration" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string());
            ctx.enter_class(name, parent_kind == "export_statement");
        }
        "function_declaration"
        | "generator_function_declaration"
        | "function_expression"
        | "function"
        | "generator_function"
        | "arrow_function"
        | "method_definition" => function(ctx, node, anc),
        "string" | "template_string" => {
            let value = unquote(ctx.text(node));
            ctx.push_string(value, node);
        }
        _ => {}
    }
}

/// `client: WebClient`, `gmail: gmail_v1.Gmail`, `private readonly
/// stripe: Stripe`: a parameter or field declared of a type is bound to
/// the type's root name, which an import (a type import too) may bind to a
/// vendor. Bindings are file-wide, like every binding here.
///
/// An options object typed inline (`options: { gmail: gmail_v1.Gmail; from:
/// string }`, or destructured: `{ gmail, from }: { gmail: gmail_v1.Gmail }`)
/// binds each member by its own type: `options.gmail` (which `const { gmail }
/// = options` then binds) or `gmail`.
fn typed_parameter(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let Some(pattern) = node.child_by_field_name("pattern") else {
        return;
    };
    if let Some(members) = inline_member_types(ctx, node) {
        let (prefix, names) = match pattern.kind() {
            "identifier" => (Some(ctx.text(pattern).to_string()), Vec::new()),
            "object_pattern" => (None, pattern_names(ctx, pattern)),
            _ => return,
        };
        for (member, root) in members {
            match &prefix {
                Some(p) => ctx.push_binding(format!("{p}.{member}"), root, node),
                None if names.contains(&member) => ctx.push_binding(member, root, node),
                None => {}
            }
        }
        return;
    }
    if pattern.kind() == "identifier"
        && let Some(root) = declared_type(ctx, node)
    {
        let n = ctx.text(pattern).to_string();
        ctx.push_binding(n, root, node);
    }
}

/// The members of a parameter's inline object type with a named type:
/// (`gmail`, `gmail_v1`) for `{ gmail: gmail_v1.Gmail; from: string }`.
fn inline_member_types(ctx: &Ctx<'_>, node: Node<'_>) -> Option<Vec<(String, String)>> {
    let annotation = node.child_by_field_name("type")?;
    let object = children(annotation)
        .into_iter()
        .find(|c| c.kind() == "object_type")?;
    let mut out = Vec::new();
    for member in children(object)
        .into_iter()
        .filter(|m| m.kind() == "property_signature")
    {
        let Some(name) = member.child_by_field_name("name") else {
            continue;
        };
        if let Some(root) = declared_type(ctx, member).filter(|r| {
            !matches!(
                r.as_str(),
                "string" | "number" | "boolean" | "any" | "unknown" | "object" | "Record"
            )
        }) {
            out.push((ctx.text(name).to_string(), root));
        }
    }
    Some(out)
}

/// `import x, * as y, { a as b } from 'm'` and `import x = require('m')`:
/// one import with its bound names and renames. `import type { Stripe }
/// from 'stripe'` and an import whose every name is `type X` load nothing
/// at run time: they are not an integration, only what typed parameters
/// are bound to.
fn import_statement(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let type_only = is_type_only(node);
    let mut bindings = Vec::new();
    let mut renamed = Vec::new();
    let mut source = node.child_by_field_name("source");
    for c in children(node) {
        match c.kind() {
            "import_clause" => import_clause(ctx, c, &mut bindings, &mut renamed),
            "import_require_clause" => {
                if let Some(id) = children(c).into_iter().find(|n| n.kind() == "identifier") {
                    bindings.push(ctx.text(id).to_string());
                }
                source = source.or_else(|| c.child_by_field_name("source"));
            }
            _ => {}
        }
    }
    if let Some(s) = source {
        let module = unquote(ctx.text(s)).to_string();
        let before = ctx.facts.imports.len();
        ctx.import_renamed(&module, bindings, renamed, node, false);
        if type_only && ctx.facts.imports.len() > before {
            let imp = ctx.facts.imports.remove(before);
            ctx.facts.type_imports.push(imp);
        }
    }
}

/// The names an import clause binds (default, namespace, named), and the
/// `(original, alias)` of each renamed one.
fn import_clause(
    ctx: &Ctx<'_>,
    clause: Node<'_>,
    bindings: &mut Vec<String>,
    renamed: &mut Vec<(String, String)>,
) {
    for b in children(clause) {
        match b.kind() {
            "identifier" => bindings.push(ctx.text(b).to_string()),
            "namespace_import" => {
                if let Some(id) = children(b).into_iter().next() {
                    bindings.push(ctx.text(id).to_string());
                }
            }
            "named_imports" => {
                for spec in children(b) {
                    let alias = spec.child_by_field_name("alias");
                    let original = spec.child_by_field_name("name");
                    if let (Some(a), Some(o)) = (alias, original) {
                        renamed.push((
                            unquote(ctx.text(o)).to_string(),
                            unquote(ctx.text(a)).to_string(),
                        ));
                    }
                    if let Some(n) = alias.or(original) {
                        bindings.push(unquote(ctx.text(n)).to_string());
                    }
                }
            }
            _ => {}
        }
    }
}

/// `export … from 'm'` is an import (unless type-only); `export { a, b }`
/// and `export default a` mark names exported.
fn export_statement(ctx: &mut Ctx<'_>, node: Node<'_>, exported: &mut HashSet<String>) {
    if let Some(s) = node.child_by_field_name("source") {
        if is_type_only(node) {
            return;
        }
        let module = unquote(ctx.text(s)).to_string();
        ctx.import(&module, Vec::new(), node, false);
        return;
    }
    for c in children(node) {
        if c.kind() == "export_clause" {
            for spec in children(c) {
                if let Some(n) = spec.child_by_field_name("name") {
                    exported.insert(ctx.text(n).to_string());
                }
            }
        }
    }
    if let Some(v) = node.child_by_field_name("value") {
        if v.kind() == "identifier" {
            exported.insert(ctx.text(v).to_string());
        }
    }
}

/// `require('m')` and `import('m')` with a literal module are imports;
/// every other call is a call (and `Object.assign` grows a literal).
fn call_expression(ctx: &mut Ctx<'_>, node: Node<'_>, anc: &[Node<'_>]) {
    let Some(function) = node.child_by_field_name("function") else {
        return;
    };
    let is_require = function.kind() == "identifier" && ctx.text(function) == "require";
    if function.kind() == "import" || is_require {
        if let Some(module) = first_arg(node).and_then(|a| literal_module(ctx, a)) {
            let bindings = import_bindings(ctx, node, anc);
            let dynamic = !is_require || ctx.in_function();
            ctx.import(module, bindings, node, dynamic);
            return;
        }
    }
    let callee = engine::path(ctx, &Js, function);
    let name = match function.kind() {
        "member_expression" => function.child_by_field_name("property").unwrap_or(function),
        _ => function,
    };
    let args = args_of(ctx, node);
    if callee == "Object.assign" {
        ctx.grow_literal(&callee, &args);
    }
    ctx.call(callee, args, node, name);
}

/// `a = b` binds; `module.exports = { a, b }` or `= a` also marks the
/// names exported.
fn assignment(ctx: &mut Ctx<'_>, node: Node<'_>, exported: &mut HashSet<String>) {
    let (Some(left), Some(right)) = (
        node.child_by_field_name("left"),
        node.child_by_field_name("right"),
    ) else {
        return;
    };
    let target = engine::path(ctx, &Js, left);
    if target == "module.exports" {
        if let Some(entries) = Js.entries(ctx, right) {
            for e in entries {
                if let Entry::Keyed(_, v) = e {
                    if v.kind() == "identifier" || v.kind() == "shorthand_property_identifier" {
                        exported.insert(ctx.text(v).to_string());
                    }
                }
            }
        } else if right.kind() == "identifier" {
            exported.insert(ctx.text(right).to_string());
        }
    }
    assign(ctx, left, right, node);
}

/// A class field binds `this.name` to its value's root, or else to its
/// declared type's root.
fn field_definition(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let name = node
        .child_by_field_name("name")
        .or_else(|| node.child_by_field_name("property"));
    if let (Some(name), Some(value)) = (name, node.child_by_field_name("value")) {
        if let Some(root) = engine::root(ctx, &Js, value) {
            let target = format!("this.{}", ctx.text(name));
            ctx.push_binding(target, root, node);
        }
    } else if let (Some(name), Some(root)) = (name, declared_type(ctx, node)) {
        let target = format!("this.{}", ctx.text(name));
        ctx.push_binding(target, root, node);
    }
}

/// Entering a function, a function expression or a method: its definition
/// when it has a name (declared, taken from where it is assigned, or a
/// method of a named class), which is recorded as a payload method too.
fn function(ctx: &mut Ctx<'_>, node: Node<'_>, anc: &[Node<'_>]) {
    let parent_kind = anc.last().map(|p| p.kind()).unwrap_or("");
    let def = match node.kind() {
        "function_declaration" | "generator_function_declaration" => {
            node.child_by_field_name("name").map(|n| FunctionDef {
                name: ctx.text(n).to_string(),
                owner: None,
                params: params(ctx, node),
                exported: parent_kind == "export_statement",
                line: ctx.line(node),
                calls: Vec::new(),
                within: None,
            })
        }
        "method_definition" => match (ctx.current_class(), node.child_by_field_name("name")) {
            (Some((owner, class_exported)), Some(name)) => Some(FunctionDef {
                name: key_text(ctx, name),
                owner,
                params: params(ctx, node),
                exported: class_exported,
                line: ctx.line(node),
                calls: Vec::new(),
                within: None,
            }),
            _ => None,
        },
        _ => function_name(ctx, node, anc).map(|(name, exported)| FunctionDef {
            name,
            owner: None,
            params: params(ctx, node),
            exported,
            line: ctx.line(node),
            calls: Vec::new(),
            within: None,
        }),
    };
    if let Some(d) = &def {
        engine::record_payload_method(ctx, &Js, &d.name, node);
    }
    ctx.enter_function(def);
}
