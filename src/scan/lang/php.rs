//! PHP, by tree-sitter-php (the grammar with `<?php` and inline HTML):
//! `use A\B\C [as D]` (group uses too), `require`/`include` of strings,
//! calls (`$client->customers->create` → `client.customers.create`,
//! `\Stripe\Customer::create` → `Stripe.Customer.create`), array
//! arguments (`['email' => $user->email]`), PHP 8 named arguments,
//! assignments, functions and methods.
//!
//! Variables lose their `$` in callee paths and bindings, so that
//! `$stripe = new StripeClient()` binds `stripe` and `$stripe->...` calls
//! `stripe....`; argument values keep their source text (`$user->email`).

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children, unquote};
use super::{Arg, ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Extracts the facts of a PHP source.
pub(crate) fn extract(
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    engine::parse_and_walk(Lang::Php, src, limits, deadline, visit)
}

struct Php;

impl Syntax for Php {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        if node.kind() != "array_creation_expression" {
            return None;
        }
        let mut out = Vec::new();
        for el in children(node) {
            if el.kind() != "array_element_initializer" {
                continue;
            }
            let parts = children(el);
            match parts.as_slice() {
                [only] if only.kind() == "variadic_unpacking" => out.push(Entry::Spread(*only)),
                [only] => out.push(Entry::Positional(*only)),
                [key, .., value] => out.push(Entry::Keyed(key_text(ctx, *key), *value)),
                [] => {}
            }
        }
        Some(out)
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        (node.kind() == "variable_name").then(|| var_name(ctx, node))
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "variable_name" => Step::Name(var_name(ctx, node)),
            "name" | "relative_scope" => Step::Name(ctx.text(node).to_string()),
            "qualified_name" | "relative_name" => Step::Name(dotted(ctx.text(node))),
            "member_access_expression"
            | "nullsafe_member_access_expression"
            | "member_call_expression"
            | "nullsafe_member_call_expression" => member(ctx, node, "object"),
            "scoped_call_expression" | "scoped_property_access_expression" => {
                member(ctx, node, "scope")
            }
            "class_constant_access_expression" => {
                let parts = children(node);
                match (parts.first(), parts.last()) {
                    (Some(s), Some(n)) if parts.len() >= 2 => {
                        Step::Member(*s, ctx.text(*n).to_string())
                    }
                    _ => Step::Opaque,
                }
            }
            "function_call_expression" => node
                .child_by_field_name("function")
                .map_or(Step::Opaque, Step::Through),
            "object_creation_expression" => children(node)
                .into_iter()
                .find(|c| c.kind() != "arguments")
                .map_or(Step::Opaque, Step::Through),
            "subscript_expression" => {
                let parts = children(node);
                let Some(object) = parts.first().copied() else {
                    return Step::Opaque;
                };
                let key = parts
                    .get(1)
                    .filter(|k| matches!(k.kind(), "string" | "encapsed_string"))
                    .map(|k| unquote(ctx.text(*k)).to_string())
                    .unwrap_or_default();
                Step::Member(object, key)
            }
            "parenthesized_expression" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, Step::Through),
            _ => Step::Opaque,
        }
    }
}

fn member<'t>(ctx: &Ctx<'_>, node: Node<'t>, object_field: &str) -> Step<'t> {
    match (
        node.child_by_field_name(object_field),
        node.child_by_field_name("name"),
    ) {
        (Some(o), Some(n)) => Step::Member(o, ctx.text(n).trim_start_matches('$').to_string()),
        _ => Step::Opaque,
    }
}

fn var_name(ctx: &Ctx<'_>, node: Node<'_>) -> String {
    ctx.text(node).trim_start_matches('$').to_string()
}

/// `\Stripe\Customer` → `Stripe.Customer`.
fn dotted(name: &str) -> String {
    name.trim_start_matches('\\').replace('\\', ".")
}

fn key_text(ctx: &Ctx<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "string" | "encapsed_string" => unquote(ctx.text(key)).to_string(),
        _ => ctx.compact(key),
    }
}

/// The leftmost name of a value, first namespace segment only
/// (`new \Stripe\StripeClient()` → `Stripe`).
fn root(ctx: &Ctx<'_>, value: Node<'_>) -> Option<String> {
    let root = engine::root(ctx, &Php, value)?;
    if root.starts_with("this.") {
        return Some(root);
    }
    Some(root.split('.').next().unwrap_or(&root).to_string())
}

fn call_args(ctx: &Ctx<'_>, call: Node<'_>) -> Vec<Arg> {
    let Some(args) = call
        .child_by_field_name("arguments")
        .or_else(|| children(call).into_iter().find(|c| c.kind() == "arguments"))
    else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for a in children(args) {
        if a.kind() != "argument" {
            continue;
        }
        let name = a.child_by_field_name("name");
        let Some(value) = children(a)
            .into_iter()
            .rfind(|c| Some(c.id()) != name.map(|n| n.id()))
        else {
            continue;
        };
        match name {
            Some(n) => entries.push(Entry::Keyed(ctx.text(n).to_string(), value)),
            None if value.kind() == "variadic_unpacking" => entries.push(Entry::Spread(value)),
            None => entries.push(Entry::Positional(value)),
        }
    }
    engine::flatten(ctx, &Php, entries)
}

fn use_declaration(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let prefix = children(node)
        .into_iter()
        .find(|c| c.kind() == "namespace_name")
        .map(|p| ctx.text(p).trim_start_matches('\\').to_string());
    let clauses: Vec<Node<'_>> = match node.child_by_field_name("body") {
        Some(group) => children(group),
        None => children(node),
    };
    for clause in clauses {
        if clause.kind() != "namespace_use_clause" {
            continue;
        }
        let alias = clause.child_by_field_name("alias");
        let Some(path) = children(clause).into_iter().find(|c| {
            matches!(c.kind(), "qualified_name" | "name") && Some(c.id()) != alias.map(|a| a.id())
        }) else {
            continue;
        };
        let path = ctx.text(path).trim_start_matches('\\');
        let module = match &prefix {
            Some(p) => format!("{p}\\{path}"),
            None => path.to_string(),
        };
        let binding = match alias {
            Some(a) => ctx.text(a).to_string(),
            None => module.rsplit('\\').next().unwrap_or(&module).to_string(),
        };
        ctx.import(&module, vec![binding], node, false);
    }
}

fn include(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let Some(expr) = children(node).into_iter().next() else {
        return;
    };
    // `require 'x.php'`, or `require __DIR__ . '/x.php'`: the last literal piece.
    let mut current = expr;
    for _ in 0..16 {
        if current.kind() == "binary_expression" {
            match current.child_by_field_name("right") {
                Some(r) => current = r,
                None => return,
            }
        } else {
            break;
        }
    }
    let plain = matches!(current.kind(), "string" | "encapsed_string")
        && !children(current)
            .iter()
            .any(|c| !matches!(c.kind(), "string_content" | "escape_sequence"));
    if plain {
        let module = unquote(ctx.text(current)).to_string();
        let dynamic = ctx.in_function();
        ctx.import(&module, Vec::new(), node, dynamic);
    }
}

fn assign(ctx: &mut Ctx<'_>, left: Node<'_>, right: Node<'_>, at: Node<'_>) {
    match left.kind() {
        "variable_name" if Php.entries(ctx, right).is_some() => {
            let args = engine::flatten(ctx, &Php, vec![Entry::Positional(right)]);
            ctx.record_literal(var_name(ctx, left), args);
            return;
        }
        "subscript_expression" => {
            // `$props['email'] = $user->email` adds to a recorded array.
            let parts = children(left);
            if let (Some(object), Some(key)) = (parts.first(), parts.get(1)) {
                if object.kind() == "variable_name"
                    && matches!(key.kind(), "string" | "encapsed_string")
                {
                    // A nested array (`$p['labels'] = ['owner' => ...]`)
                    // gives its keys under this one.
                    let key = unquote(ctx.text(*key)).to_string();
                    let args = engine::flatten(ctx, &Php, vec![Entry::Keyed(key, right)]);
                    let var = var_name(ctx, *object);
                    for arg in args {
                        if !ctx.extend_literal(
                            &var,
                            Arg {
                                position: None,
                                ..arg
                            },
                        ) {
                            break;
                        }
                    }
                }
            }
            return;
        }
        _ => {}
    }
    let name = match left.kind() {
        "variable_name"
        | "member_access_expression"
        | "nullsafe_member_access_expression"
        | "scoped_property_access_expression" => engine::path(ctx, &Php, left),
        _ => return,
    };
    if let Some(root) = root(ctx, right) {
        ctx.push_binding(name, root, at);
    }
}

fn params(ctx: &Ctx<'_>, decl: Node<'_>) -> Vec<String> {
    let Some(list) = decl.child_by_field_name("parameters") else {
        return Vec::new();
    };
    children(list)
        .into_iter()
        .filter_map(|p| {
            let name = p.child_by_field_name("name")?;
            let prefix = if p.kind() == "variadic_parameter" {
                "..."
            } else {
                ""
            };
            Some(format!(
                "{prefix}{}",
                ctx.text(name).trim_start_matches('$')
            ))
        })
        .collect()
}

fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, _anc: &[Node<'_>]) {
    match node.kind() {
        // `function (Scope $scope)`, `__construct(private StripeClient
        // $stripe)`, `private StripeClient $stripe;`: the variable (and the
        // promoted property) is bound to its class, which a `use` may bind
        // to a vendor.
        "simple_parameter" | "property_promotion_parameter" | "property_declaration" => {
            let ty = node
                .child_by_field_name("type")
                .map(|t| {
                    ctx.text(t)
                        .trim_start_matches('?')
                        .trim_start_matches('\\')
                        .to_string()
                })
                .filter(|t| {
                    t.starts_with(|c: char| c.is_ascii_uppercase()) && !t.contains(['|', '&'])
                });
            let names: Vec<String> = if node.kind() == "property_declaration" {
                children(node)
                    .into_iter()
                    .filter(|c| c.kind() == "property_element")
                    .filter_map(|e| children(e).into_iter().next())
                    .map(|n| ctx.text(n).trim_start_matches('$').to_string())
                    .collect()
            } else {
                node.child_by_field_name("name")
                    .map(|n| ctx.text(n).trim_start_matches('$').to_string())
                    .into_iter()
                    .collect()
            };
            if let Some(ty) = ty {
                let root = ty.rsplit('\\').next().unwrap_or(&ty).to_string();
                for n in names {
                    if node.kind() != "simple_parameter" {
                        ctx.push_binding(format!("this.{n}"), root.clone(), node);
                    }
                    ctx.push_binding(n, root.clone(), node);
                }
            }
        }
        "namespace_use_declaration" => use_declaration(ctx, node),
        // A fully qualified class in an expression (`\Vendor\Sdk\Client::class`,
        // `new \Vendor\Sdk\Client(...)`, `\Vendor\Sdk\Client::call()`) names
        // the class as a `use` would: an import without a binding. Only
        // names of two or more segments (`\Exception` is PHP's own) and
        // outside `use` and `namespace` statements.
        "qualified_name" => {
            let text = ctx.text(node);
            let in_statement = node.parent().is_some_and(|p| {
                matches!(
                    p.kind(),
                    "namespace_use_clause" | "namespace_use_declaration" | "namespace_definition"
                )
            });
            if let Some(path) = text.strip_prefix('\\')
                && path.contains('\\')
                && !in_statement
            {
                let module = path.to_string();
                ctx.import(&module, Vec::new(), node, false);
            }
        }
        "require_expression"
        | "require_once_expression"
        | "include_expression"
        | "include_once_expression" => include(ctx, node),
        "function_call_expression"
        | "member_call_expression"
        | "nullsafe_member_call_expression"
        | "scoped_call_expression" => {
            let (callee, name) = if node.kind() == "function_call_expression" {
                let Some(function) = node.child_by_field_name("function") else {
                    return;
                };
                (engine::path(ctx, &Php, function), function)
            } else {
                (
                    engine::path(ctx, &Php, node),
                    node.child_by_field_name("name").unwrap_or(node),
                )
            };
            let args = call_args(ctx, node);
            ctx.call(callee, args, node, name);
        }
        "object_creation_expression" => {
            let Some(class) = children(node).into_iter().find(|c| c.kind() != "arguments") else {
                return;
            };
            let callee = engine::path(ctx, &Php, class);
            let args = call_args(ctx, node);
            ctx.call(callee, args, node, class);
        }
        "assignment_expression" => {
            if let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                assign(ctx, left, right, node);
            }
        }
        "class_declaration"
        | "trait_declaration"
        | "interface_declaration"
        | "enum_declaration" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string());
            ctx.enter_class(name, true);
        }
        "function_definition" | "method_declaration" => {
            let class = ctx.current_class();
            let hidden = children(node)
                .into_iter()
                .any(|c| c.kind() == "visibility_modifier" && ctx.text(c) != "public");
            let def = node.child_by_field_name("name").map(|n| FunctionDef {
                name: ctx.text(n).to_string(),
                owner: class.and_then(|(o, _)| o),
                params: params(ctx, node),
                exported: !hidden,
                line: ctx.line(node),
                calls: Vec::new(),
                within: None,
            });
            if let Some(d) = &def {
                engine::record_payload_method(ctx, &Php, &d.name, node);
            }
            ctx.enter_function(def);
        }
        "anonymous_function" | "arrow_function" => ctx.enter_function(None),
        "string" | "encapsed_string" => {
            let value = unquote(ctx.text(node));
            ctx.push_string(value, node);
        }
        _ => {}
    }
}
