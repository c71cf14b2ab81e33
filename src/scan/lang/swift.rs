//! Swift, by tree-sitter-swift: `import X` (and `import struct X.Y`),
//! calls with receivers (`?`/`!` dropped), labelled arguments
//! (`email: x`), dictionary literals (`["$email": user.email]`),
//! `let`/`var` bindings, functions and initialisers.

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children};
use super::{ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Extracts the facts of a Swift source.
pub(crate) fn extract(
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    engine::parse_and_walk(Lang::Swift, src, limits, deadline, visit)
}

struct Swift;

impl Syntax for Swift {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        if node.kind() != "dictionary_literal" {
            return None;
        }
        let mut cursor = node.walk();
        let keys: Vec<Node<'t>> = node.children_by_field_name("key", &mut cursor).collect();
        let mut cursor = node.walk();
        let values: Vec<Node<'t>> = node.children_by_field_name("value", &mut cursor).collect();
        Some(
            keys.into_iter()
                .zip(values)
                .map(|(k, v)| Entry::Keyed(key_text(ctx, k), v))
                .collect(),
        )
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        (node.kind() == "simple_identifier").then(|| ctx.text(node).to_string())
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "simple_identifier" | "type_identifier" => Step::Name(ctx.text(node).to_string()),
            "self_expression" => Step::Name("self".to_string()),
            "navigation_expression" => {
                let target = node.child_by_field_name("target");
                let member = node
                    .child_by_field_name("suffix")
                    .and_then(|s| s.child_by_field_name("suffix"))
                    .map(|m| ctx.text(m).to_string());
                match (target, member) {
                    (Some(t), Some(m)) => Step::Member(t, m),
                    _ => Step::Opaque,
                }
            }
            "postfix_expression" => node
                .child_by_field_name("target")
                .map_or(Step::Opaque, Step::Through),
            "try_expression" | "await_expression" => node
                .child_by_field_name("expr")
                .map_or(Step::Opaque, Step::Through),
            "call_expression" | "tuple_expression" | "user_type" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, Step::Through),
            _ => Step::Opaque,
        }
    }
}

fn string_value<'s>(ctx: &Ctx<'s>, node: Node<'_>) -> &'s str {
    let mut cursor = node.walk();
    let parts: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    match (parts.first(), parts.last()) {
        (Some(first), Some(last)) => ctx.slice(first.start_byte(), last.end_byte()),
        _ => "",
    }
}

fn key_text(ctx: &Ctx<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "line_string_literal" | "multi_line_string_literal" => string_value(ctx, key).to_string(),
        _ => ctx.compact(key),
    }
}

fn call_args(ctx: &Ctx<'_>, call: Node<'_>) -> Vec<super::Arg> {
    let mut entries = Vec::new();
    for suffix in children(call)
        .into_iter()
        .filter(|c| c.kind() == "call_suffix")
    {
        for list in children(suffix)
            .into_iter()
            .filter(|c| c.kind() == "value_arguments")
        {
            for arg in children(list) {
                let Some(value) = arg.child_by_field_name("value") else {
                    continue;
                };
                match arg.child_by_field_name("name") {
                    Some(label) => entries.push(Entry::Keyed(ctx.compact(label), value)),
                    None => entries.push(Entry::Positional(value)),
                }
            }
        }
    }
    engine::flatten(ctx, &Swift, entries)
}

fn assign(ctx: &mut Ctx<'_>, target: String, value: Node<'_>, at: Node<'_>) {
    if Swift.entries(ctx, value).is_some() {
        let args = engine::flatten(ctx, &Swift, vec![Entry::Positional(value)]);
        ctx.record_literal(target, args);
    } else if let Some(root) = engine::root(ctx, &Swift, value) {
        ctx.push_binding(target, root, at);
    }
}

fn is_private(ctx: &Ctx<'_>, decl: Node<'_>) -> bool {
    children(decl)
        .into_iter()
        .find(|c| c.kind() == "modifiers")
        .is_some_and(|m| {
            ctx.text(m)
                .split_whitespace()
                .any(|w| w == "private" || w == "fileprivate")
        })
}

fn params(ctx: &Ctx<'_>, decl: Node<'_>) -> Vec<String> {
    children(decl)
        .into_iter()
        .filter(|c| c.kind() == "parameter")
        .filter_map(|p| {
            let mut cursor = p.walk();
            let names: Vec<Node<'_>> = p.children_by_field_name("name", &mut cursor).collect();
            names
                .into_iter()
                .find(|n| n.kind() == "simple_identifier")
                .map(|n| ctx.text(n).to_string())
        })
        .collect()
}

fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, _anc: &[Node<'_>]) {
    match node.kind() {
        "import_declaration" => {
            let Some(path) = children(node)
                .into_iter()
                .find(|c| c.kind() == "identifier")
            else {
                return;
            };
            let module = ctx.compact(path);
            let binding = module.rsplit('.').next().unwrap_or(&module).to_string();
            ctx.import(&module, vec![binding], node, false);
        }
        "call_expression" => {
            let parts = children(node);
            let Some(callee_node) = parts.first().copied() else {
                return;
            };
            // `form["entry"]` is a subscript, which this grammar parses as a call.
            let subscript = parts
                .iter()
                .filter(|p| p.kind() == "call_suffix")
                .flat_map(|p| children(*p))
                .any(|a| a.kind() == "value_arguments" && ctx.text(a).starts_with('['));
            if subscript {
                return;
            }
            let callee = engine::path(ctx, &Swift, callee_node);
            let name = match callee_node.kind() {
                "navigation_expression" => callee_node
                    .child_by_field_name("suffix")
                    .unwrap_or(callee_node),
                _ => callee_node,
            };
            let args = call_args(ctx, node);
            ctx.call(callee, args, node, name);
        }
        "property_declaration" => {
            let (Some(pattern), Some(value)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) else {
                return;
            };
            let name = pattern
                .child_by_field_name("bound_identifier")
                .unwrap_or(pattern);
            let target = ctx.text(name).to_string();
            assign(ctx, target, value, node);
        }
        "assignment" => {
            let (Some(target), Some(value)) = (
                node.child_by_field_name("target"),
                node.child_by_field_name("result"),
            ) else {
                return;
            };
            let inner = children(target).into_iter().next().unwrap_or(target);
            let name = engine::path(ctx, &Swift, inner);
            if !name.starts_with('_') {
                assign(ctx, name, value, node);
            }
        }
        "class_declaration" | "protocol_declaration" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string());
            let exported = !is_private(ctx, node);
            ctx.enter_class(name, exported);
        }
        "function_declaration" | "init_declaration" => {
            let class = ctx.current_class();
            let name = match node.child_by_field_name("name") {
                Some(n) => Some(ctx.text(n).to_string()),
                None if node.kind() == "init_declaration" => Some("init".to_string()),
                None => None,
            };
            let def = name.map(|name| FunctionDef {
                name,
                owner: class.as_ref().and_then(|(o, _)| o.clone()),
                params: params(ctx, node),
                exported: !is_private(ctx, node) && class.as_ref().is_none_or(|(_, e)| *e),
                line: ctx.line(node),
                calls: Vec::new(),
                within: None,
            });
            ctx.enter_function(def);
        }
        "lambda_literal" => ctx.enter_function(None),
        "line_string_literal" | "multi_line_string_literal" => {
            let value = string_value(ctx, node);
            ctx.push_string(value, node);
        }
        _ => {}
    }
}
