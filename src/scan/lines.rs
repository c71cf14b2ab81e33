//! Line lookups for one file: byte offset ↔ 1-based line, and the text of a
//! line, from one pass over the newlines.

/// The start offsets of every line of a text.
#[derive(Debug)]
pub struct LineIndex<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    /// Indexes `text`.
    pub fn new(text: &'t str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { text, starts }
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        let i = self.starts.partition_point(|s| *s <= offset);
        u32::try_from(i.max(1)).unwrap_or(u32::MAX)
    }

    /// Byte offset where a 1-based line starts (the text's end past the last line).
    pub fn start_of(&self, line: u32) -> usize {
        let i = (line as usize).saturating_sub(1);
        self.starts.get(i).copied().unwrap_or(self.text.len())
    }

    /// The text of a 1-based line, without its line break ("" when out of range).
    pub fn text_of(&self, line: u32) -> &'t str {
        let i = (line as usize).saturating_sub(1);
        let Some(&s) = self.starts.get(i) else {
            return "";
        };
        let e = self
            .starts
            .get(i + 1)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        self.text
            .get(s..e.max(s))
            .unwrap_or("")
            .trim_end_matches('\r')
    }

    /// Every line with its 1-based number.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &'t str)> + '_ {
        (1..=self.starts.len() as u32).map(|n| (n, self.text_of(n)))
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True for an empty text.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_lines() {
        let t = "ab\r\ncd\n\nef";
        let li = LineIndex::new(t);
        assert_eq!(li.line_of(0), 1);
        assert_eq!(li.line_of(4), 2);
        assert_eq!(li.line_of(9), 4);
        assert_eq!(li.text_of(1), "ab");
        assert_eq!(li.text_of(3), "");
        assert_eq!(li.text_of(4), "ef");
        assert_eq!(li.text_of(5), "");
        assert_eq!(li.start_of(2), 4);
    }
}
