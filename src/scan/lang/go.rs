//! Go, by tree-sitter-go: import specs (with aliases), calls, struct and
//! map literals (`&stripe.CustomerParams{Email: stripe.String(u.Email)}`
//! gives the key `Email`), `:=`/`=`/`var` bindings, `func` and methods.
//! A method's receiver is written `self` in its callees and bindings
//! (`s.mail.Send(...)` in `func (s *Service)` is `self.mail.Send`).
//!
//! An import without an alias binds the package's declared name, which only
//! the imported package knows; it is guessed from the path the way Go
//! projects name packages: the last element that is not a major version
//! (`/v76`), without a `go-` prefix, a `-go` suffix or a `.vN` suffix
//! (`github.com/sashabaranov/go-openai` → `openai`).

use std::time::Instant;

use tree_sitter::Node;

use super::engine::{self, Ctx, Entry, Step, Syntax, children, unquote};
use super::{Arg, ExtractError, FileFacts, FunctionDef, Lang, Limits};

/// Extracts the facts of a Go source.
pub(crate) fn extract(
    src: &str,
    limits: &Limits,
    deadline: Instant,
) -> Result<FileFacts, ExtractError> {
    engine::parse_and_walk(Lang::Go, src, limits, deadline, visit)
}

struct Go;

impl Syntax for Go {
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>> {
        let body = match node.kind() {
            "composite_literal" => node.child_by_field_name("body")?,
            "literal_value" => node,
            "unary_expression" => {
                let operand = node.child_by_field_name("operand")?;
                return if operand.kind() == "composite_literal" {
                    self.entries(ctx, operand)
                } else {
                    None
                };
            }
            _ => return None,
        };
        let mut out = Vec::new();
        for c in children(body) {
            match c.kind() {
                "keyed_element" => {
                    let (Some(k), Some(v)) =
                        (c.child_by_field_name("key"), c.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    out.push(Entry::Keyed(key_text(ctx, element(k)), element(v)));
                }
                "literal_element" => out.push(Entry::Positional(element(c))),
                _ => {}
            }
        }
        Some(out)
    }

    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
        (node.kind() == "identifier").then(|| ctx.text(node).to_string())
    }

    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t> {
        match node.kind() {
            "identifier" | "field_identifier" | "package_identifier" | "type_identifier" => {
                Step::Name(ctx.text(node).to_string())
            }
            "selector_expression" => match (
                node.child_by_field_name("operand"),
                node.child_by_field_name("field"),
            ) {
                (Some(o), Some(f)) => Step::Member(o, ctx.text(f).to_string()),
                _ => Step::Opaque,
            },
            "qualified_type" => match (
                node.child_by_field_name("package"),
                node.child_by_field_name("name"),
            ) {
                (Some(p), Some(n)) => Step::Member(p, ctx.text(n).to_string()),
                _ => Step::Opaque,
            },
            "call_expression" => node
                .child_by_field_name("function")
                .map_or(Step::Opaque, Step::Through),
            "composite_literal" | "generic_type" => node
                .child_by_field_name("type")
                .map_or(Step::Opaque, Step::Through),
            "unary_expression" => node
                .child_by_field_name("operand")
                .map_or(Step::Opaque, Step::Through),
            "index_expression" => node
                .child_by_field_name("operand")
                .map_or(Step::Opaque, |o| Step::Member(o, String::new())),
            "parenthesized_expression" | "pointer_type" => children(node)
                .into_iter()
                .next()
                .map_or(Step::Opaque, Step::Through),
            _ => Step::Opaque,
        }
    }
}

/// The expression inside a `literal_element` wrapper.
fn element(node: Node<'_>) -> Node<'_> {
    if node.kind() == "literal_element" {
        children(node).into_iter().next().unwrap_or(node)
    } else {
        node
    }
}

fn key_text(ctx: &Ctx<'_>, key: Node<'_>) -> String {
    match key.kind() {
        "interpreted_string_literal" | "raw_string_literal" => unquote(ctx.text(key)).to_string(),
        _ => ctx.compact(key),
    }
}

/// The package name an unaliased import most likely binds.
fn package_name(path: &str) -> String {
    let mut parts = path.rsplit('/');
    let mut last = parts.next().unwrap_or(path);
    let is_major =
        |s: &str| s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit());
    if is_major(last) {
        last = parts.next().unwrap_or(last);
    }
    let mut name = last;
    if let Some((base, suffix)) = name.rsplit_once(".v") {
        if !suffix.is_empty() && suffix.bytes().all(|b| b.is_ascii_digit()) {
            name = base;
        }
    }
    let name = name.strip_prefix("go-").unwrap_or(name);
    let name = name.strip_suffix("-go").unwrap_or(name);
    name.replace(['-', '.'], "_")
}

fn import_spec(ctx: &mut Ctx<'_>, spec: Node<'_>) {
    let Some(path) = spec.child_by_field_name("path") else {
        return;
    };
    let module = unquote(ctx.text(path)).to_string();
    let bindings = match spec.child_by_field_name("name") {
        Some(n) if n.kind() == "package_identifier" => vec![ctx.text(n).to_string()],
        Some(_) => Vec::new(),
        None => vec![package_name(&module)],
    };
    ctx.import(&module, bindings, spec, false);
}

fn assign(
    ctx: &mut Ctx<'_>,
    left: &[Node<'_>],
    right: &[Node<'_>],
    at: Node<'_>,
    recv: Option<&str>,
) {
    for (i, target) in left.iter().enumerate() {
        let value = if right.len() == left.len() {
            right[i]
        } else if right.len() == 1 {
            right[0]
        } else {
            continue;
        };
        match target.kind() {
            "identifier" => {
                let name = ctx.text(*target).to_string();
                if name == "_" {
                    continue;
                }
                if right.len() == left.len() && Go.entries(ctx, value).is_some() {
                    let args = engine::flatten(ctx, &Go, vec![Entry::Positional(value)]);
                    ctx.record_literal(name, args);
                } else if let Some(root) = engine::root(ctx, &Go, value) {
                    ctx.push_binding(name, as_self(&root, recv), at);
                }
            }
            "index_expression" => {
                // `props["email"] = u.Email` adds to a recorded map.
                let object = target.child_by_field_name("operand");
                let key = target
                    .child_by_field_name("index")
                    .filter(|k| {
                        k.kind() == "interpreted_string_literal" || k.kind() == "raw_string_literal"
                    })
                    .map(|k| key_text(ctx, k));
                if let (Some(object), Some(key)) = (object, key) {
                    let arg = Arg {
                        key: Some(key),
                        expr: ctx.compact(value),
                        line: ctx.line(value),
                        position: None,
                    };
                    let var = ctx.text(object).to_string();
                    ctx.extend_literal(&var, arg);
                }
            }
            "selector_expression" => {
                // `params.Email = stripe.String(u.Email)` on a recorded struct.
                let object = target.child_by_field_name("operand");
                let field = target
                    .child_by_field_name("field")
                    .map(|f| ctx.text(f).to_string());
                if let (Some(object), Some(field)) = (object, field) {
                    let arg = Arg {
                        key: Some(field),
                        expr: ctx.compact(value),
                        line: ctx.line(value),
                        position: None,
                    };
                    let var = ctx.text(object).to_string();
                    if ctx.extend_literal(&var, arg) {
                        continue;
                    }
                }
                if let Some(root) = engine::root(ctx, &Go, value) {
                    let name = as_self(&engine::path(ctx, &Go, *target), recv);
                    ctx.push_binding(name, as_self(&root, recv), at);
                }
            }
            _ => {}
        }
    }
}

fn params(ctx: &Ctx<'_>, list: Option<Node<'_>>) -> Vec<String> {
    let Some(list) = list else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in children(list) {
        let mut cursor = p.walk();
        let names: Vec<String> = p
            .children_by_field_name("name", &mut cursor)
            .map(|n| ctx.text(n).to_string())
            .collect();
        if names.is_empty() {
            out.push("_".to_string());
        }
        out.extend(names);
    }
    out
}

fn receiver_type(ctx: &Ctx<'_>, method: Node<'_>) -> Option<String> {
    let receiver = method.child_by_field_name("receiver")?;
    let decl = children(receiver).into_iter().next()?;
    let ty = decl.child_by_field_name("type")?;
    let text = ctx.text(ty).trim_start_matches('*');
    let text = text.split('[').next().unwrap_or(text);
    Some(text.to_string())
}

/// The receiver's name of the method `anc` ends in (`s` in `func (s
/// *Service) Register(...)`), also inside its closures.
fn receiver_name(ctx: &Ctx<'_>, anc: &[Node<'_>]) -> Option<String> {
    let method = anc
        .iter()
        .rev()
        .find(|n| n.kind() == "method_declaration")?;
    let receiver = method.child_by_field_name("receiver")?;
    let decl = children(receiver).into_iter().next()?;
    let name = decl.child_by_field_name("name")?;
    Some(ctx.text(name).to_string())
}

/// A method's receiver is the object itself: `s.mail.Send(...)` in a
/// method of `s` is written `self.mail.Send(...)`, as in the languages
/// that name it `self` or `this`, so that its fields (bound by their
/// declared types) and its own methods are found the same way.
fn as_self(path: &str, recv: Option<&str>) -> String {
    match recv {
        Some(r) if r != "_" && !r.is_empty() => match path.strip_prefix(r) {
            Some("") => "self".to_string(),
            Some(rest) if rest.starts_with('.') => format!("self{rest}"),
            _ => path.to_string(),
        },
        _ => path.to_string(),
    }
}

/// A name typed with a package's type is bound to the package, which an
/// import may bind to a vendor: callback parameters such as
/// `sentry.ConfigureScope(func(scope *sentry.Scope) { scope.SetUser(...) })`,
/// clients passed in (`func send(c *stripe.Client)`), struct fields and
/// `var` declarations without a value.
fn bind_typed(ctx: &mut Ctx<'_>, node: Node<'_>) {
    let Some(ty) = node.child_by_field_name("type") else {
        return;
    };
    let ty = match ty.kind() {
        "pointer_type" => children(ty).into_iter().next().unwrap_or(ty),
        _ => ty,
    };
    if ty.kind() != "qualified_type" {
        return;
    }
    let Some(pkg) = ty.child_by_field_name("package") else {
        return;
    };
    // The package and the type (`ntf.Telegram`): a package holding
    // several vendors' clients names the vendor by its type (see
    // `imports::members_of`); otherwise the package is the root.
    let root = match ty.child_by_field_name("name") {
        Some(name) => format!("{}.{}", ctx.text(pkg), ctx.text(name)),
        None => ctx.text(pkg).to_string(),
    };
    let mut cursor = node.walk();
    let mut names: Vec<String> = node
        .children_by_field_name("name", &mut cursor)
        .map(|n| ctx.text(n).to_string())
        .collect();
    // An embedded field (`*ntf.Telegram` in a struct) is named after its
    // type: `t.Telegram.Send(...)`.
    if names.is_empty() && node.kind() == "field_declaration" {
        names.extend(
            ty.child_by_field_name("name")
                .map(|n| ctx.text(n).to_string()),
        );
    }
    for n in names {
        ctx.push_binding(n, root.clone(), node);
    }
}

fn visit(ctx: &mut Ctx<'_>, node: Node<'_>, anc: &[Node<'_>]) {
    match node.kind() {
        "import_spec" => import_spec(ctx, node),
        "call_expression" => {
            let Some(function) = node.child_by_field_name("function") else {
                return;
            };
            let callee = as_self(
                &engine::path(ctx, &Go, function),
                receiver_name(ctx, anc).as_deref(),
            );
            let name = match function.kind() {
                "selector_expression" => function.child_by_field_name("field").unwrap_or(function),
                _ => function,
            };
            let entries = node
                .child_by_field_name("arguments")
                .map(|a| {
                    children(a)
                        .into_iter()
                        .map(|c| {
                            if c.kind() == "variadic_argument" {
                                Entry::Spread(c)
                            } else {
                                Entry::Positional(c)
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            let args = engine::flatten(ctx, &Go, entries);
            ctx.call(callee, args, node, name);
        }
        "short_var_declaration" | "assignment_statement" => {
            let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return;
            };
            let recv = receiver_name(ctx, anc);
            assign(
                ctx,
                &children(left),
                &children(right),
                node,
                recv.as_deref(),
            );
        }
        "var_spec" => {
            let mut cursor = node.walk();
            let names: Vec<Node<'_>> = node.children_by_field_name("name", &mut cursor).collect();
            if let Some(values) = node.child_by_field_name("value") {
                let recv = receiver_name(ctx, anc);
                assign(ctx, &names, &children(values), node, recv.as_deref());
            } else {
                // `var hub *sentry.Hub`.
                bind_typed(ctx, node);
            }
        }
        "function_declaration" | "method_declaration" => {
            let owner = if node.kind() == "method_declaration" {
                receiver_type(ctx, node)
            } else {
                None
            };
            let def = node.child_by_field_name("name").map(|n| {
                let name = ctx.text(n).to_string();
                FunctionDef {
                    exported: name.chars().next().is_some_and(char::is_uppercase),
                    name,
                    owner,
                    params: params(ctx, node.child_by_field_name("parameters")),
                    line: ctx.line(node),
                    calls: Vec::new(),
                    within: None,
                }
            });
            ctx.enter_function(def);
        }
        "func_literal" => ctx.enter_function(None),
        // `func(scope *sentry.Scope)`, `func send(c *stripe.Client)`: see
        // [`bind_typed`].
        "parameter_declaration" | "field_declaration" => bind_typed(ctx, node),
        "interpreted_string_literal" | "raw_string_literal" => {
            let value = unquote(ctx.text(node));
            ctx.push_string(value, node);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::package_name;

    #[test]
    fn package_names_follow_go_conventions() {
        assert_eq!(package_name("github.com/stripe/stripe-go/v76"), "stripe");
        assert_eq!(
            package_name("github.com/stripe/stripe-go/v76/customer"),
            "customer"
        );
        assert_eq!(package_name("github.com/sashabaranov/go-openai"), "openai");
        assert_eq!(package_name("gopkg.in/yaml.v3"), "yaml");
        assert_eq!(package_name("github.com/getsentry/sentry-go"), "sentry");
        assert_eq!(package_name("fmt"), "fmt");
        assert_eq!(package_name("net/http"), "http");
    }
}
