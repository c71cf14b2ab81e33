//! One read per file: how the scan reads a file's text, and the texts the
//! first pass keeps for the passes that run once every file was analysed
//! (renderers, clients and wrappers across files, URLs other files define,
//! mail transports).
//!
//! Those passes only know which files they need once the first pass is
//! over, and each used to open its files again: on an application tree the
//! wrapper pass alone read every file of a wrapper's language a second (and
//! third) time. The first pass now keeps the text of every file of a parsed
//! language, up to [`KEEP_BYTES`] in all; a file past the budget is read
//! again when a later pass needs it, through the same checks.
//!
//! Invariant: [`Texts::get`] gives exactly what reading the file again
//! would (same size limit, binary probe, UTF-8 and BOM handling, minified
//! check), so the budget changes the time and memory of a scan, never its
//! result.

use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::SkipReason;
use super::walk::WalkedFile;

/// Lines longer than this mark a generated or minified file.
pub(super) const MAX_LINE: usize = 10_000;
/// How much of a file is checked for NUL bytes.
const BINARY_PROBE: usize = 8 * 1024;
/// At most this many bytes of text are kept for the later passes: more
/// than the parsed sources of each realworld application (2 to 23 MB), and
/// a bounded share of the 300 MB peak the speed bar allows on larger trees
/// (64 MiB until issue #18's session 15: on a tree past the budget the
/// later passes read most files again anyway, and the other 32 MiB was a
/// tenth of the peak).
pub(super) const KEEP_BYTES: usize = 32 * 1024 * 1024;

/// Where a walked file is: `root` joined with its relative path, unless the
/// walk kept its exact path (a name that is not UTF-8).
pub(super) fn path_of(root: &Path, f: &WalkedFile) -> PathBuf {
    f.path.clone().unwrap_or_else(|| root.join(&f.rel))
}

/// A file's text, read and checked: the size limit, NUL bytes in its first
/// 8 KiB, UTF-8 (a leading BOM dropped). `Err` says why it has no text and
/// whether its bytes were read. `size` is the walk's size of the file.
pub(super) fn read(
    path: &Path,
    size: u64,
    max_file_size: u64,
) -> Result<String, (SkipReason, bool)> {
    let bytes =
        read_limited(path, size, max_file_size).map_err(|_| (SkipReason::Unreadable, false))?;
    if bytes.len() as u64 > max_file_size {
        return Err((SkipReason::TooLarge, false));
    }
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        return Err((SkipReason::Binary, true));
    }
    let mut text = String::from_utf8(bytes).map_err(|_| (SkipReason::NotUtf8, true))?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// Reads at most `max + 1` bytes: a file that grew after the walk is still
/// caught as too large without reading all of it.
fn read_limited(path: &Path, size: u64, max: u64) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut buf = Vec::with_capacity(usize::try_from(size.min(max)).unwrap_or(0) + 1);
    file.take(max.saturating_add(1)).read_to_end(&mut buf)?;
    Ok(buf)
}

/// True for a generated or minified text: one of its lines is longer than
/// [`MAX_LINE`].
pub(super) fn is_minified(text: &str) -> bool {
    text.len() > MAX_LINE && longest_line(text.as_bytes()) > MAX_LINE
}

/// The length of the longest line, in bytes.
fn longest_line(bytes: &[u8]) -> usize {
    let mut longest = 0;
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', bytes) {
        longest = longest.max(i - start);
        start = i + 1;
    }
    longest.max(bytes.len() - start)
}

/// What the first pass kept of one walked file.
#[derive(Default)]
pub(super) enum Kept {
    /// Not kept (no parsed language, or past the budget): read again.
    #[default]
    No,
    /// Reading it again would give no text (too large, binary, not UTF-8,
    /// minified).
    Nothing,
    /// Its text.
    Text(String),
}

/// The byte budget of the kept texts, shared by the first pass's threads.
pub(super) struct Budget(AtomicUsize);

impl Budget {
    /// A budget of `bytes`.
    pub(super) fn new(bytes: usize) -> Budget {
        Budget(AtomicUsize::new(bytes))
    }

    /// Keeps `text` when it fits in what is left of the budget. Which files
    /// fit depends on the threads' order; what [`Texts::get`] gives does not.
    pub(super) fn keep(&self, text: String) -> Kept {
        let n = text.len();
        let took = self
            .0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(n)
            });
        match took {
            Ok(_) => Kept::Text(text),
            Err(_) => Kept::No,
        }
    }
}

/// Walked files, compactly (a large tree has hundreds of thousands): their
/// relative paths end to end, their sizes, and the exact path of the few
/// whose relative path does not give it back.
#[derive(Default)]
pub(super) struct Files {
    rels: String,
    /// Where each path ends in `rels`.
    ends: Vec<usize>,
    /// The walk's size (a read's first buffer), at most `u32::MAX`.
    sizes: Vec<u32>,
    exact: std::collections::BTreeMap<usize, PathBuf>,
}

impl Files {
    pub(super) fn push(&mut self, f: &WalkedFile) {
        if let Some(p) = &f.path {
            self.exact.insert(self.ends.len(), p.clone());
        }
        self.rels.push_str(&f.rel);
        self.ends.push(self.rels.len());
        self.sizes.push(u32::try_from(f.size).unwrap_or(u32::MAX));
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The `i`-th file's relative path (`i < len`).
    pub(super) fn rel(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.rels[start..self.ends[i]]
    }

    /// The `i`-th file's path under `root`.
    fn path(&self, root: &Path, i: usize) -> PathBuf {
        self.exact
            .get(&i)
            .cloned()
            .unwrap_or_else(|| root.join(self.rel(i)))
    }

    /// The files in the order of `order` (a permutation of positions).
    pub(super) fn permuted(&self, order: &[usize]) -> Files {
        let mut out = Files::default();
        for &i in order {
            out.push(&WalkedFile {
                rel: self.rel(i).to_string(),
                path: self.exact.get(&i).cloned(),
                size: u64::from(self.sizes[i]),
            });
        }
        out
    }

    /// The space these files take, with the rest of an allocation's
    /// capacity given back.
    pub(super) fn shrink_to_fit(&mut self) {
        self.rels.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.sizes.shrink_to_fit();
    }
}

/// The walked files of a parsed language (the only ones the later passes
/// read), in the walk's order, with what the first pass kept of each.
pub(super) struct Texts {
    root: PathBuf,
    files: Files,
    /// By position in `files`, sorted, only the files whose `Kept` is not
    /// [`Kept::No`] (most files of a large tree are past the budget).
    kept: Vec<(u32, Kept)>,
    max_file_size: u64,
}

impl Texts {
    /// `kept` gives, by position in `files`, what the first pass kept of
    /// each file; a position it does not name is [`Kept::No`].
    pub(super) fn new(
        root: PathBuf,
        files: Files,
        mut kept: Vec<(u32, Kept)>,
        max_file_size: u64,
    ) -> Texts {
        kept.retain(|(_, k)| !matches!(k, Kept::No));
        kept.sort_unstable_by_key(|(i, _)| *i);
        debug_assert!(kept.last().is_none_or(|(i, _)| (*i as usize) < files.len()));
        Texts {
            root,
            files,
            kept,
            max_file_size,
        }
    }

    /// Every file's position and relative path, in parallel.
    pub(super) fn par_files(
        &self,
    ) -> impl rayon::iter::IndexedParallelIterator<Item = (usize, &str)> + '_ {
        use rayon::prelude::*;
        (0..self.files.len())
            .into_par_iter()
            .map(move |i| (i, self.files.rel(i)))
    }

    /// The `i`-th file's relative path, if there is one.
    pub(super) fn rel(&self, i: usize) -> Option<&str> {
        (i < self.files.len()).then(|| self.files.rel(i))
    }

    /// The text of the `i`-th file for a later pass, or `None` when the
    /// first pass would not have read it either (too large, binary, not
    /// UTF-8, minified).
    pub(super) fn get(&self, i: usize) -> Option<Cow<'_, str>> {
        let kept = u32::try_from(i)
            .ok()
            .and_then(|i| self.kept.binary_search_by_key(&i, |(j, _)| *j).ok())
            .map(|at| &self.kept[at].1);
        match kept {
            Some(Kept::Text(t)) => Some(Cow::Borrowed(t.as_str())),
            Some(Kept::Nothing) => None,
            Some(Kept::No) | None => {
                if i >= self.files.len() {
                    return None;
                }
                let path = self.files.path(&self.root, i);
                let size = u64::from(self.files.sizes[i]);
                let text = read(&path, size, self.max_file_size).ok()?;
                (!is_minified(&text)).then_some(Cow::Owned(text))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_line_counts_the_last_line() {
        assert_eq!(longest_line(b"ab\nabcd"), 4);
        assert_eq!(longest_line(b"abc\n"), 3);
        assert_eq!(longest_line(b""), 0);
        assert_eq!(longest_line(b"\n\n"), 0);
        assert_eq!(longest_line(b"a\n\nabc\nab"), 3);
    }

    #[test]
    fn the_budget_keeps_what_fits_and_no_more() {
        let b = Budget::new(5);
        assert!(matches!(b.keep("abc".into()), Kept::Text(_)));
        assert!(matches!(b.keep("abc".into()), Kept::No));
        assert!(matches!(b.keep("ab".into()), Kept::Text(_)));
        assert!(matches!(b.keep("a".into()), Kept::No));
    }
}
