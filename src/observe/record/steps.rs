//! `--script STEPS`: the scripted steps a recording performs after the page
//! loaded, a YAML list with one step per item:
//!
//! ```yaml
//! - fill: { selector: "#email", value: "canary@example.com" }
//! - click: "#signup"
//! - wait: 500          # milliseconds
//! - wait: "#thanks"    # until an element matches the selector
//! - goto: /account     # same origin only
//! ```
//!
//! The file is parsed completely before the browser starts, and every
//! problem is placed at its line with a suggestion. A step that cannot be
//! performed at run time (a selector that never matches) names its line too.

use std::fmt;

use serde_yaml::Value;

use crate::model::locate::Locations;

/// One step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Type `value` into the element `selector` matches (input and change
    /// events fire, as when a person types).
    Fill {
        /// A CSS selector.
        selector: String,
        /// The text.
        value: String,
    },
    /// Click the element a CSS selector matches.
    Click(String),
    /// Wait this many milliseconds.
    Sleep(u64),
    /// Wait until an element matches a CSS selector.
    WaitFor(String),
    /// Open a URL of the page's own origin (absolute, or relative to the current page).
    Goto(String),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Fill { selector, .. } => write!(f, "fill `{selector}`"),
            Step::Click(s) => write!(f, "click `{s}`"),
            Step::Sleep(ms) => write!(f, "wait {ms} ms"),
            Step::WaitFor(s) => write!(f, "wait for `{s}`"),
            Step::Goto(u) => write!(f, "goto `{u}`"),
        }
    }
}

/// A step and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The step.
    pub step: Step,
    /// Its 1-based line in the file.
    pub line: usize,
}

/// A parsed steps file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Steps {
    /// The file's name as given, for messages.
    pub file: String,
    /// The steps in order.
    pub steps: Vec<Placed>,
}

/// A problem in a steps file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepsError {
    /// The file.
    pub file: String,
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
}

impl fmt::Display for StepsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: ", self.file, self.line, self.column)?;
        } else {
            write!(f, "{}: ", self.file)?;
        }
        write!(f, "{}\n  help: {}", self.message, self.help)
    }
}

impl std::error::Error for StepsError {}

const FORMAT_HELP: &str = "each item is one of `fill: {selector: \"#email\", value: \"...\"}`, `click: \"#signup\"`, `wait: 500` (ms), `wait: \"#done\"` (a selector), `goto: /path`";

/// The longest single `wait: MS` accepted (a minute): a longer sleep is a typo.
pub const MAX_SLEEP_MS: u64 = 60_000;

/// Parses a steps file's text; `file` names it in messages. Reports the
/// first problem (a steps file is short; each problem names its line).
pub fn parse(file: &str, text: &str) -> Result<Steps, StepsError> {
    let err = |line: usize, column: usize, message: String, help: &str| StepsError {
        file: file.to_string(),
        line,
        column,
        message,
        help: help.to_string(),
    };
    let value: Value = match serde_yaml::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            return Err(err(
                line,
                column,
                format!("not valid YAML: {e}"),
                FORMAT_HELP,
            ));
        }
    };
    let items = match value {
        Value::Sequence(items) => items,
        Value::Null => Vec::new(),
        _ => {
            return Err(err(
                1,
                1,
                "the steps must be a YAML list (`- click: \"#signup\"`)".into(),
                FORMAT_HELP,
            ));
        }
    };
    let locations = Locations::index(text);
    // A step is placed at its key (`click` in `- click: ...`).
    let place = |i: usize, item: &Value| {
        let path = match item {
            Value::Mapping(m) if m.len() == 1 => {
                format!("[{i}].{}", m.keys().next().map(scalar).unwrap_or_default())
            }
            _ => format!("[{i}]"),
        };
        locations
            .as_ref()
            .and_then(|l| l.find_key(&path))
            .map(|p| (p.line, p.column))
            .unwrap_or((0, 0))
    };
    let mut steps = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let (line, column) = place(i, item);
        let n = i + 1;
        let step = one(item)
            .map_err(|(message, help)| err(line, column, format!("step {n}: {message}"), &help))?;
        steps.push(Placed { step, line });
    }
    Ok(Steps {
        file: file.to_string(),
        steps,
    })
}

type Problem = (String, String);

fn one(item: &Value) -> Result<Step, Problem> {
    let Value::Mapping(m) = item else {
        return Err((
            format!("expected a mapping with one key, found {}", kind(item)),
            FORMAT_HELP.into(),
        ));
    };
    if m.len() != 1 {
        let keys: Vec<String> = m.keys().map(scalar).collect();
        return Err((
            format!(
                "a step has exactly one key, this one has {}: {}",
                m.len(),
                keys.join(", ")
            ),
            "write each action as its own list item (`- click: ...` then `- wait: ...`)".into(),
        ));
    }
    let (k, v) = m.iter().next().expect("one entry");
    let key = scalar(k);
    match key.as_str() {
        "click" => selector(v, "click").map(Step::Click),
        "goto" => match v {
            Value::String(s) if !s.trim().is_empty() => Ok(Step::Goto(s.clone())),
            _ => Err((
                format!("`goto` takes a URL, found {}", kind(v)),
                "`goto: /account` (a path of the page's own site) or a full URL of the same origin"
                    .into(),
            )),
        },
        "wait" => match v {
            Value::Number(n) => match n.as_u64() {
                Some(ms) if ms <= MAX_SLEEP_MS => Ok(Step::Sleep(ms)),
                _ => Err((
                    format!("`wait: {n}` is not a number of milliseconds from 0 to {MAX_SLEEP_MS}"),
                    "`wait: 500` waits half a second; `wait: \"#done\"` waits for an element"
                        .into(),
                )),
            },
            Value::String(_) => selector(v, "wait").map(Step::WaitFor),
            _ => Err((
                format!("`wait` takes milliseconds or a selector, found {}", kind(v)),
                "`wait: 500` waits half a second; `wait: \"#done\"` waits for an element".into(),
            )),
        },
        "fill" => {
            let help = "`fill: {selector: \"#email\", value: \"canary@example.com\"}`";
            let Value::Mapping(f) = v else {
                return Err((
                    format!("`fill` takes `selector` and `value`, found {}", kind(v)),
                    help.into(),
                ));
            };
            let mut sel = None;
            let mut val = None;
            for (fk, fv) in f {
                match scalar(fk).as_str() {
                    "selector" => sel = Some(selector(fv, "fill")?),
                    "value" => {
                        val = Some(match fv {
                            Value::String(s) => s.clone(),
                            Value::Number(n) => n.to_string(),
                            Value::Bool(b) => b.to_string(),
                            _ => {
                                return Err((
                                    format!("`fill.value` must be text, found {}", kind(fv)),
                                    help.into(),
                                ));
                            }
                        })
                    }
                    other => {
                        return Err((
                            format!("`fill` has no key `{other}`"),
                            format!("its keys are `selector` and `value`: {help}"),
                        ));
                    }
                }
            }
            match (sel, val) {
                (Some(selector), Some(value)) => Ok(Step::Fill { selector, value }),
                (None, _) => Err(("`fill` needs a `selector`".into(), help.into())),
                (_, None) => Err(("`fill` needs a `value`".into(), help.into())),
            }
        }
        other => {
            let known = ["click", "fill", "goto", "wait"];
            let near = known
                .iter()
                .min_by_key(|k| strsim::levenshtein(k, other))
                .filter(|k| strsim::levenshtein(k, other) <= 2);
            let help = match near {
                Some(k) => format!("did you mean `{k}`? {FORMAT_HELP}"),
                None => FORMAT_HELP.into(),
            };
            Err((format!("unknown step `{other}`"), help))
        }
    }
}

fn selector(v: &Value, step: &str) -> Result<String, Problem> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err((
            format!("`{step}` takes a CSS selector, found {}", kind(v)),
            format!("quote it: `{step}: \"#signup\"` (an unquoted `#` starts a YAML comment)"),
        )),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => kind(other).to_string(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_kind_parses_with_its_line() {
        let text = "# sign up\n- fill: { selector: \"#email\", value: \"a@b.c\" }\n- click: \"#signup\"\n\n- wait: 500\n- wait: \"#done\"\n- goto: /thanks.html\n";
        let s = parse("steps.yaml", text).unwrap();
        let got: Vec<(Step, usize)> = s.steps.into_iter().map(|p| (p.step, p.line)).collect();
        assert_eq!(
            got,
            vec![
                (
                    Step::Fill {
                        selector: "#email".into(),
                        value: "a@b.c".into()
                    },
                    2
                ),
                (Step::Click("#signup".into()), 3),
                (Step::Sleep(500), 5),
                (Step::WaitFor("#done".into()), 6),
                (Step::Goto("/thanks.html".into()), 7),
            ]
        );
    }

    #[test]
    fn an_empty_file_has_no_steps() {
        assert!(parse("s.yaml", "").unwrap().steps.is_empty());
    }

    #[test]
    fn a_misspelt_step_names_its_line_and_the_likely_step() {
        let e = parse("steps.yaml", "- click: \"#a\"\n- clik: \"#b\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("step 2: unknown step `clik`"), "{e}");
        assert!(e.help.contains("did you mean `click`?"), "{e}");
        assert!(e.to_string().starts_with("steps.yaml:2:3: "), "{e}");
    }

    #[test]
    fn an_unquoted_selector_is_explained() {
        // `#signup` unquoted is a comment: the value is null.
        let e = parse("s.yaml", "- click: #signup\n").unwrap_err();
        assert!(
            e.message.contains("takes a CSS selector, found nothing"),
            "{e}"
        );
        assert!(e.help.contains("quote it"), "{e}");
    }

    #[test]
    fn bad_steps_are_refused_with_a_suggestion() {
        for (text, needle) in [
            ("click: \"#a\"\n", "must be a YAML list"),
            ("- wait: -3\n", "not a number of milliseconds"),
            ("- wait: 600000\n", "not a number of milliseconds"),
            ("- fill: { selector: \"#a\" }\n", "needs a `value`"),
            ("- fill: { value: x }\n", "needs a `selector`"),
            (
                "- fill: { selector: \"#a\", value: x, typo: 1 }\n",
                "has no key `typo`",
            ),
            ("- { click: \"#a\", wait: 5 }\n", "exactly one key"),
            ("- \"#a\"\n", "expected a mapping"),
            ("- goto: 3\n", "takes a URL"),
            ("- [unclosed\n", "not valid YAML"),
        ] {
            let e = parse("s.yaml", text).unwrap_err();
            assert!(e.message.contains(needle), "{text:?}: {e}");
            assert!(!e.help.is_empty());
        }
    }
}
