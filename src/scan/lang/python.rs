//! Python, by tree-sitter-python: `import` and `from ... import` (with
//! aliases), `importlib.import_module` and `__import__`, calls with keyword
//! arguments, dict literals and `dict(...)`, assignments, `def`.
//!
//! `import a.b` binds `a.b` (the name code then writes, `a.b.f()`), not
//! Python's `a`, so that callee paths match the binding; `from a import b`
//! gives the module `a` and binds `b`. An `import` inside a function is
//! dynamic (loaded at call time).

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children};
use super::{Arg, ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Extracts the facts of a Python source.
pub(crate) fn extract(
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    engine::parse_and_walk(Lang::Python, src, limits, deadline, visit)
}

struct Py;

impl Syntax for Py {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        match node.kind() {
            "dictionary" => {
                let mut out = Vec::new();
                for c in children(node) {
                    match c.kind() {
                        "pair" => {
                            if let (Some(k), Some(v)) =
                                (c.child_by_field_name("key"), c.child_by_field_name("value"))
                            {
                                out.push(Entry::Keyed(key_text(ctx, k), v));
                            }
                        }
                        "dictionary_splat" => out.push(Entry::Spread(c)),
                        _ => {}
                    }
                }
                Some(out)
            }
            "call" => {
                let function = node.child_by_field_name("function")?;
                if function.kind() != "identifier" || ctx.text(function) != "dict" {
                    return None;
                }
                Some(arg_entries(ctx, node))
            }
            "parenthesized_expression" => {
                let inner = children(node).into_iter().next()?;
                self.entries(ctx, inner)
            }
            // `"transactions": [{"payee": payee}]`.
            "list" => Some(engine::elements(node, "list_splat")),
            _ => None,
        }
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        (node.kind() == "identifier").then(|| ctx.text(node).to_string())
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "identifier" => Step::Name(ctx.text(node).to_string()),
            "attribute" => match (
                node.child_by_field_name("object"),
                node.child_by_field_name("attribute"),
            ) {
                (Some(o), Some(a)) => Step::Member(o, ctx.text(a).to_string()),
                _ => Step::Opaque,
            },
            "subscript" => {
                let Some(value) = node.child_by_field_name("value") else {
                    return Step::Opaque;
                };
                let segment = node
                    .child_by_field_name("subscript")
                    .filter(|s| s.kind() == "string")
                    .map(|s| string_value(ctx, s).to_string())
                    .unwrap_or_default();
                Step::Member(value, segment)
            }
            "call" => node
                .child_by_field_name("function")
                .map_or(Step::Opaque, Step::Through),
            // `OpenAI() if key else None`: the branch that builds something.
            "conditional_expression" => children(node)
                .into_iter()
                .find(|c| c.kind() == "call")
                .map_or(Step::Opaque, Step::Through),
            "await" | "parenthesized_expression" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, Step::Through),
            _ => Step::Opaque,
        }
    }
}

/// A string's value: the text between its opening and closing quotes
/// (prefixes like `f`/`rb` dropped, interpolations kept as written).
fn string_value<'s>(ctx: &Ctx<'s>, node: Node<'_>) -> &'s str {
    let parts = children(node);
    let start = parts
        .iter()
        .find(|c| c.kind() == "string_start")
        .map_or(node.start_byte(), |c| c.end_byte());
    let end = parts
        .iter()
        .rev()
        .find(|c| c.kind() == "string_end")
        .map_or(node.end_byte(), |c| c.start_byte());
    if start <= end {
        ctx.slice(start, end)
    } else {
        ""
    }
}

fn key_text(ctx: &Ctx<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "string" => string_value(ctx, key).to_string(),
        _ => ctx.compact(key),
    }
}

fn arg_entries<'t>(ctx: &Ctx<'_>, call: Node<'t>) -> Vec<Entry<'t>> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    if args.kind() != "argument_list" {
        return vec![Entry::Positional(args)];
    }
    children(args)
        .into_iter()
        .filter_map(|a| match a.kind() {
            "keyword_argument" => {
                let name = a.child_by_field_name("name")?;
                let value = a.child_by_field_name("value")?;
                Some(Entry::Keyed(ctx.text(name).to_string(), value))
            }
            "list_splat" | "dictionary_splat" => Some(Entry::Spread(a)),
            _ => Some(Entry::Positional(a)),
        })
        .collect()
}

fn first_string_arg<'s>(ctx: &Ctx<'s>, call: Node<'_>) -> Option<&'s str> {
    let args = call.child_by_field_name("arguments")?;
    let first = children(args).into_iter().next()?;
    (first.kind() == "string").then(|| string_value(ctx, first))
}

/// Names on the left of an assignment: `a`, `a, b`, `self.client`.
fn targets(ctx: &Ctx<'_>, left: Node<'_>) -> Vec<String> {
    match left.kind() {
        "identifier" | "attribute" => vec![engine::path(ctx, &Py, left)],
        "pattern_list" | "tuple_pattern" => children(left)
            .into_iter()
            .filter(|c| c.kind() == "identifier")
            .map(|c| ctx.text(c).to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn assign(ctx: &mut Ctx<'_>, left: Node<'_>, right: Node<'_>, at: Node<'_>) {
    match left.kind() {
        "identifier" if Py.entries(ctx, right).is_some() => {
            let args = engine::flatten(ctx, &Py, vec![Entry::Positional(right)]);
            ctx.record_literal(ctx.text(left).to_string(), args);
            return;
        }
        "subscript" | "attribute" => {
            // `props["email"] = user.email` adds to a recorded dict.
            let (object, key) = if left.kind() == "subscript" {
                (
                    left.child_by_field_name("value"),
                    left.child_by_field_name("subscript")
                        .filter(|s| s.kind() == "string")
                        .map(|s| string_value(ctx, s).to_string()),
                )
            } else {
                (left.child_by_field_name("object"), None)
            };
            if let (Some(object), Some(key)) = (object, key) {
                if object.kind() == "identifier" {
                    // A nested dict (`props["user"] = {"email": ...}`) gives
                    // its keys under this one.
                    let var = ctx.text(object).to_string();
                    if ctx.literal(&var).is_some() {
                        let args = engine::flatten(ctx, &Py, vec![Entry::Keyed(key, right)]);
                        for arg in args {
                            ctx.extend_literal(
                                &var,
                                Arg {
                                    position: None,
                                    ..arg
                                },
                            );
                        }
                        return;
                    }
                }
            }
        }
        _ => {}
    }
    if let Some(root) = engine::root(ctx, &Py, right) {
        for name in targets(ctx, left) {
            ctx.push_binding(name, root.clone(), at);
        }
    }
}

fn params(ctx: &Ctx<'_>, function: Node<'_>) -> Vec<String> {
    let Some(list) = function.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in children(list) {
        let name = match p.kind() {
            "identifier" | "list_splat_pattern" | "dictionary_splat_pattern" => {
                ctx.text(p).to_string()
            }
            "default_parameter" | "typed_default_parameter" => p
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string())
                .unwrap_or_default(),
            "typed_parameter" => children(p)
                .into_iter()
                .next()
                .map(|n| ctx.text(n).to_string())
                .unwrap_or_default(),
            _ => continue,
        };
        if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

const DYNAMIC_IMPORTS: &[&str] = &["importlib.import_module", "import_module", "__import__"];

fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, anc: &[Node<'_>]) {
    match node.kind() {
        "import_statement" => {
            let dynamic = ctx.in_function();
            let mut cursor = node.walk();
            let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
            for n in names {
                let (module, binding) = match n.kind() {
                    "aliased_import" => (
                        n.child_by_field_name("name").map(|m| ctx.text(m)),
                        n.child_by_field_name("alias").map(|a| ctx.text(a)),
                    ),
                    _ => (Some(ctx.text(n)), Some(ctx.text(n))),
                };
                if let Some(module) = module {
                    let bindings = binding.map(|b| vec![b.to_string()]).unwrap_or_default();
                    ctx.import(module, bindings, node, dynamic);
                }
            }
        }
        "import_from_statement" => {
            let Some(module) = node.child_by_field_name("module_name") else {
                return;
            };
            let mut cursor = node.walk();
            let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
            let renamed: Vec<(String, String)> = names
                .iter()
                .filter(|n| n.kind() == "aliased_import")
                .filter_map(|n| {
                    let o = n.child_by_field_name("name")?;
                    let a = n.child_by_field_name("alias")?;
                    Some((ctx.text(o).to_string(), ctx.text(a).to_string()))
                })
                .collect();
            let bindings = names
                .into_iter()
                .filter_map(|n| match n.kind() {
                    "aliased_import" => n.child_by_field_name("alias"),
                    _ => Some(n),
                })
                .map(|n| ctx.text(n).to_string())
                .collect();
            let dynamic = ctx.in_function();
            let module = ctx.text(module).to_string();
            ctx.import_renamed(&module, bindings, renamed, node, dynamic);
        }
        "call" => {
            let Some(function) = node.child_by_field_name("function") else {
                return;
            };
            let callee = engine::path(ctx, &Py, function);
            if DYNAMIC_IMPORTS.contains(&callee.as_str()) {
                if let Some(module) = first_string_arg(ctx, node) {
                    let bindings = match anc.last() {
                        Some(p) if p.kind() == "assignment" => p
                            .child_by_field_name("left")
                            .map(|l| targets(ctx, l))
                            .unwrap_or_default(),
                        _ => Vec::new(),
                    };
                    ctx.import(module, bindings, node, true);
                    return;
                }
            }
            let name = match function.kind() {
                "attribute" => function
                    .child_by_field_name("attribute")
                    .unwrap_or(function),
                _ => function,
            };
            let args = engine::flatten(ctx, &Py, arg_entries(ctx, node));
            ctx.grow_literal(&callee, &args);
            ctx.call(callee, args, node, name);
        }
        "assignment" => {
            if let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                assign(ctx, left, right, node);
            }
        }
        "class_definition" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string());
            let exported = name.as_deref().is_some_and(|n| !n.starts_with('_'));
            ctx.enter_class(name, exported);
        }
        "function_definition" => {
            let owner = ctx.current_class();
            let def = node.child_by_field_name("name").map(|n| {
                let name = ctx.text(n).to_string();
                let public =
                    !name.starts_with('_') || (name.starts_with("__") && name.ends_with("__"));
                let exported = match &owner {
                    Some((_, class_exported)) => *class_exported && public,
                    None => !name.starts_with('_'),
                };
                let mut params = params(ctx, node);
                if owner.is_some() && params.first().is_some_and(|p| p == "self" || p == "cls") {
                    params.remove(0);
                }
                engine::record_payload_method(ctx, &Py, &name, node);
                FunctionDef {
                    params,
                    owner: owner.as_ref().and_then(|(o, _)| o.clone()),
                    name,
                    exported,
                    line: ctx.line(node),
                    calls: Vec::new(),
                    within: None,
                }
            });
            ctx.enter_function(def);
        }
        "lambda" => ctx.enter_function(None),
        "string" => {
            let value = string_value(ctx, node);
            ctx.push_string(value, node);
        }
        _ => {}
    }
}
