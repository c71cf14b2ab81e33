//! Java, by tree-sitter-java: `import a.b.C` (module = the dotted path,
//! binding = `C`; a wildcard import binds nothing), method invocations with
//! their receivers (builder chains give one call per link), `new X(...)`,
//! `Map.of("email", x, ...)` pairs as keys, local and field declarations,
//! methods.

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children, unquote};
use super::{ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Extracts the facts of a Java source.
pub(crate) fn extract(
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    engine::parse_and_walk(Lang::Java, src, limits, deadline, visit)
}

struct Java;

impl Syntax for Java {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        // `Map.of("email", user.getEmail(), "plan", plan)`: keys and values alternate.
        if node.kind() != "method_invocation" {
            return None;
        }
        let callee = engine::path(ctx, self, node);
        if !(callee.ends_with("Map.of") || callee == "of") {
            return None;
        }
        let args = children(node.child_by_field_name("arguments")?);
        if args.len() % 2 != 0 {
            return None;
        }
        let mut out = Vec::new();
        for pair in args.chunks(2) {
            let key = match pair[0].kind() {
                "string_literal" => unquote(ctx.text(pair[0])).to_string(),
                _ => ctx.compact(pair[0]),
            };
            out.push(Entry::Keyed(key, pair[1]));
        }
        Some(out)
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        (node.kind() == "identifier").then(|| ctx.text(node).to_string())
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "identifier" | "type_identifier" | "this" | "super" => {
                Step::Name(ctx.text(node).to_string())
            }
            "method_invocation" => {
                let name = node
                    .child_by_field_name("name")
                    .map(|n| ctx.text(n).to_string())
                    .unwrap_or_default();
                match node.child_by_field_name("object") {
                    Some(o) => Step::Member(o, name),
                    None => Step::Name(name),
                }
            }
            "field_access" => match (
                node.child_by_field_name("object"),
                node.child_by_field_name("field"),
            ) {
                (Some(o), Some(f)) => Step::Member(o, ctx.text(f).to_string()),
                _ => Step::Opaque,
            },
            "scoped_identifier" => match (
                node.child_by_field_name("scope"),
                node.child_by_field_name("name"),
            ) {
                (Some(s), Some(n)) => Step::Member(s, ctx.text(n).to_string()),
                _ => Step::Opaque,
            },
            "scoped_type_identifier" => {
                let parts = children(node);
                match (parts.first(), parts.last()) {
                    (Some(first), Some(last)) if parts.len() >= 2 => {
                        Step::Member(*first, ctx.text(*last).to_string())
                    }
                    (Some(only), _) => Step::Through(*only),
                    _ => Step::Opaque,
                }
            }
            "object_creation_expression" => node
                .child_by_field_name("type")
                .map_or(Step::Opaque, Step::Through),
            "cast_expression" => node
                .child_by_field_name("value")
                .map_or(Step::Opaque, Step::Through),
            "array_access" => node
                .child_by_field_name("array")
                .map_or(Step::Opaque, |a| Step::Member(a, String::new())),
            "generic_type" | "parenthesized_expression" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, Step::Through),
            _ => Step::Opaque,
        }
    }
}

fn args_of(ctx: &Ctx<'_>, call: Node<'_>) -> Vec<super::Arg> {
    let entries = call
        .child_by_field_name("arguments")
        .map(|a| children(a).into_iter().map(Entry::Positional).collect())
        .unwrap_or_default();
    engine::flatten(ctx, &Java, entries)
}

/// Map types filled by `put` (`new HashMap<>()`, `new JSONObject()`).
const MAP_TYPES: &[&str] = &[
    "HashMap",
    "LinkedHashMap",
    "TreeMap",
    "ConcurrentHashMap",
    "JSONObject",
    "JsonObject",
    "Properties",
];

/// True when `value` creates an empty map of a known type.
fn new_map(ctx: &Ctx<'_>, value: Node<'_>) -> bool {
    if value.kind() != "object_creation_expression" {
        return false;
    }
    let empty = value
        .child_by_field_name("arguments")
        .is_some_and(|a| children(a).is_empty());
    let ty = value
        .child_by_field_name("type")
        .map(|t| ctx.text(t))
        .unwrap_or("");
    let base = ty.split('<').next().unwrap_or(ty).trim();
    let base = base.rsplit('.').next().unwrap_or(base);
    empty && MAP_TYPES.contains(&base)
}

/// `props.put("email", user.getEmail())` (also `addProperty`, Gson's)
/// adds to a map recorded by [`assign`].
fn map_put(ctx: &mut Ctx<'_>, call: Node<'_>) {
    let name = call
        .child_by_field_name("name")
        .map(|n| ctx.text(n))
        .unwrap_or("");
    if !matches!(name, "put" | "addProperty" | "accumulate") {
        return;
    }
    let Some(object) = call
        .child_by_field_name("object")
        .filter(|o| o.kind() == "identifier")
    else {
        return;
    };
    let args = call
        .child_by_field_name("arguments")
        .map(children)
        .unwrap_or_default();
    let [key, value] = args.as_slice() else {
        return;
    };
    if key.kind() != "string_literal" {
        return;
    }
    let arg = super::Arg {
        key: Some(unquote(ctx.text(*key)).to_string()),
        expr: ctx.compact(*value),
        line: ctx.line(*value),
        position: None,
    };
    let var = ctx.text(object).to_string();
    ctx.extend_literal(&var, arg);
}

fn assign(ctx: &mut Ctx<'_>, name: Node<'_>, value: Node<'_>, at: Node<'_>) {
    let target = engine::path(ctx, &Java, name);
    if name.kind() == "identifier" && Java.entries(ctx, value).is_some() {
        let args = engine::flatten(ctx, &Java, vec![Entry::Positional(value)]);
        ctx.record_literal(target, args);
    } else if name.kind() == "identifier" && new_map(ctx, value) {
        ctx.record_literal(target, Vec::new());
    } else if let Some(root) = engine::root(ctx, &Java, value) {
        ctx.push_binding(target, root, at);
    }
}

fn is_public(ctx: &Ctx<'_>, decl: Node<'_>) -> bool {
    children(decl)
        .into_iter()
        .find(|c| c.kind() == "modifiers")
        .is_some_and(|m| ctx.text(m).split_whitespace().any(|w| w == "public"))
}

fn params(ctx: &Ctx<'_>, decl: Node<'_>) -> Vec<String> {
    let Some(list) = decl.child_by_field_name("parameters") else {
        return Vec::new();
    };
    children(list)
        .into_iter()
        .filter_map(|p| match p.kind() {
            "formal_parameter" => p
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string()),
            "spread_parameter" => children(p)
                .into_iter()
                .find(|c| c.kind() == "variable_declarator")
                .and_then(|d| d.child_by_field_name("name"))
                .map(|n| format!("...{}", ctx.text(n))),
            _ => None,
        })
        .collect()
}

/// The simple name of a declared class type (`StripeClient`,
/// `com.stripe.StripeClient` → `StripeClient`); none for primitives,
/// arrays and generic containers.
fn type_root(ctx: &Ctx<'_>, ty: Node<'_>) -> Option<String> {
    if !matches!(ty.kind(), "type_identifier" | "scoped_type_identifier") {
        return None;
    }
    let text = ctx.text(ty);
    let last = text.rsplit('.').next().unwrap_or(text).trim();
    last.starts_with(|c: char| c.is_ascii_uppercase())
        .then(|| last.to_string())
}

fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, _anc: &[Node<'_>]) {
    match node.kind() {
        "import_declaration" => {
            let parts = children(node);
            let Some(path) = parts
                .iter()
                .find(|c| matches!(c.kind(), "scoped_identifier" | "identifier"))
            else {
                return;
            };
            let module = ctx.text(*path).to_string();
            let wildcard = parts.iter().any(|c| c.kind() == "asterisk");
            let bindings = if wildcard {
                Vec::new()
            } else {
                module
                    .rsplit('.')
                    .next()
                    .map(|s| vec![s.to_string()])
                    .unwrap_or_default()
            };
            ctx.import(&module, bindings, node, false);
        }
        "method_invocation" => {
            map_put(ctx, node);
            let callee = engine::path(ctx, &Java, node);
            let name = node.child_by_field_name("name").unwrap_or(node);
            let args = args_of(ctx, node);
            ctx.call(callee, args, node, name);
        }
        "object_creation_expression" => {
            let Some(ty) = node.child_by_field_name("type") else {
                return;
            };
            let callee = engine::path(ctx, &Java, ty);
            let args = args_of(ctx, node);
            ctx.call(callee, args, node, ty);
        }
        "variable_declarator" => {
            if let (Some(name), Some(value)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) {
                assign(ctx, name, value, node);
            }
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
        | "interface_declaration"
        | "enum_declaration"
        | "record_declaration" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| ctx.text(n).to_string());
            let public = is_public(ctx, node);
            ctx.enter_class(name, public);
        }
        "method_declaration" | "constructor_declaration" => {
            let class = ctx.current_class();
            let def = node.child_by_field_name("name").map(|n| FunctionDef {
                name: ctx.text(n).to_string(),
                owner: class.as_ref().and_then(|(o, _)| o.clone()),
                params: params(ctx, node),
                exported: is_public(ctx, node) && class.as_ref().is_some_and(|(_, e)| *e),
                line: ctx.line(node),
                calls: Vec::new(),
                within: None,
            });
            ctx.enter_function(def);
        }
        // `private final StripeClient client;`, `StripeClient client` as a
        // (constructor-injected) parameter: the name is bound to its type,
        // which an import may bind to a vendor.
        "field_declaration" | "formal_parameter" | "local_variable_declaration" => {
            if let Some(ty) = node
                .child_by_field_name("type")
                .and_then(|t| type_root(ctx, t))
            {
                let names: Vec<Node<'_>> = if node.kind() == "formal_parameter" {
                    node.child_by_field_name("name").into_iter().collect()
                } else {
                    children(node)
                        .into_iter()
                        .filter(|c| c.kind() == "variable_declarator")
                        .filter(|d| d.child_by_field_name("value").is_none())
                        .filter_map(|d| d.child_by_field_name("name"))
                        .collect()
                };
                for n in names {
                    let name = ctx.text(n).to_string();
                    ctx.push_binding(name, ty.clone(), node);
                }
            }
        }
        "lambda_expression" => ctx.enter_function(None),
        "string_literal" => {
            let value = unquote(ctx.text(node));
            ctx.push_string(value, node);
        }
        _ => {}
    }
}
