//! The machinery every language module shares: parsing under a time budget
//! with one parser per language per thread, an iterative walk over the syntax
//! tree, the scope stack that gives functions their calls and one step of
//! local data flow, and the flattening of literal arguments into [`Arg`]s.
//!
//! Invariants: nothing here recurses over the tree (a file of 100k nested
//! brackets is a deep tree); every loop that follows a chain of nodes is
//! capped, so the work per node is bounded; every stored text is capped.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Instant;

use tree_sitter::{Node, ParseOptions, ParseState, Parser, Tree};

use super::{
    Arg, Binding, Call, ExtractError, FileFacts, FunctionDef, Import, Lang, Limits, StringLit,
};

/// How many links of a member chain a callee path or a root may follow.
const MAX_CHAIN: usize = 32;
/// How deep nested literal arguments are flattened into dotted keys.
const MAX_NESTING: usize = 8;

/// One parser slot per language (the rows of `table::LANGUAGES` follow
/// [`Lang`], whose last variant is `Html`; a test there checks it).
const LANGS: usize = Lang::Html as usize + 1;

thread_local! {
    // A parser is cheap to keep and reusing it avoids reallocating its
    // stacks for every file; each rayon worker gets its own, per language
    // (Vue and Svelte files are parsed as HTML, so their slots stay empty).
    static PARSERS: RefCell<[Option<Parser>; LANGS]> = const {
        RefCell::new([const { None }; LANGS])
    };
}

/// Parses `src` with the grammar of `lang`'s row, giving up at `deadline`.
pub(crate) fn parse(lang: Lang, src: &str, deadline: Instant) -> Result<Tree, ExtractError> {
    PARSERS.with(|cell| {
        let mut parsers = cell
            .try_borrow_mut()
            .map_err(|_| ExtractError::Parse("parser already in use on this thread".into()))?;
        let slot = &mut parsers[lang as usize];
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&(lang.spec().grammar)())
                .map_err(|e| ExtractError::Parse(format!("grammar of {lang:?}: {e}")))?;
            *slot = Some(parser);
        }
        let Some(parser) = slot.as_mut() else {
            return Err(ExtractError::Parse("no parser".into()));
        };
        let timed_out = Cell::new(false);
        let mut progress = |_: &ParseState| {
            if Instant::now() >= deadline {
                timed_out.set(true);
                true
            } else {
                false
            }
        };
        let bytes = src.as_bytes();
        let mut input = |offset: usize, _| bytes.get(offset..).unwrap_or(&[]);
        let tree = parser.parse_with_options(
            &mut input,
            None,
            Some(ParseOptions::new().progress_callback(&mut progress)),
        );
        match tree {
            Some(tree) => Ok(tree),
            None => {
                // A cancelled parse would otherwise resume on the next file.
                parser.reset();
                if timed_out.get() {
                    Err(ExtractError::Timeout)
                } else {
                    Err(ExtractError::Parse("the parser gave no tree".into()))
                }
            }
        }
    })
}

/// Parses `src` as `lang` and walks the tree with the language's
/// visitor: the whole of `extract` for the languages without embedded code.
pub(crate) fn parse_and_walk(
    lang: Lang,
    src: &str,
    limits: &Limits,
    deadline: Instant,
    visit: for<'c, 's, 't> fn(&'c mut Ctx<'s>, Node<'t>, &[Node<'t>]),
) -> Result<FileFacts, ExtractError> {
    let tree = parse(lang, src, deadline)?;
    let mut ctx = Ctx::new(src, 0, limits, deadline);
    walk(&tree, &mut ctx, visit)?;
    Ok(ctx.finish())
}

/// Visits every named node in source order (pre-order), with its ancestors
/// (outermost first), without recursion. The walk has a time budget of its
/// own, as long as the parse's: pathological trees (a chain of 100k calls)
/// give [`ExtractError::Timeout`] rather than a stuck worker.
pub(crate) fn walk<'t>(
    tree: &'t Tree,
    ctx: &mut Ctx<'_>,
    mut visit: impl FnMut(&mut Ctx<'_>, Node<'t>, &[Node<'t>]),
) -> Result<(), ExtractError> {
    let deadline = Instant::now() + ctx.limits.parse_budget;
    let mut cursor = tree.walk();
    let mut ancestors: Vec<Node<'t>> = Vec::new();
    let mut visited: u32 = 0;
    loop {
        let node = cursor.node();
        visited = visited.wrapping_add(1);
        if visited % 1024 == 0 && Instant::now() > deadline {
            return Err(ExtractError::Timeout);
        }
        if node.is_named() {
            ctx.set_depth(ancestors.len());
            visit(ctx, node, &ancestors);
        }
        if cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return Ok(());
            }
            ancestors.pop();
        }
    }
}

/// One entry of an argument list or of a map-like literal.
pub(crate) enum Entry<'t> {
    /// A positional value.
    Positional(Node<'t>),
    /// `key: value`, `key=value`, `'key' => value`.
    Keyed(String, Node<'t>),
    /// `...x`, `**x`: kept as written.
    Spread(Node<'t>),
}

/// One step along a callee or a value towards its leftmost name.
pub(crate) enum Step<'t> {
    /// `object.segment`: go on with the object.
    Member(Node<'t>, String),
    /// A wrapper (a call, `new`, parentheses, `await`): go on with the inner node.
    Through(Node<'t>),
    /// A name: the chain ends here.
    Name(String),
    /// Something that is not a name (a literal, a function expression).
    Opaque,
}

/// What a language module tells the shared code about its syntax.
pub(crate) trait Syntax {
    /// The entries of a map-like literal (object, dict, hash, composite or
    /// array literal with keys), or `None` when `node` is not one.
    fn entries<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Option<Vec<Entry<'t>>>;
    /// The variable's name when `node` is a plain variable reference.
    fn variable(&self, ctx: &Ctx<'_>, node: Node<'_>) -> Option<String>;
    /// One step from `node` towards the leftmost name of a chain.
    fn step<'t>(&self, ctx: &Ctx<'_>, node: Node<'t>) -> Step<'t>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ScopeKind {
    Module,
    Class,
    Function,
}

struct Scope {
    depth: usize,
    kind: ScopeKind,
    /// Class name for class scopes.
    name: Option<String>,
    /// For class scopes: whether the class can be used from other files.
    exported: bool,
    /// Index into `facts.functions` for named functions.
    function: Option<usize>,
    /// Variables assigned a map-like literal in this scope, flattened.
    literals: HashMap<String, Vec<Arg>>,
    /// For a function that ends by returning a variable: (its name, the
    /// variable), resolved when the scope closes.
    returns_var: Option<(String, String)>,
}

/// The state of one extraction: the source, the facts so far, the scopes.
pub(crate) struct Ctx<'s> {
    src: &'s str,
    /// What `text` fields quote: the source as written, when `src` is a
    /// copy with template tags blanked (same length, same offsets).
    display: &'s str,
    line_offset: u32,
    limits: &'s Limits,
    deadline: Instant,
    pub(crate) facts: FileFacts,
    scopes: Vec<Scope>,
    depth: usize,
    /// Methods without parameters that return a map-like literal
    /// (`def payload; { email: ... }; end`), by name, flattened.
    returns: HashMap<String, Vec<Arg>>,
    /// Set by [`record_payload_method`] for the function scope opened next.
    pending_return: Option<(String, String)>,
}

impl<'s> Ctx<'s> {
    /// A context for `src`, whose first line is line `line_offset + 1` of the file.
    pub(crate) fn new(
        src: &'s str,
        line_offset: u32,
        limits: &'s Limits,
        deadline: Instant,
    ) -> Self {
        Ctx {
            src,
            display: src,
            line_offset,
            limits,
            deadline,
            facts: FileFacts::default(),
            scopes: vec![Scope {
                depth: 0,
                kind: ScopeKind::Module,
                name: None,
                exported: false,
                function: None,
                literals: HashMap::new(),
                returns_var: None,
            }],
            depth: 0,
            returns: HashMap::new(),
            pending_return: None,
        }
    }

    /// Quotes `display` (same length as the parsed source) in `text` fields.
    pub(crate) fn set_display(&mut self, display: &'s str) {
        if display.len() == self.src.len() {
            self.display = display;
        }
    }

    /// The facts, with exported flags left as the language set them, and
    /// arguments that name a payload method expanded (see [`Ctx::record_return`]).
    pub(crate) fn finish(mut self) -> FileFacts {
        // Close the scopes still open (the file's last method), so that what
        // it returns is recorded too.
        self.set_depth(0);
        if !self.returns.is_empty() {
            let max = self.limits.max_args_per_call;
            let mut returns = std::mem::take(&mut self.returns);
            // `payload = payment_payload` then `create(payload)`.
            for b in &self.facts.bindings {
                if !returns.contains_key(&b.name)
                    && let Some(args) = returns.get(&b.root).cloned()
                {
                    returns.insert(b.name.clone(), args);
                }
            }
            let expand = |call: &mut Call| expand_returns(call, &returns, max);
            self.facts.calls.iter_mut().for_each(expand);
            for f in &mut self.facts.functions {
                f.calls.iter_mut().for_each(expand);
            }
        }
        self.facts
    }

    /// Remembers that the method `name` returns a map-like literal with
    /// these entries: a call that passes the method's result
    /// (`Customer.update(id, update_payload)`, `create(self.payload())`),
    /// or a variable assigned it, passes those entries. Applied when the
    /// file is done, since such helpers are usually defined after their use.
    ///
    /// Several methods of one name (a base class and its overrides) each add
    /// their entries: a call through `self` may reach any of them.
    pub(crate) fn record_return(&mut self, name: String, args: Vec<Arg>) {
        if name.is_empty() || args.is_empty() {
            return;
        }
        let max = self.limits.max_args_per_call;
        let known = self.returns.entry(name).or_default();
        for arg in args {
            if known.len() >= max {
                break;
            }
            if !known.iter().any(|k| k.key == arg.key && k.expr == arg.expr) {
                known.push(arg);
            }
        }
    }

    pub(crate) fn limits(&self) -> &Limits {
        self.limits
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    pub(crate) fn line_offset(&self) -> u32 {
        self.line_offset
    }

    fn set_depth(&mut self, depth: usize) {
        self.depth = depth;
        while self.scopes.len() > 1 && self.scopes.last().is_some_and(|s| s.depth >= depth) {
            if let Some(mut scope) = self.scopes.pop()
                && let Some((name, var)) = scope.returns_var.take()
                && let Some(args) = scope.literals.remove(&var)
            {
                self.record_return(name, args);
            }
        }
    }

    /// The source text of a node ("" if its range is not on char boundaries).
    pub(crate) fn text(&self, node: Node<'_>) -> &'s str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    /// The whole source being walked.
    pub(crate) fn source(&self) -> &'s str {
        self.src
    }

    /// The source between two byte offsets.
    pub(crate) fn slice(&self, start: usize, end: usize) -> &'s str {
        self.src.get(start..end).unwrap_or("")
    }

    /// The 1-based line of a node in the original file.
    pub(crate) fn line(&self, node: Node<'_>) -> u32 {
        let row = u32::try_from(node.start_position().row).unwrap_or(u32::MAX);
        row.saturating_add(1).saturating_add(self.line_offset)
    }

    /// The first line of a text, trimmed and capped.
    pub(crate) fn first_line(&self, text: &str) -> String {
        // Never scan further than needed: the text may be a whole file.
        let text = text.trim_start();
        let max = self.limits.max_text_chars;
        let end = text
            .char_indices()
            .take(max + 1)
            .find(|&(_, c)| c == '\n' || c == '\r')
            .map_or(text.len(), |(i, _)| i);
        cap(text[..end].trim_end(), max)
    }

    /// The source line a node starts on (from the node itself when the line
    /// is long, as in minified code), trimmed and capped.
    pub(crate) fn line_text(&self, node: Node<'_>) -> String {
        let start = node.start_byte().min(self.display.len());
        let before = self.display.get(..start).unwrap_or("");
        // Look back at most 120 bytes for the line start (minified code).
        let window = (before.len().saturating_sub(120)..=before.len())
            .find(|&i| before.is_char_boundary(i))
            .unwrap_or(before.len());
        let from = match before[window..].rfind('\n') {
            Some(i) => window + i + 1,
            None if window == 0 => 0,
            None => before.len(),
        };
        self.first_line(self.display.get(from..).unwrap_or(""))
    }

    /// A node's text with whitespace runs collapsed, capped.
    pub(crate) fn compact(&self, node: Node<'_>) -> String {
        compact(self.text(node), self.limits.max_text_chars)
    }

    /// True inside a function or method body (not at module or class level).
    pub(crate) fn in_function(&self) -> bool {
        self.scopes.iter().any(|s| s.kind == ScopeKind::Function)
    }

    /// The class whose body directly holds the current node, and whether it
    /// is exported.
    pub(crate) fn current_class(&self) -> Option<(Option<String>, bool)> {
        let scope = self.scopes.last()?;
        if scope.kind == ScopeKind::Class {
            Some((scope.name.clone(), scope.exported))
        } else {
            None
        }
    }

    /// The function whose body directly holds the current node, when it
    /// is recorded (`None` inside an anonymous one or a class body).
    pub(crate) fn current_function(&self) -> Option<&FunctionDef> {
        let scope = self.scopes.last()?;
        if scope.kind != ScopeKind::Function {
            return None;
        }
        self.facts.functions.get(scope.function?)
    }

    /// Opens a class scope at the current node.
    pub(crate) fn enter_class(&mut self, name: Option<String>, exported: bool) {
        self.scopes.push(Scope {
            depth: self.depth,
            kind: ScopeKind::Class,
            name,
            exported,
            function: None,
            literals: HashMap::new(),
            returns_var: None,
        });
    }

    /// Opens a function scope at the current node; a named function is
    /// recorded in `facts.functions` and collects the calls made inside it.
    pub(crate) fn enter_function(&mut self, def: Option<FunctionDef>) {
        let within = self
            .scopes
            .iter()
            .rev()
            .find_map(|s| s.function)
            .and_then(|i| self.facts.functions.get(i))
            .map(|f| f.line);
        let function = match def {
            Some(mut def) if self.facts.functions.len() < self.limits.max_facts => {
                def.within = within;
                self.facts.functions.push(def);
                Some(self.facts.functions.len() - 1)
            }
            Some(_) => {
                self.facts.truncated = true;
                None
            }
            None => None,
        };
        let returns_var = self.pending_return.take();
        self.scopes.push(Scope {
            depth: self.depth,
            kind: ScopeKind::Function,
            name: None,
            exported: false,
            function,
            literals: HashMap::new(),
            returns_var,
        });
    }

    /// Remembers that `name` holds a map-like literal with these entries.
    /// An empty literal keeps what the name already holds in this scope:
    /// it is the other branch's default (`if connected: payee = {"email":
    /// ...} else: payee = {}`) more often than a reset, and a value that
    /// may be sent is reported.
    pub(crate) fn record_literal(&mut self, name: String, args: Vec<Arg>) {
        if let Some(scope) = self.scopes.last_mut() {
            if args.is_empty() && scope.literals.contains_key(&name) {
                return;
            }
            scope.literals.insert(name, args);
        }
    }

    /// Adds `name.key = value` to a recorded literal; false if `name` holds none.
    pub(crate) fn extend_literal(&mut self, name: &str, arg: Arg) -> bool {
        let max = self.limits.max_args_per_call;
        for scope in self.scopes.iter_mut().rev() {
            if let Some(args) = scope.literals.get_mut(name) {
                if args.len() < max {
                    args.push(arg);
                }
                return true;
            }
        }
        false
    }

    /// Adds to the literal a variable holds what a call merges into it:
    /// `params.update(...)` (Python, Ruby), `params.merge!(...)` (Ruby),
    /// `Object.assign(params, ...)` (JavaScript). An argument that calls a
    /// method is kept as an entry, expanded when the file is done (what
    /// the method returns is known then).
    pub(crate) fn grow_literal(&mut self, callee: &str, args: &[Arg]) {
        let (var, from) = if callee == "Object.assign" {
            let Some(target) = args
                .iter()
                .find(|a| a.position == Some(0) && a.key.is_none())
            else {
                return;
            };
            (target.expr.clone(), 1)
        } else if let Some(var) = [".update", ".merge!"]
            .iter()
            .find_map(|m| callee.strip_suffix(m))
        {
            (var.to_string(), 0)
        } else {
            return;
        };
        if var.contains(['.', '(', '[']) || self.literal(&var).is_none() {
            return;
        }
        for arg in args.iter().filter(|a| a.position.is_none_or(|p| p >= from)) {
            self.extend_literal(&var, arg.clone());
        }
    }

    /// The literal a variable was last assigned, looking outwards from the
    /// innermost scope.
    pub(crate) fn literal(&self, name: &str) -> Option<&Vec<Arg>> {
        self.scopes.iter().rev().find_map(|s| s.literals.get(name))
    }

    pub(crate) fn push_import(&mut self, import: Import) {
        if self.facts.imports.len() < self.limits.max_facts {
            self.facts.imports.push(import);
        } else {
            self.facts.truncated = true;
        }
    }

    /// Records an import of `module` seen at `node`.
    pub(crate) fn import(
        &mut self,
        module: &str,
        bindings: Vec<String>,
        node: Node<'_>,
        dynamic: bool,
    ) {
        let module = module.trim();
        if module.is_empty() || module.len() > self.limits.max_string_bytes {
            return;
        }
        let import = Import {
            module: module.to_string(),
            bindings,
            line: self.line(node),
            text: self.line_text(node),
            dynamic,
            renamed: Vec::new(),
        };
        self.push_import(import);
    }

    /// [`Ctx::import`] of names some of which are renamed: `(exported,
    /// local)` pairs; the local names are the bindings.
    pub(crate) fn import_renamed(
        &mut self,
        module: &str,
        bindings: Vec<String>,
        renamed: Vec<(String, String)>,
        node: Node<'_>,
        dynamic: bool,
    ) {
        let before = self.facts.imports.len();
        self.import(module, bindings, node, dynamic);
        if self.facts.imports.len() > before {
            if let Some(last) = self.facts.imports.last_mut() {
                last.renamed = renamed;
            }
        }
    }

    /// Records a call; it also goes to the innermost named function.
    pub(crate) fn push_call(&mut self, call: Call) {
        if self.facts.calls.len() >= self.limits.max_facts {
            self.facts.truncated = true;
            return;
        }
        let owner = self.scopes.iter().rev().find_map(|s| s.function);
        if let Some(f) = owner.and_then(|i| self.facts.functions.get_mut(i)) {
            f.calls.push(call.clone());
        }
        self.facts.calls.push(call);
    }

    /// Records a call to `callee` at `call`, whose name is at `name` (the
    /// line and text of a builder-chain link start at its own name).
    pub(crate) fn call(&mut self, callee: String, args: Vec<Arg>, call: Node<'_>, name: Node<'_>) {
        if callee.is_empty() || callee == "_" {
            return;
        }
        let start = if call.start_position().row == name.start_position().row {
            call.start_byte()
        } else {
            name.start_byte()
        };
        let text = self.first_line(self.display.get(start..call.end_byte()).unwrap_or(""));
        let line = self.line(name);
        let end_row = u32::try_from(call.end_position().row).unwrap_or(u32::MAX);
        let end_line = end_row
            .saturating_add(1)
            .saturating_add(self.line_offset)
            .max(line);
        self.push_call(Call {
            callee,
            args,
            line,
            end_line,
            text,
        });
    }

    pub(crate) fn push_binding(&mut self, name: String, root: String, node: Node<'_>) {
        if name.is_empty() || root.is_empty() || LITERALS.contains(&root.as_str()) {
            return;
        }
        if self.facts.bindings.len() >= self.limits.max_facts {
            self.facts.truncated = true;
            return;
        }
        let line = self.line(node);
        self.facts.bindings.push(Binding { name, root, line });
    }

    /// Records a string literal's value (skipped when over the size limit).
    pub(crate) fn push_string(&mut self, value: &str, node: Node<'_>) {
        if value.len() > self.limits.max_string_bytes || value.is_empty() {
            return;
        }
        if self.facts.strings.len() >= self.limits.max_facts {
            self.facts.truncated = true;
            return;
        }
        let line = self.line(node);
        self.facts.strings.push(StringLit {
            value: value.to_string(),
            line,
        });
    }

    /// Merges the facts of an embedded script (already line-shifted).
    pub(crate) fn merge(&mut self, other: FileFacts) {
        self.facts.imports.extend(other.imports);
        self.facts.calls.extend(other.calls);
        self.facts.bindings.extend(other.bindings);
        self.facts.strings.extend(other.strings);
        self.facts.functions.extend(other.functions);
        self.facts.truncated |= other.truncated;
    }
}

/// The entries of an array or list literal, each under the array's key
/// (`to: [{ email: user.email }]`): a `spread` node spreads, any other
/// element is positional.
pub(crate) fn elements<'t>(node: Node<'t>, spread: &str) -> Vec<Entry<'t>> {
    children(node)
        .into_iter()
        .map(|c| {
            if c.kind() == spread {
                Entry::Spread(c)
            } else {
                Entry::Positional(c)
            }
        })
        .collect()
}

/// The dotted path of a callee (`a.b.c`); an unnamed base is `_`.
pub(crate) fn path<S: Syntax>(ctx: &Ctx<'_>, syn: &S, node: Node<'_>) -> String {
    let mut segments: Vec<String> = Vec::new();
    let mut current = node;
    let mut base = "_".to_string();
    for _ in 0..MAX_CHAIN {
        match syn.step(ctx, current) {
            Step::Member(object, segment) => {
                if !segment.is_empty() {
                    segments.push(segment);
                }
                current = object;
            }
            Step::Through(inner) => current = inner,
            Step::Name(name) => {
                base = name;
                break;
            }
            Step::Opaque => break,
        }
    }
    segments.push(base);
    segments.reverse();
    segments.join(".")
}

/// The leftmost name of a value (`OpenAI` in `new OpenAI({...})`); a
/// receiver keeps its first member (`this.stripe`, `self.client`).
pub(crate) fn root<S: Syntax>(ctx: &Ctx<'_>, syn: &S, node: Node<'_>) -> Option<String> {
    let mut current = node;
    let mut last_segment: Option<String> = None;
    for _ in 0..MAX_CHAIN {
        match syn.step(ctx, current) {
            Step::Member(object, segment) => {
                if !segment.is_empty() {
                    last_segment = Some(segment);
                }
                current = object;
            }
            Step::Through(inner) => current = inner,
            Step::Name(name) => {
                return Some(match last_segment {
                    Some(seg) if RECEIVERS.contains(&name.as_str()) => format!("{name}.{seg}"),
                    _ => name,
                });
            }
            Step::Opaque => return None,
        }
    }
    None
}

/// Keywords some grammars parse as names; a value rooted at one binds nothing.
const LITERALS: &[&str] = &[
    "true",
    "false",
    "null",
    "nil",
    "None",
    "True",
    "False",
    "undefined",
];

/// Names of the current object, which say nothing by themselves.
const RECEIVERS: &[&str] = &["this", "self", "@", "$this"];

fn join_key(prefix: Option<&str>, key: &str) -> String {
    match prefix {
        Some(p) if !p.is_empty() => format!("{p}.{key}"),
        _ => key.to_string(),
    }
}

/// Flattens argument entries: literal values give one [`Arg`] per key
/// (nested keys dotted), and a variable that holds a recorded literal gives
/// itself and then that literal's entries. Each [`Arg`] keeps the position
/// of the top-level entry it comes from (`None` for a keyed one).
pub(crate) fn flatten<'t, S: Syntax>(ctx: &Ctx<'_>, syn: &S, entries: Vec<Entry<'t>>) -> Vec<Arg> {
    let max = ctx.limits.max_args_per_call;
    let mut out: Vec<Arg> = Vec::new();
    let mut positional: u16 = 0;
    let top: Vec<(Entry<'t>, Option<u16>)> = entries
        .into_iter()
        .map(|e| {
            let position = match e {
                Entry::Keyed(..) => None,
                Entry::Positional(_) | Entry::Spread(_) => {
                    let p = positional;
                    positional = positional.saturating_add(1);
                    Some(p)
                }
            };
            (e, position)
        })
        .collect();
    let mut stack: Vec<(Entry<'t>, Option<String>, usize, Option<u16>)> = top
        .into_iter()
        .rev()
        .map(|(e, position)| (e, None, 0, position))
        .collect();
    while let Some((entry, prefix, depth, position)) = stack.pop() {
        if out.len() >= max {
            break;
        }
        let (value, key) = match entry {
            Entry::Spread(node) => {
                out.push(Arg {
                    key: prefix.clone(),
                    expr: ctx.compact(node),
                    line: ctx.line(node),
                    position,
                });
                // `...props` / `**props` of a recorded literal spreads its
                // keys; a literal spread where it is written
                // (`...(id && { id })`) gives its entries.
                let spread = children(node).into_iter().next();
                if let Some(recorded) = spread
                    .and_then(|v| syn.variable(ctx, v))
                    .and_then(|v| ctx.literal(&v))
                {
                    push_recorded(&mut out, recorded, prefix.as_deref(), position, max);
                } else if depth < MAX_NESTING
                    && let Some(inner) = spread.and_then(|v| syn.entries(ctx, v))
                {
                    for e in inner.into_iter().rev() {
                        stack.push((e, prefix.clone(), depth + 1, position));
                    }
                }
                continue;
            }
            Entry::Keyed(key, node) => (node, Some(join_key(prefix.as_deref(), &key))),
            Entry::Positional(node) => (node, prefix),
        };
        if depth < MAX_NESTING {
            if let Some(inner) = syn.entries(ctx, value) {
                for e in inner.into_iter().rev() {
                    stack.push((e, key.clone(), depth + 1, position));
                }
                continue;
            }
        }
        out.push(Arg {
            key: key.clone(),
            expr: ctx.compact(value),
            line: ctx.line(value),
            position,
        });
        if let Some(recorded) = syn.variable(ctx, value).and_then(|v| ctx.literal(&v)) {
            push_recorded(&mut out, recorded, key.as_deref(), position, max);
        }
    }
    out
}

/// Records `function` as a payload method (see [`Ctx::record_return`]) when
/// its body ends by returning a map-like literal (whatever its parameters:
/// the keys it returns are the same): `def payload(self): return {...}`, `payload() { return {...} }`,
/// `() => ({...})`, PHP's `return [...]`.
pub(crate) fn record_payload_method<S: Syntax>(
    ctx: &mut Ctx<'_>,
    syn: &S,
    name: &str,
    function: Node<'_>,
) {
    if name.is_empty() {
        return;
    }
    let Some(body) = function.child_by_field_name("body") else {
        return;
    };
    let mut value = match children(body).into_iter().last() {
        Some(last) if last.kind().contains("return") => children(last).into_iter().next(),
        Some(_) if syn.entries(ctx, body).is_some() => Some(body),
        Some(_) if body.kind() == "parenthesized_expression" => Some(body),
        _ => None,
    };
    while let Some(v) = value.filter(|v| v.kind() == "parenthesized_expression") {
        value = children(v).into_iter().next();
    }
    let Some(value) = value else {
        return;
    };
    record_returned(ctx, syn, name, value);
}

/// Records what a function named `name` returns when `value`, its last
/// expression, is a map-like literal, or a variable that the body assigns
/// one (resolved when the function's scope closes). Call it before
/// [`Ctx::enter_function`].
pub(crate) fn record_returned<S: Syntax>(ctx: &mut Ctx<'_>, syn: &S, name: &str, value: Node<'_>) {
    if syn.entries(ctx, value).is_some() {
        let args = flatten(ctx, syn, vec![Entry::Positional(value)]);
        ctx.record_return(name.to_string(), args);
    } else if let Some(var) = syn.variable(ctx, value) {
        ctx.pending_return = Some((name.to_string(), var));
    }
}

/// The method an argument calls for its value: `payload`, `payload()`,
/// `payload(intent)`, `self.payload`, `this.payload()`,
/// `$this->payload()`, spread or not (`**self.payload()`, `...payload()`).
fn payload_method(expr: &str) -> &str {
    let e = expr
        .trim()
        .trim_start_matches("...")
        .trim_start_matches('*');
    // `payload(intent)`: the name before a final argument list.
    let e = match e.find('(') {
        Some(open) if e.ends_with(')') => &e[..open],
        _ => e,
    };
    let e = ["self.", "this.", "$this->", "static::", "self::"]
        .iter()
        .find_map(|p| e.strip_prefix(p))
        .unwrap_or(e);
    if e.chars().all(|c| c.is_alphanumeric() || c == '_') {
        e
    } else {
        ""
    }
}

/// The payload method whose result an argument passes, written alone
/// (see [`payload_method`]) or wrapped in a conversion or a constructor
/// (`Params.new(payment_params).to_h`, `json.dumps(self.body())`,
/// `JSON.stringify(buildBody(user))`): the first name of the expression
/// that is not a member of something else (`to_h` in `x.to_h` is not) and
/// that a method of the file returns a literal for.
fn payload_in<'r>(expr: &str, returns: &'r HashMap<String, Vec<Arg>>) -> Option<&'r Vec<Arg>> {
    if let Some(found) = returns.get(payload_method(expr)) {
        return Some(found);
    }
    let bytes = expr.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        if !word(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && word(bytes[i]) {
            i += 1;
        }
        let before = &expr[..start];
        let own = ["self.", "this.", "$this->", "static::", "self::"]
            .iter()
            .any(|p| before.ends_with(p));
        // A member (`x.to_h`, `A::B`, `$x->y`), or inside a string or a
        // symbol (`"payload"`, `:payload`), or a PHP variable.
        let member = before.ends_with("->") || before.ends_with(['.', ':', '"', '\'', '`', '$']);
        // `owner.email` reads one member of a payload, not the payload.
        let after = &expr[i..];
        let read = after.starts_with('.')
            || after.starts_with('[')
            || after.starts_with("?.")
            || after.starts_with("->");
        if (own || !member)
            && !read
            && let Some(found) = returns.get(&expr[start..i])
        {
            return Some(found);
        }
    }
    None
}

/// Adds, after each argument that names a payload method, that method's
/// returned entries (under the argument's key and position).
fn expand_returns(call: &mut Call, returns: &HashMap<String, Vec<Arg>>, max: usize) {
    if !call
        .args
        .iter()
        .any(|a| payload_in(&a.expr, returns).is_some())
    {
        return;
    }
    let mut out: Vec<Arg> = Vec::with_capacity(call.args.len());
    for arg in std::mem::take(&mut call.args) {
        let recorded = payload_in(&arg.expr, returns);
        let (key, position) = (arg.key.clone(), arg.position);
        out.push(arg);
        if let Some(recorded) = recorded {
            push_recorded(&mut out, recorded, key.as_deref(), position, max);
        }
    }
    call.args = out;
}

/// Appends a recorded literal's entries under `prefix`, at `position`.
fn push_recorded(
    out: &mut Vec<Arg>,
    recorded: &[Arg],
    prefix: Option<&str>,
    position: Option<u16>,
    max: usize,
) {
    for arg in recorded.iter().take(max.saturating_sub(out.len())) {
        let key = match (prefix, &arg.key) {
            (Some(k), Some(inner)) => Some(format!("{k}.{inner}")),
            (Some(k), None) => Some(k.to_string()),
            (None, inner) => inner.clone(),
        };
        out.push(Arg {
            key,
            expr: arg.expr.clone(),
            line: arg.line,
            position,
        });
    }
}

/// The named children of a node, without comments.
pub(crate) fn children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|c| !c.kind().contains("comment"))
        .collect()
}

/// The text between a string's delimiters: `"abc"` → `abc`.
pub(crate) fn unquote(text: &str) -> &str {
    let t = text.trim();
    for q in ["\"\"\"", "'''"] {
        if t.len() >= 6 && t.starts_with(q) && t.ends_with(q) {
            return &t[3..t.len() - 3];
        }
    }
    let bytes = t.as_bytes();
    if bytes.len() >= 2 {
        let (first, last) = (bytes[0], bytes[bytes.len() - 1]);
        if first == last && matches!(first, b'"' | b'\'' | b'`') {
            return &t[1..t.len() - 1];
        }
    }
    t
}

/// At most `max` chars of `s`.
pub(crate) fn cap(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// `s` on one line with its runs of whitespace as one space, cut to `max`
/// characters. A string cut before its interpolations keeps them, written
/// after `…` (at most [`KEPT_INTERPOLATIONS`] characters more): a long
/// prompt that ends in `${serialized}` still holds it.
pub(crate) fn compact(s: &str, max: usize) -> String {
    let s = s.trim();
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for (at, c) in s.char_indices() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        let needed = if space { 2 } else { 1 };
        if count + needed > max {
            if count < max && space {
                out.push(' ');
            }
            if is_string(s) {
                kept_interpolations(&s[at..], &mut out);
            }
            return out;
        }
        if space {
            out.push(' ');
            count += 1;
            space = false;
        }
        out.push(c);
        count += 1;
    }
    out
}

/// How many characters of a cut string's later interpolations are kept.
const KEPT_INTERPOLATIONS: usize = 120;

/// How far into the rest of a cut string its interpolations are looked
/// for, in bytes (the text of one argument, so the scan stays linear).
const SEARCHED_FOR_INTERPOLATIONS: usize = 16 << 10;

/// True when `s` is a string literal (a template, an f-string): only a
/// string's interpolations are kept, not the strings inside a function
/// written in place.
fn is_string(s: &str) -> bool {
    let s = s.trim_start_matches(['f', 'F', 'r', 'b']);
    s.starts_with(['`', '"', '\''])
}

/// Appends the `${...}` and `#{...}` interpolations of `rest` (what a cut
/// left out of a string) to `out`, after ` … `, within
/// [`KEPT_INTERPOLATIONS`] characters.
fn kept_interpolations(rest: &str, out: &mut String) {
    let mut cut = rest.len().min(SEARCHED_FOR_INTERPOLATIONS);
    while !rest.is_char_boundary(cut) {
        cut -= 1;
    }
    let rest = &rest[..cut];
    let mut kept = String::new();
    let mut from = 0;
    while let Some(at) = rest[from..].find(['$', '#']).map(|i| from + i) {
        from = at + 1;
        if !rest[from..].starts_with('{') {
            continue;
        }
        let mut depth = 0usize;
        let mut end = None;
        for (i, c) in rest[from..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = Some(from + i + 1);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(end) = end else {
            break;
        };
        let piece: String = rest[at..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if kept.chars().count() + piece.chars().count() + 1 > KEPT_INTERPOLATIONS {
            break;
        }
        kept.push(' ');
        kept.push_str(&piece);
        from = end;
    }
    if !kept.is_empty() {
        out.push_str(" …");
        out.push_str(&kept);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_strips_matching_delimiters_only() {
        assert_eq!(unquote("\"abc\""), "abc");
        assert_eq!(unquote("'a'"), "a");
        assert_eq!(unquote("`t`"), "t");
        assert_eq!(unquote("\"\"\"doc\"\"\""), "doc");
        assert_eq!(unquote("\"x'"), "\"x'");
        assert_eq!(unquote("\""), "\"");
    }

    #[test]
    fn cap_and_compact_respect_char_boundaries() {
        assert_eq!(cap("héllo", 2), "hé");
        assert_eq!(compact("a\n   b\t c", 100), "a b c");
        assert_eq!(compact("ééé ééé", 4), "ééé ");
    }

    #[test]
    fn a_cut_string_keeps_its_later_interpolations() {
        let long = format!(
            "`Summarise:\n{}\n${{serialized}} and #{{user.name}}`",
            "x".repeat(50)
        );
        assert_eq!(
            compact(&long, 20),
            "`Summarise: xxxxxxxx … ${serialized} #{user.name}"
        );
        assert_eq!(compact("`${a}`", 20), "`${a}`");
        // Unbalanced or none: nothing is added; nor to what is not a
        // string (a function written in place).
        assert_eq!(compact("`abcdef ${oops`", 4), "`abc");
        assert_eq!(compact("() => { log(`${a}`) }", 6), "() => ");
    }
}
