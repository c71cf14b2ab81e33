//! Kotlin, by tree-sitter-kotlin-ng: `import a.b.C [as D]`, calls with
//! receivers (`?.` dropped), named arguments (`email = x`), `mapOf("k" to v)`
//! pairs as keys, `val`/`var` bindings, functions.
//!
//! This grammar names few fields, so positions among named children are
//! used: a navigation is `(receiver, member)`, a call is `(callee, args...)`.

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children};
use super::{ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Extracts the facts of a Kotlin source.
pub(crate) fn extract(
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    engine::parse_and_walk(Lang::Kotlin, src, limits, deadline, visit)
}

struct Kt;

const MAP_BUILDERS: &[&str] = &[
    "mapOf",
    "mutableMapOf",
    "hashMapOf",
    "linkedMapOf",
    "sortedMapOf",
];

impl Syntax for Kt {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        if node.kind() != "call_expression" {
            return None;
        }
        let parts = children(node);
        let callee = parts.first()?;
        if callee.kind() != "identifier" || !MAP_BUILDERS.contains(&ctx.text(*callee)) {
            return None;
        }
        let mut out = Vec::new();
        for arg in argument_nodes(&parts) {
            let value = children(arg).into_iter().last()?;
            if let Some((k, v)) = to_pair(ctx, value) {
                out.push(Entry::Keyed(k, v));
            } else {
                out.push(Entry::Positional(value));
            }
        }
        Some(out)
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        (node.kind() == "identifier").then(|| ctx.text(node).to_string())
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "identifier" => Step::Name(ctx.text(node).to_string()),
            "this_expression" => Step::Name("this".to_string()),
            "super_expression" => Step::Name("super".to_string()),
            "navigation_expression" => {
                let parts = children(node);
                match (parts.first(), parts.last()) {
                    (Some(r), Some(m)) if parts.len() >= 2 => {
                        Step::Member(*r, ctx.text(*m).to_string())
                    }
                    _ => Step::Opaque,
                }
            }
            "index_expression" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, |o| Step::Member(o, String::new())),
            "call_expression" | "parenthesized_expression" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, Step::Through),
            _ => Step::Opaque,
        }
    }
}

/// `"email" to user.email` as a key and a value.
fn to_pair<'t>(ctx: &Ctx<'_>, node: Node<'t>) -> Option<(String, Node<'t>)> {
    if node.kind() != "infix_expression" {
        return None;
    }
    let parts = children(node);
    if parts.len() != 3 || ctx.text(parts[1]) != "to" {
        return None;
    }
    let key = match parts[0].kind() {
        "string_literal" => string_value(ctx, parts[0]).replace("\\$", "$"),
        _ => ctx.compact(parts[0]),
    };
    Some((key, parts[2]))
}

/// The `value_argument` nodes of a call's `value_arguments`.
fn argument_nodes<'t>(parts: &[Node<'t>]) -> Vec<Node<'t>> {
    parts
        .iter()
        .filter(|p| p.kind() == "value_arguments")
        .flat_map(|p| children(*p))
        .filter(|a| a.kind() == "value_argument")
        .collect()
}

fn has_token(node: Node<'_>, token: &str) -> bool {
    (0..node.child_count()).any(|i| {
        node.child(i)
            .is_some_and(|c| !c.is_named() && c.kind() == token)
    })
}

fn string_value<'s>(ctx: &Ctx<'s>, node: Node<'_>) -> &'s str {
    let mut cursor = node.walk();
    let parts: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    match (parts.first(), parts.last()) {
        (Some(first), Some(last)) => ctx.slice(first.start_byte(), last.end_byte()),
        _ => "",
    }
}

fn call_args(ctx: &Ctx<'_>, parts: &[Node<'_>]) -> Vec<super::Arg> {
    let mut entries = Vec::new();
    for arg in argument_nodes(parts) {
        let inner = children(arg);
        let Some(value) = inner.last().copied() else {
            continue;
        };
        if inner.len() >= 2 && inner[0].kind() == "identifier" && has_token(arg, "=") {
            entries.push(Entry::Keyed(ctx.text(inner[0]).to_string(), value));
        } else if value.kind() == "spread_expression" {
            entries.push(Entry::Spread(value));
        } else {
            entries.push(Entry::Positional(value));
        }
    }
    engine::flatten(ctx, &Kt, entries)
}

fn is_private(ctx: &Ctx<'_>, decl: Node<'_>) -> bool {
    children(decl)
        .into_iter()
        .find(|c| c.kind() == "modifiers")
        .is_some_and(|m| {
            ctx.text(m)
                .split_whitespace()
                .any(|w| w == "private" || w == "internal")
        })
}

fn assign(ctx: &mut Ctx<'_>, target: String, value: Node<'_>, at: Node<'_>) {
    if Kt.entries(ctx, value).is_some() {
        let args = engine::flatten(ctx, &Kt, vec![Entry::Positional(value)]);
        ctx.record_literal(target, args);
    } else if let Some(root) = engine::root(ctx, &Kt, value) {
        ctx.push_binding(target, root, at);
    }
}

/// The simple name of a declared class type (`StripeClient`, `PostHog?`,
/// `com.stripe.StripeClient` → `StripeClient`); none for other nodes and
/// generic containers.
fn type_root(ctx: &Ctx<'_>, ty: Node<'_>) -> Option<String> {
    let ty = match ty.kind() {
        "nullable_type" => children(ty).into_iter().next()?,
        "user_type" => ty,
        _ => return None,
    };
    if ty.kind() != "user_type" || children(ty).iter().any(|c| c.kind() == "type_arguments") {
        return None;
    }
    let text = ctx.text(ty);
    let last = text.rsplit('.').next().unwrap_or(text).trim();
    last.starts_with(|c: char| c.is_ascii_uppercase())
        .then(|| last.to_string())
}

/// `import a.b.C`, `import a.b.*`, `import a.b.C as D`.
fn import(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let parts = children(node);
    let Some(path) = parts
        .iter()
        .find(|c| matches!(c.kind(), "qualified_identifier" | "identifier"))
    else {
        return;
    };
    let module = ctx.text(*path).to_string();
    let wildcard = ctx
        .text(node)
        .trim_end()
        .trim_end_matches(';')
        .trim_end()
        .ends_with('*');
    let alias = parts.iter().skip_while(|c| c.id() != path.id()).nth(1);
    let bindings = match alias {
        Some(a) if a.kind() == "identifier" => vec![ctx.text(*a).to_string()],
        _ if wildcard => Vec::new(),
        _ => module
            .rsplit('.')
            .next()
            .map(|s| vec![s.to_string()])
            .unwrap_or_default(),
    };
    ctx.import(&module, bindings, node, false);
}

/// `val x = ...`, `lateinit var client: StripeClient`: binds the name to
/// its value or to its declared type.
fn property(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let parts = children(node);
    let Some(var) = parts.iter().find(|c| c.kind() == "variable_declaration") else {
        return;
    };
    let Some(name) = children(*var)
        .into_iter()
        .find(|c| c.kind() == "identifier")
    else {
        return;
    };
    let value = parts
        .iter()
        .skip_while(|c| c.id() != var.id())
        .skip(1)
        .find(|c| {
            !matches!(
                c.kind(),
                "user_type"
                    | "nullable_type"
                    | "type_constraints"
                    | "getter"
                    | "setter"
                    | "property_delegate"
            )
        });
    let typed = children(*var).into_iter().find_map(|c| type_root(ctx, c));
    match (value, typed) {
        // `lateinit var client: StripeClient`, an injected property,
        // or `var posthog: PostHogInterface? = null` set later.
        (None, Some(ty)) => {
            let target = ctx.text(name).to_string();
            ctx.push_binding(target, ty, node);
        }
        (Some(v), Some(ty)) if ctx.text(*v) == "null" => {
            let target = ctx.text(name).to_string();
            ctx.push_binding(target, ty, node);
        }
        (Some(value), _) => {
            let target = ctx.text(name).to_string();
            assign(ctx, target, *value, node);
        }
        (None, None) => {}
    }
}

fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, _anc: &[Node<'_>]) {
    match node.kind() {
        "import" => import(ctx, node),
        "call_expression" => {
            let parts = children(node);
            let Some(callee_node) = parts.first().copied() else {
                return;
            };
            // `Foo(a) { ... }` is a call wrapping a call: the inner one
            // (with the arguments) stands for both.
            let has_args = parts.iter().any(|p| p.kind() == "value_arguments");
            if callee_node.kind() == "call_expression" && !has_args {
                return;
            }
            let callee = engine::path(ctx, &Kt, callee_node);
            let name = match callee_node.kind() {
                "navigation_expression" => children(callee_node)
                    .into_iter()
                    .last()
                    .unwrap_or(callee_node),
                _ => callee_node,
            };
            let args = call_args(ctx, &parts);
            ctx.call(callee, args, node, name);
        }
        "property_declaration" => property(ctx, node),
        // `class Billing(private val client: StripeClient)` and
        // `fun send(client: PostHog)`: the name is bound to its type, which
        // an import may bind to a vendor.
        "class_parameter" | "parameter" => {
            let parts = children(node);
            if let (Some(name), Some(ty)) = (
                parts.iter().find(|c| c.kind() == "identifier"),
                parts.iter().find_map(|c| type_root(ctx, *c)),
            ) {
                let target = ctx.text(*name).to_string();
                ctx.push_binding(target, ty, node);
            }
        }
        "assignment" => {
            if let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                let target = engine::path(ctx, &Kt, left);
                if !target.starts_with('_') {
                    assign(ctx, target, right, node);
                }
            }
        }
        "class_declaration" | "object_declaration" | "companion_object" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string());
            let exported = !is_private(ctx, node);
            ctx.enter_class(name, exported);
        }
        "function_declaration" => {
            let class = ctx.current_class();
            let def = node.child_by_field_name("name").map(|n| {
                let params = children(node)
                    .into_iter()
                    .filter(|c| c.kind() == "function_value_parameters")
                    .flat_map(children)
                    .filter(|p| p.kind() == "parameter")
                    .filter_map(|p| children(p).into_iter().find(|c| c.kind() == "identifier"))
                    .map(|i| ctx.text(i).to_string())
                    .collect();
                FunctionDef {
                    name: ctx.text(n).to_string(),
                    owner: class.as_ref().and_then(|(o, _)| o.clone()),
                    params,
                    exported: !is_private(ctx, node) && class.as_ref().is_none_or(|(_, e)| *e),
                    line: ctx.line(node),
                    calls: Vec::new(),
                    within: None,
                }
            });
            ctx.enter_function(def);
        }
        "lambda_literal" | "anonymous_function" => ctx.enter_function(None),
        "string_literal" | "multiline_string_literal" => {
            let value = string_value(ctx, node);
            ctx.push_string(value, node);
        }
        _ => {}
    }
}
