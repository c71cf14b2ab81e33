//! Positions of YAML nodes by path (`flows[3].to`), for error messages.
//!
//! serde_yaml reports positions for syntax errors only: serde_yaml 0.9 has
//! no spanned values and its event parser is private, so validation
//! problems, found on the parsed value, have none. This second, event-level
//! pass (yaml-rust2) is run only when there is a problem to place (see
//! [`super::draft::Places`]), or for the evidence lines of declared flows
//! and of a Fides manifest, so validating a large map pays nothing for it.
//! It also finds duplicate keys, which serde_yaml rejects one at a time.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Where each path's key (for mapping entries) or item (for sequence items) starts.
#[derive(Debug, Default)]
pub struct Locations {
    positions: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
    /// Keys that appear twice in one mapping: (path, position of the repeat).
    pub duplicates: Vec<(String, Pos)>,
}

impl Locations {
    /// Indexes a document; `None` when it does not even scan.
    pub fn index(text: &str) -> Option<Locations> {
        if too_deep(text).is_some() {
            return None;
        }
        let mut rec = Recorder::default();
        let mut parser = Parser::new_from_str(text);
        parser.load(&mut rec, false).ok()?;
        Some(rec.out)
    }

    /// The position of a path's value (or of its key or item start when the
    /// value is a collection), or of its nearest ancestor that has one.
    pub fn find(&self, path: &str) -> Option<Pos> {
        self.values
            .get(path)
            .copied()
            .or_else(|| self.find_key(path))
    }

    /// The position of a path's key (or item start), or of its nearest
    /// ancestor that has one.
    pub fn find_key(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

enum Frame {
    Map {
        path: String,
        pending_key: Option<String>,
        seen: std::collections::HashSet<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Recorder {
    stack: Vec<Frame>,
    out: Locations,
}

/// The deepest nesting a document may have. Both YAML parsers in use
/// misbehave on deep nesting (libyaml's scanner is quadratic in the flow
/// depth; yaml-rust2's loader recurses once per level and overflows the
/// stack), so deeper documents are refused before either sees them.
/// serde_yaml refuses more than 128 levels anyway.
pub const MAX_NESTING: usize = 256;

/// A linear, parse-free check that a document's nesting stays within
/// [`MAX_NESTING`]: an upper bound of the depth at each line is the number of
/// flow brackets open (`[`, `{`, counted even inside quotes: over-counting is
/// safe) plus the line's indentation plus its compact `- ` entries.
/// Returns the position where the bound is first exceeded.
pub fn too_deep(text: &str) -> Option<Pos> {
    let mut flow: usize = 0;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let mut rest = &line[indent..];
        let mut dashes = 0;
        while let Some(r) = rest
            .strip_prefix("- ")
            .or_else(|| rest.strip_prefix("-\t"))
            .or_else(|| rest.strip_prefix("? "))
        {
            dashes += 1;
            rest = r.trim_start_matches([' ', '\t']);
        }
        let block = indent + dashes;
        if flow + block > MAX_NESTING {
            return Some(Pos {
                line: i + 1,
                column: 1,
            });
        }
        for (col, b) in line.bytes().enumerate() {
            match b {
                b'[' | b'{' => {
                    flow += 1;
                    if flow + block > MAX_NESTING {
                        return Some(Pos {
                            line: i + 1,
                            column: col + 1,
                        });
                    }
                }
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
    }
    None
}

fn pos(m: Marker) -> Pos {
    Pos {
        line: m.line(),
        column: m.col() + 1,
    }
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Recorder {
    /// Called for every node: returns the path the node lives at, and records
    /// the position of sequence items.
    fn node_path(&mut self, mark: Marker) -> Option<String> {
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                self.out.positions.entry(p.clone()).or_insert(pos(mark));
                Some(p)
            }
            Some(Frame::Map {
                path, pending_key, ..
            }) => pending_key.take().map(|k| join(path, &k)),
        }
    }

    /// For scalars in key position: records the key and returns true.
    fn take_key(&mut self, value: &str, mark: Marker) -> bool {
        if let Some(Frame::Map {
            path,
            pending_key,
            seen,
        }) = self.stack.last_mut()
        {
            if pending_key.is_none() {
                let full = join(path, value);
                if !seen.insert(value.to_string()) {
                    self.out.duplicates.push((full.clone(), pos(mark)));
                }
                self.out.positions.entry(full).or_insert(pos(mark));
                *pending_key = Some(value.to_string());
                return true;
            }
        }
        false
    }
}

/// Below this depth nothing is recorded: a declaration nests a handful of
/// levels, and building a path per level of a hostile `[[[[…` document costs
/// time quadratic in its depth.
const MAX_DEPTH: usize = 64;

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.stack.len() >= MAX_DEPTH {
            // Keep the frames balanced, record nothing.
            match ev {
                Event::MappingStart(..) => self.stack.push(Frame::Map {
                    path: String::new(),
                    pending_key: None,
                    seen: Default::default(),
                }),
                Event::SequenceStart(..) => self.stack.push(Frame::Seq {
                    path: String::new(),
                    next: 0,
                }),
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                }
                _ => {}
            }
            return;
        }
        match ev {
            Event::Scalar(value, ..) if !self.take_key(&value, mark) => {
                if let Some(p) = self.node_path(mark) {
                    self.out.values.entry(p).or_insert(pos(mark));
                }
            }
            Event::Alias(_) if !self.take_key("*alias", mark) => {
                self.node_path(mark);
            }
            Event::MappingStart(..) => {
                // A mapping used as a key has no useful path; give it a dummy.
                if self.take_key("?", mark) {
                    self.stack.push(Frame::Map {
                        path: "?".into(),
                        pending_key: None,
                        seen: Default::default(),
                    });
                    return;
                }
                let path = self.node_path(mark).unwrap_or_default();
                self.stack.push(Frame::Map {
                    path,
                    pending_key: None,
                    seen: Default::default(),
                });
            }
            Event::SequenceStart(..) => {
                if self.take_key("?", mark) {
                    self.stack.push(Frame::Seq {
                        path: "?".into(),
                        next: 0,
                    });
                    return;
                }
                let path = self.node_path(mark).unwrap_or_default();
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_items_and_duplicates() {
        let text = "version: 1\nflows:\n  - from: a\n    to: b\n  - from: c\n    to: d\nfields:\n  email: {category: x}\n  email: {category: y}\n";
        let loc = Locations::index(text).unwrap();
        assert_eq!(loc.find_key("version"), Some(Pos { line: 1, column: 1 }));
        assert_eq!(
            loc.find("version"),
            Some(Pos {
                line: 1,
                column: 10
            })
        );
        assert_eq!(loc.find("flows[1].to"), Some(Pos { line: 6, column: 9 }));
        assert_eq!(
            loc.find("flows[1].to.nothing"),
            Some(Pos { line: 6, column: 5 })
        );
        assert_eq!(
            loc.find_key("fields.email.category"),
            Some(Pos {
                line: 8,
                column: 11
            })
        );
        assert_eq!(
            loc.find("fields.email.category"),
            Some(Pos {
                line: 8,
                column: 21
            })
        );
        assert_eq!(
            loc.duplicates,
            vec![("fields.email".to_string(), Pos { line: 9, column: 3 })]
        );
    }
}
